import type { KnowledgeErrorCode } from '@babble-buddy/shared';
import type { ParseResult, ParseTask } from '../pipeline';

export interface ThreadRequest {
  id: number;
  task: ParseTask;
}

export type ThreadOutcome =
  | { ok: true; result: ParseResult }
  | { ok: false; error: { code: KnowledgeErrorCode | null; message: string; retryable: boolean } };

export type ThreadReply = ThreadOutcome & { id: number };
