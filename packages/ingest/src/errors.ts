import { KnowledgeErrorCode } from '@babble-buddy/shared';

/**
 * An expected ingestion failure with the code the admin sees on the source (`UNSUPPORTED_TYPE`,
 * `ENCRYPTED_PDF`, …). `retryable` failures (a server answering 503, a connection reset) are worth
 * another attempt; the others are final.
 */
export class IngestError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: KnowledgeErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IngestError';
    this.retryable = options.retryable ?? false;
  }
}

export function isIngestError(error: unknown): error is IngestError {
  return error instanceof IngestError;
}

export { KnowledgeErrorCode };
