import type { FakeReply } from './fake-llm.types';
import type { ModelCatalog } from './model-catalog';

/** What the protocol handlers need from the running fake. */
export interface ProtocolContext {
  readonly catalog: ModelCatalog;
  readonly openaiApiKey: string | undefined;
  /** Takes the next scripted reply, or the default one when the script is empty. */
  nextReply(): FakeReply;
  nextToolCallId(): string;
  nextCompletionId(): string;
}
