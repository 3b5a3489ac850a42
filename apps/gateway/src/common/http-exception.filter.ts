import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode, type TErrorBody } from '@babble-buddy/shared';
import { AppError } from './app-error';
import { allowOrigin, isVisitorPath } from './cors';

/** What body-parser and Express attach to the errors they raise. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
}

/** The one place errors become responses: 4xx with code and message, 500 with an errorId and no stack. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const { status, body, headers } = toErrorResponse(exception, String(request.id ?? randomUUID()), this.logger);
    if (response.headersSent) {
      // A stream already started: the stream writer reports errors in-band; just end it.
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    // A refusal on a visitor route is readable by the page, so the widget can show its code.
    if (isVisitorPath(request.path)) allowOrigin(response, request.headers.origin);
    if (request.path.startsWith('/v1/')) {
      // The OpenAI-compatible surface answers in OpenAI's error shape, so OpenAI SDKs raise typed errors.
      response.status(status).json({
        error: { message: body.error.message, type: openAiErrorType(status), code: body.error.code, param: null, request_id: body.error.requestId },
      });
      return;
    }
    response.status(status).json(body);
  }
}

export function toErrorResponse(
  exception: unknown,
  requestId: string,
  logger: Logger,
): { status: number; body: TErrorBody; headers: Record<string, string> } {
  if (exception instanceof AppError) {
    return {
      status: exception.status,
      headers: exception.headers,
      body: { error: { code: exception.code, message: exception.message, requestId, ...(exception.details === undefined ? {} : { details: exception.details }) } },
    };
  }
  const httpLike = exception as HttpLikeError;
  const parserType = typeof httpLike?.type === 'string' ? httpLike.type : undefined;
  if (parserType === 'entity.parse.failed') {
    return fail(400, ErrorCode.MalformedJson, 'Request body is not valid JSON', requestId);
  }
  if (parserType === 'entity.too.large') {
    return fail(413, ErrorCode.PayloadTooLarge, 'Request body is too large', requestId);
  }
  if (parserType === 'charset.unsupported' || parserType === 'encoding.unsupported') {
    return fail(415, ErrorCode.UnsupportedMediaType, 'Unsupported body encoding', requestId);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    if (status === 404) return fail(404, ErrorCode.NotFound, 'No such route', requestId);
    if (status === 413) return fail(413, ErrorCode.PayloadTooLarge, 'Request body is too large', requestId);
    if (status === 415) return fail(415, ErrorCode.UnsupportedMediaType, 'Unsupported media type', requestId);
    if (status < 500) return fail(status, status === 401 ? ErrorCode.Unauthenticated : status === 403 ? ErrorCode.Forbidden : ErrorCode.BadRequest, exception.message, requestId);
  }
  const errorId = randomUUID();
  logger.error({ err: exception, errorId, requestId }, 'unhandled error');
  return {
    status: 500,
    headers: {},
    body: { error: { code: ErrorCode.Internal, message: `Internal error; quote errorId ${errorId} when reporting it`, requestId, errorId } },
  };
}

function fail(status: number, code: ErrorCode, message: string, requestId: string) {
  return { status, headers: {}, body: { error: { code, message, requestId } } };
}

function openAiErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
