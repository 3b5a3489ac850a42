import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The host application a widget is embedded in: a plain web server on its own port, reached as
 * `http://localhost:<port>` while the gateway is `http://127.0.0.1:<port>`, so the widget always
 * runs cross-origin, as it does on a customer's site.
 */
export interface HostSite {
  origin: string;
  /** Serves `html` at `path` and returns the page's URL. */
  page(path: string, html: string): string;
  /** Serves any other file (an image, say) and returns its URL. */
  asset(path: string, body: string, contentType: string): string;
  close(): Promise<void>;
}

export async function startHostSite(): Promise<HostSite> {
  const files = new Map<string, { body: string; type: string }>();
  const server: Server = createServer((req, res) => {
    const file = files.get(new URL(req.url ?? '/', 'http://host').pathname);
    if (file === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://localhost:${port}`;
  return {
    origin,
    page(path, html) {
      files.set(path, { body: html, type: 'text/html; charset=utf-8' });
      return `${origin}${path}`;
    },
    asset(path, body, type) {
      files.set(path, { body, type });
      return `${origin}${path}`;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface PageOptions {
  /** Extra markup in <head> (a hostile style sheet, say). */
  head?: string;
  /** Markup or scripts before the widget's tag. */
  before?: string;
  /** Data attributes of the tag besides src (data-key…); none means the page calls init itself. */
  attributes?: Record<string, string>;
  /** Script run after widget.js has loaded (e.g. BabbleBuddy.init(...)). */
  after?: string;
  lang?: string;
}

/** A small storefront page with the widget's script tag. */
export function hostPage(gatewayUrl: string, options: PageOptions = {}): string {
  const attributes = Object.entries(options.attributes ?? {})
    .map(([name, value]) => ` ${name}="${value.replace(/"/g, '&quot;')}"`)
    .join('');
  const tag = options.after
    ? `<script src="${gatewayUrl}/widget.js"${attributes}></script>\n<script>${options.after}</script>`
    : `<script src="${gatewayUrl}/widget.js"${attributes} async></script>`;
  return `<!doctype html>
<html lang="${options.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Acme Outdoor</title>
<style>body{font-family:Georgia,serif;margin:0;padding:32px;background:#f4efe6;color:#222}main{max-width:720px}</style>
${options.head ?? ''}
</head>
<body>
<main>
<h1>Acme Outdoor</h1>
<p>Tents, stoves and everything for a night under the stars. Ask our assistant anything about your order.</p>
<button type="button" id="host-button">A button of the host page</button>
</main>
${options.before ?? ''}
${tag}
</body>
</html>`;
}
