export type { ChatTurn, ProviderConfig, ProviderName, TokenUsage } from './types';
export { DEFAULT_OLLAMA_URL, DEFAULT_OPENAI_URL } from './types';
export { createChatModel, createEmbeddings, type EmbeddingsConfig } from './providers';
export {
  DEFAULT_FIRST_TOKEN_TIMEOUT_MS,
  streamChat,
  type ChatStreamEvent,
  type StreamChatOptions,
} from './chat-stream';
export {
  LlmAbortedError,
  LlmError,
  LlmStreamError,
  LlmUnavailableError,
  type LlmAbortedErrorInit,
  type LlmErrorInit,
  type LlmErrorKind,
  type LlmStreamErrorInit,
} from './errors';
export { estimateTokens } from './tokens';
export { PRICE_TABLE, lookupPrice, priceFor, priceForConfig, type ModelPrice } from './pricing';
export {
  DEFAULT_CONTEXT_MAX_CHARS,
  DEFAULT_HISTORY_TOKEN_BUDGET,
  assemblePrompt,
  type AssembledPrompt,
  type AssemblePromptInput,
  type KnowledgePassage,
} from './prompt';
export {
  DEFAULT_CHECK_TIMEOUT_MS,
  checkProvider,
  listModels,
  type ProviderCheck,
  type ProviderEndpoint,
} from './health';
export * from './retrieval';
