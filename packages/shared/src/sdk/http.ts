import { ZErrorBody, type ErrorCode } from '../errors';

/** Every failed SDK call: the API's stable error code (or NETWORK_ERROR), its message and HTTP status. */
export class BabbleBuddyError extends Error {
  constructor(
    readonly code: ErrorCode | 'NETWORK_ERROR',
    message: string,
    readonly status: number,
    readonly requestId?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'BabbleBuddyError';
  }
}

/** fetch that turns a refused connection into NETWORK_ERROR and a non-2xx answer into the API's error. */
export async function send(doFetch: typeof fetch, url: string, init: RequestInit, server: string): Promise<Response> {
  let response: Response;
  try {
    response = await doFetch(url, init);
  } catch (error) {
    if (error instanceof Error && error.name === 'AbortError') throw error;
    throw new BabbleBuddyError('NETWORK_ERROR', `Could not reach ${server}: ${String(error)}`, 0);
  }
  if (!response.ok) throw await toError(response);
  return response;
}

export async function toError(response: Response): Promise<BabbleBuddyError> {
  const text = await response.text();
  try {
    const body = ZErrorBody.parse(JSON.parse(text));
    return new BabbleBuddyError(body.error.code, body.error.message, response.status, body.error.requestId, body.error.details);
  } catch {
    return new BabbleBuddyError('INTERNAL', `HTTP ${response.status}: ${text.slice(0, 200)}`, response.status);
  }
}
