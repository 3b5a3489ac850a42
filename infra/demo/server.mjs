#!/usr/bin/env node
// The demo host page `infra/scripts/up.sh` starts: a tiny static server on its own port (so the widget
// runs cross-origin, as on a customer's site) serving index.html with the gateway URL and the demo
// tenant's publishable key filled in.
//   node infra/demo/server.mjs --port 5180 --gateway http://localhost:3000 --key pk_…
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '5180' }, host: { type: 'string', default: '127.0.0.1' }, gateway: { type: 'string' }, key: { type: 'string' } },
});
if (!values.gateway || !values.key) {
  console.error('usage: node infra/demo/server.mjs --port 5180 --gateway http://localhost:3000 --key pk_…');
  process.exit(2);
}
const escape = (value) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = readFileSync(join(import.meta.dirname, 'index.html'), 'utf8')
  .replaceAll('{{GATEWAY_URL}}', escape(values.gateway.replace(/\/+$/, '')))
  .replaceAll('{{PUBLISHABLE_KEY}}', escape(values.key));

const server = createServer((req, res) => {
  if (req.url === '/' || req.url?.startsWith('/?')) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
  } else if (req.url === '/favicon.ico') {
    res.writeHead(204).end();
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
});
server.listen(Number(values.port), values.host, () => console.log(`demo page on http://localhost:${values.port}/`));
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => server.close(() => process.exit(0)));
