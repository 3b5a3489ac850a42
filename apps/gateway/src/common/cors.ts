import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '@babble-buddy/shared';
import type { WidgetOriginsService } from '../widget/widget-origins.service';

/**
 * The routes browsers call from host pages with a publishable key or a widget session token. Their
 * CORS answers follow the keys' allowed origins; everything else (admin API, health) answers any
 * origin as before, since it needs an operator's bearer token and no cookie is ever used.
 */
const VISITOR_PATH = /^\/api\/v1\/(?:widget\/|chat(?:\/|$)|messages\/|sessions\/)/;
/** The widget's own script files: public, any page may load them (`*`, no Vary, so CDNs cache one copy). */
const ASSET_PATH = /^\/widget(?:\.js$|\/)/;

const METHODS = 'GET, POST, PUT, PATCH, DELETE';
const HEADERS = 'authorization, content-type, x-request-id, last-event-id';
const EXPOSED = 'x-request-id, retry-after';
const PREFLIGHT_MAX_AGE = '600';

export function isVisitorPath(path: string): boolean {
  return VISITOR_PATH.test(path);
}

/** Lets `origin` read this response; called once a route has checked the origin against the key or token. */
export function allowOrigin(res: Response, origin: string | undefined): void {
  if (!origin || res.headersSent) return;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-expose-headers', EXPOSED);
}

/**
 * CORS for the whole gateway. Visitor routes: a preflight passes only for an origin some live
 * publishable key allows (a preflight carries no key to be more precise with); the actual response
 * is readable by the page only when the route accepted the origin for that request's own key or
 * token (`allowOrigin`), or when it is a refusal, so the page can read the error code.
 */
export function corsMiddleware(origins: WidgetOriginsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.headers.origin;
    if (!origin || ASSET_PATH.test(req.path)) return next();
    res.vary('Origin');
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!isVisitorPath(req.path)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-expose-headers', EXPOSED);
      if (!preflight) return next();
      answerPreflight(res);
      return;
    }
    if (!preflight) return next();
    origins.isKnown(origin).then(
      (known) => {
        if (known) {
          res.setHeader('access-control-allow-origin', origin);
          answerPreflight(res);
          return;
        }
        res.status(403).json({
          error: { code: ErrorCode.OriginNotAllowed, message: `The origin ${origin} is not allowed for any widget key`, requestId: String(req.id) },
        });
      },
      (error: unknown) => next(error),
    );
  };
}

function answerPreflight(res: Response): void {
  res.setHeader('access-control-allow-methods', METHODS);
  res.setHeader('access-control-allow-headers', HEADERS);
  res.setHeader('access-control-max-age', PREFLIGHT_MAX_AGE);
  res.status(204).end();
}
