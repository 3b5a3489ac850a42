import { BabbleBuddyError, ErrorCode } from '@babble-buddy/shared';

export function isUnauthenticated(error: unknown): boolean {
  return error instanceof BabbleBuddyError && error.status === 401 && error.code === ErrorCode.Unauthenticated;
}

export function errorCode(error: unknown): string | null {
  return error instanceof BabbleBuddyError ? error.code : null;
}

/** A sentence for an operator, with what to quote when asking for help. */
export function describeError(error: unknown): { message: string; code: string | null; requestId: string | null } {
  if (error instanceof BabbleBuddyError) {
    const message =
      error.code === 'NETWORK_ERROR'
        ? 'The server cannot be reached. Check that the gateway is running and try again.'
        : error.code === ErrorCode.Forbidden
          ? `You are not allowed to do this. ${error.message}`
          : error.message;
    return { message, code: error.code, requestId: error.requestId ?? null };
  }
  return { message: error instanceof Error ? error.message : 'Something went wrong', code: null, requestId: null };
}

/** `{ field: message }` from a VALIDATION_FAILED (or field-specific) answer's `details.issues`. */
export function serverFieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof BabbleBuddyError)) return {};
  const issues = (error.details as { issues?: { path?: unknown; message?: unknown }[] } | undefined)?.issues;
  if (!Array.isArray(issues)) return {};
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    if (typeof issue.path !== 'string' || typeof issue.message !== 'string' || !issue.path) continue;
    const [field, index] = issue.path.split('.');
    if (field && !(field in errors)) errors[field] = index !== undefined && /^\d+$/.test(index) ? `Entry ${Number(index) + 1}: ${issue.message}` : issue.message;
  }
  return errors;
}
