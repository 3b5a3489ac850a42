import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Request, Response, NextFunction } from 'express';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { serveAdminUi } from './admin-ui/admin-ui';
import { AppModule } from './app.module';
import type { GatewayConfig } from './config/config.schema';
import { createLogger, PinoNestLogger } from './common/logger';
import { HttpExceptionFilter, toErrorResponse } from './common/http-exception.filter';
import { allowOrigin, corsMiddleware, isVisitorPath } from './common/cors';
import { ChatIoAdapter } from './chat/chat-io.adapter';
import { WidgetOriginsService } from './widget/widget-origins.service';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,64}$/;

export interface GatewayApp {
  app: NestExpressApplication;
  logger: Logger;
}

/** Builds the whole gateway; main.ts, the integration tests and the benchmark all start it this way. */
export async function createGatewayApp(config: GatewayConfig, options: { logger?: Logger } = {}): Promise<GatewayApp> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');
  app.enableShutdownHooks();

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req) => req.url === '/health' },
    }),
  );
  // Browsers call the chat endpoints from host pages: CORS there follows the keys' allowed origins.
  const origins = app.get(WidgetOriginsService);
  app.use(corsMiddleware(origins));
  app.useWebSocketAdapter(new ChatIoAdapter(app, origins));
  app.useBodyParser('json', { limit: config.BODY_LIMIT_BYTES, strict: true, type: ['application/json', 'application/*+json'] });
  // Body-parser errors happen before routing; answer them in the same shape as everything else.
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const { status, body } = toErrorResponse(error, String(req.id), logger);
    if (isVisitorPath(req.path)) allowOrigin(res, req.headers.origin);
    res.status(status).json(body);
  });
  app.useGlobalFilters(new HttpExceptionFilter(logger));
  serveAdminUi(app, config, logger);
  return { app, logger };
}
