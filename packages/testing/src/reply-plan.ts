import { splitIntoChunks } from './chunking';
import type { Conversation } from './conversation';
import type { FakeReply, FakeUsage } from './fake-llm.types';

export const DEFAULT_REPLY_TEXT = 'Hello from the fake model.';
export const ECHO_PREFIX = 'You said: ';

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** A FakeReply resolved against one request: every field decided, nothing optional left to guess. */
export interface ReplyPlan {
  text: string;
  chunks: readonly string[];
  latencyMs: number;
  tokenDelayMs: number;
  /** Chunks sent before the socket is destroyed (at most `chunks.length`), or undefined. */
  disconnectAfterChunks: number | undefined;
  /** Chunks sent before the garbage frame (at most `chunks.length`), or undefined. */
  malformedAfterChunks: number | undefined;
  httpError: { status: number; message: string | undefined } | undefined;
  usage: FakeUsage;
  toolCalls: readonly PlannedToolCall[];
}

export function planReply(reply: FakeReply, conversation: Conversation, nextToolCallId: () => string): ReplyPlan {
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: call.id ?? nextToolCallId(),
    name: call.name,
    arguments: call.arguments,
  }));
  const chunks = reply.chunks ? [...reply.chunks] : splitIntoChunks(replyText(reply, conversation, toolCalls.length > 0));
  const completionTokens = chunks.length > 0 ? chunks.length : toolCalls.length;
  return {
    text: chunks.join(''),
    chunks,
    latencyMs: nonNegative(reply.latencyMs),
    tokenDelayMs: nonNegative(reply.tokenDelayMs),
    disconnectAfterChunks: atMost(reply.disconnectAfterChunks, chunks.length),
    malformedAfterChunks: atMost(reply.malformedAfterChunks, chunks.length),
    httpError: reply.httpError && { status: reply.httpError.status, message: reply.httpError.message },
    usage: reply.usage ?? { promptTokens: conversation.promptWords, completionTokens },
    toolCalls,
  };
}

function replyText(reply: FakeReply, conversation: Conversation, hasToolCalls: boolean): string {
  if (reply.echo) return `${ECHO_PREFIX}${conversation.lastUserText}`;
  return reply.text ?? (hasToolCalls ? '' : DEFAULT_REPLY_TEXT);
}

function nonNegative(value: number | undefined): number {
  return value !== undefined && value > 0 ? value : 0;
}

function atMost(value: number | undefined, limit: number): number | undefined {
  return value === undefined ? undefined : Math.min(Math.max(0, Math.floor(value)), limit);
}
