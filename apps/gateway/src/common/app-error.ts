import { ERROR_STATUS, type ErrorCode } from '@babble-buddy/shared';

/** Every expected failure: carries a stable code; the filter turns it into the error body. */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}
