import { z } from 'zod';

/** Stable error codes: clients branch on these, never on message text. Never rename one. */
export const ErrorCode = {
  BadRequest: 'BAD_REQUEST',
  MalformedJson: 'MALFORMED_JSON',
  ValidationFailed: 'VALIDATION_FAILED',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  Unauthenticated: 'UNAUTHENTICATED',
  InvalidKey: 'INVALID_KEY',
  KeyRevoked: 'KEY_REVOKED',
  KeyExpired: 'KEY_EXPIRED',
  WrongKeyKind: 'WRONG_KEY_KIND',
  OriginNotAllowed: 'ORIGIN_NOT_ALLOWED',
  InvalidSessionToken: 'INVALID_SESSION_TOKEN',
  InvalidCredentials: 'INVALID_CREDENTIALS',
  Forbidden: 'FORBIDDEN',
  TenantSuspended: 'TENANT_SUSPENDED',
  NotFound: 'NOT_FOUND',
  SessionNotFound: 'SESSION_NOT_FOUND',
  MessageNotFound: 'MESSAGE_NOT_FOUND',
  Conflict: 'CONFLICT',
  RateLimited: 'RATE_LIMITED',
  ModelUnavailable: 'MODEL_UNAVAILABLE',
  ModelStreamFailed: 'MODEL_STREAM_FAILED',
  /** A service the request needs (the job queue) is unreachable; nothing was stored, try again. */
  ServiceUnavailable: 'SERVICE_UNAVAILABLE',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ZErrorCode = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

export const ZErrorBody = z.object({
  error: z.object({
    code: ZErrorCode,
    message: z.string(),
    requestId: z.string(),
    /** Present on 500s: quote it when reporting a problem; the server logged the details under it. */
    errorId: z.string().optional(),
    details: z.unknown().optional(),
  }),
});
export type TErrorBody = z.infer<typeof ZErrorBody>;

/** The HTTP status each code is answered with. */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  INVALID_KEY: 401,
  KEY_REVOKED: 401,
  KEY_EXPIRED: 401,
  WRONG_KEY_KIND: 403,
  ORIGIN_NOT_ALLOWED: 403,
  INVALID_SESSION_TOKEN: 401,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  TENANT_SUSPENDED: 403,
  NOT_FOUND: 404,
  SESSION_NOT_FOUND: 404,
  MESSAGE_NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  MODEL_UNAVAILABLE: 503,
  MODEL_STREAM_FAILED: 502,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};
