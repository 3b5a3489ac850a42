export {
  hybridSearch,
  nearestChunks,
  pgPoolExecutor,
  RRF_K,
  type HybridSearchInput,
  type HybridSearchResult,
  type NearestChunksInput,
  type PgPoolLike,
  type QueryEmbedding,
  type SearchHit,
  type SearchMode,
  type SourceScope,
  type SqlExecutor,
  type SqlQuery,
} from './hybrid-search';
export { contentWords, fullTextQuery } from './search-terms';
export { isFollowUp, rewriteWithModel, searchQueryFor, type ModelRewriteOptions, type SearchQuery } from './follow-up';
export {
  CitationTracker,
  citationFor,
  citedIndexes,
  KNOWLEDGE_ONLY_SNIPPET_CHARS,
  knowledgeOnlyAnswer,
  passagesFromHits,
  SNIPPET_MAX_CHARS,
  snippetOf,
  type Citation,
} from './citations';
