export {
  fuseByReciprocalRank,
  hybridSearch,
  nearestChunks,
  TEXT_MATCH_CAP,
  pgPoolExecutor,
  RRF_K,
  type CandidateRow,
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
  type TextCandidate,
  type VectorCandidate,
} from './hybrid-search';
export { contentWords, fullTextQuery, fullTextTermGroups, fullTextTerms } from './search-terms';
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
export {
  cachedTermStatistics,
  COMMON_TERM_MATCHES,
  NO_STATISTICS,
  readTermStatistics,
  selectMatchTerms,
  type TermStatistics,
} from './term-statistics';
