import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/config.schema';

export const ADMIN_UI_PATH = '/admin';

/** apps/admin/dist of this checkout (this file lives at apps/gateway/{src,dist}/admin-ui/). */
const CHECKOUT_ADMIN_DIST = resolve(__dirname, '..', '..', '..', 'admin', 'dist');

/** Where the built admin app is, or null when it is turned off or not built. */
export function adminUiDir(config: Pick<GatewayConfig, 'ADMIN_UI_DIR'>): string | null {
  if (config.ADMIN_UI_DIR === 'off') return null;
  const dir = config.ADMIN_UI_DIR ? resolve(config.ADMIN_UI_DIR) : CHECKOUT_ADMIN_DIST;
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

/**
 * Only our own scripts and styles run in the admin; it talks to the API named in config.js (any
 * origin), and no other site may frame it.
 */
const ADMIN_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self' http: https:; " +
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Serves the built admin app (apps/admin/dist) at /admin when it is there. Hashed assets are cached
 * for good; index.html and config.js are revalidated so a new build or API URL shows at once.
 */
export function serveAdminUi(app: NestExpressApplication, config: GatewayConfig, logger: Logger): void {
  const dir = adminUiDir(config);
  if (!dir) {
    if (config.ADMIN_UI_DIR && config.ADMIN_UI_DIR !== 'off') logger.warn({ dir: config.ADMIN_UI_DIR }, 'ADMIN_UI_DIR has no index.html: the admin app is not served');
    return;
  }
  // Relative asset URLs need the trailing slash; "/" leads operators to the admin.
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && (req.path === ADMIN_UI_PATH || req.path === '/')) {
      res.redirect(302, `${ADMIN_UI_PATH}/`);
      return;
    }
    next();
  });
  app.useStaticAssets(dir, {
    prefix: `${ADMIN_UI_PATH}/`,
    index: 'index.html',
    fallthrough: true,
    redirect: false,
    setHeaders: (res, path) => {
      for (const [name, value] of Object.entries(ADMIN_HEADERS)) res.setHeader(name, value);
      res.setHeader('cache-control', path.includes(`${join(dir, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  logger.info({ dir }, `admin app served at ${ADMIN_UI_PATH}/`);
}
