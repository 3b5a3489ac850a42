import type { ChatTurn } from './types';

/** Tokens added per message by chat templates (role markers, separators). */
const MESSAGE_OVERHEAD_TOKENS = 4;

/** Cheap token estimate (~4 characters per token); at least 1 for non-empty text. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Estimated prompt tokens of a list of chat turns, template overhead included. */
export function estimateMessagesTokens(messages: readonly ChatTurn[]): number {
  return messages.reduce((sum, turn) => sum + estimateTurnTokens(turn), 0);
}

export function estimateTurnTokens(turn: ChatTurn): number {
  return estimateTokens(turn.content) + MESSAGE_OVERHEAD_TOKENS;
}
