export { startFakeLlm } from './fake-llm.server';
export type { FakeLlm, FakeLlmOptions, FakeReply, FakeToolCall, FakeUsage, LlmProtocol, RecordedRequest } from './fake-llm.types';
export { splitIntoChunks } from './chunking';
export { cosineSimilarity, DEFAULT_EMBEDDING_DIMENSIONS, fakeEmbedding, FALLBACK_EMBEDDING_DIMENSIONS } from './embedding';
export { DEFAULT_REPLY_TEXT, ECHO_PREFIX } from './reply-plan';
export { DEFAULT_MODELS } from './model-catalog';
export {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  launchChromium,
  newPage,
  artifactPath,
  screenshot,
  axeViolations,
  type AxeViolation,
} from './browser';
export { seedKnowledgeSource, type SeedChunk, type SeedExecutor, type SeedSource } from './knowledge-seed';
