import { fullTextTermGroups } from './search-terms';
import { cachedTermStatistics, preferVectorIndex, selectMatchTerms } from './term-statistics';

/** Runs one parameterised statement (`$1`, `$2` …) and returns its rows. */
export type SqlQuery = <Row>(text: string, values: readonly unknown[]) => Promise<Row[]>;

/**
 * What retrieval needs of a database: plain queries, and a transaction so `SET LOCAL`-style settings
 * (HNSW scan parameters) apply to the search statement and to nothing else. The gateway adapts
 * Prisma's raw queries; `pgPoolExecutor` adapts a node-postgres pool.
 */
export interface SqlExecutor {
  query: SqlQuery;
  transaction<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
}

/** The parts of a node-postgres `Pool` used here (structural, so this package needs no `pg`). */
export interface PgPoolLike {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
  connect(): Promise<{ query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>; release(error?: Error | boolean): void }>;
}

export function pgPoolExecutor(pool: PgPoolLike): SqlExecutor {
  return {
    query: async <Row>(text: string, values: readonly unknown[]) => (await pool.query(text, [...values])).rows as Row[],
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(async <Row>(text: string, values: readonly unknown[]) => (await client.query(text, [...values])).rows as Row[]);
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release(true);
        throw error;
      }
    },
  };
}

/**
 * Which of a tenant's sources are searched: `'all'` (the admin's search preview), or what one agent
 * sees — the tenant-wide sources (no agent) plus the agent's own. `{ agentId: null }` is tenant-wide only.
 */
export type SourceScope = 'all' | { agentId: string | null };

export interface QueryEmbedding {
  vector: readonly number[];
  /** The model label the chunks were embedded with ("ollama:nomic-embed-text"); chunks of another model are skipped. */
  model: string;
}

export interface HybridSearchInput {
  tenantId: string;
  scope: SourceScope;
  /** The search text; its content words form the full-text query. */
  query: string;
  /**
   * The query's embedding; omit (or resolve to null) to search by full text only (no embedding model,
   * or the embedder failed). A promise lets the full-text side start while the embedding is computed.
   */
  embedding?: QueryEmbedding | PromiseLike<QueryEmbedding | null> | null;
  /** Results wanted. */
  k: number;
  /** Vector-only hits (no full-text match) below this cosine similarity are dropped. Default: keep all. */
  minSimilarity?: number;
  /** Candidates taken from each ranking before fusion. Default max(4k, 40). */
  candidates?: number;
  /** HNSW `ef_search` (the candidate list the graph search keeps). Default max(100, candidates). */
  efSearch?: number;
}

export interface SearchHit {
  chunkId: string;
  sourceId: string;
  /** The chunk's own title (a crawled page's) or its source's. */
  title: string;
  /** The chunk's own URL or its source's. */
  url?: string;
  sourceTitle: string;
  sourceUrl: string | null;
  page?: number;
  heading?: string;
  ordinal: number;
  content: string;
  metadata: Record<string, unknown>;
  /** Reciprocal-rank-fusion score: Σ 1 / (60 + rank) over the rankings the chunk is in. */
  score: number;
  /** 1-based rank by cosine similarity, `null` when not among the vector candidates. */
  vectorRank: number | null;
  similarity: number | null;
  /** 1-based rank by full-text relevance (ts_rank), `null` when the words did not match. */
  textRank: number | null;
  textScore: number | null;
}

export type SearchMode = 'hybrid' | 'vector' | 'text' | 'none';

export interface HybridSearchResult {
  hits: SearchHit[];
  /** Which rankings took part: both, one of them, or none (no embedding and no content words). */
  mode: SearchMode;
}

/** The constant of reciprocal rank fusion (Cormack et al. 2009): dampens the weight of top ranks. */
export const RRF_K = 60;
/** pgvector refuses larger `ef_search` values. */
const MAX_EF_SEARCH = 1000;
/** pgvector's largest `vector` dimension. */
const MAX_DIMENSIONS = 16000;
/** At most this many chunks matching the words are ranked (a bound on the ranking work). */
export const TEXT_MATCH_CAP = 1000;

/** A chunk as either ranking returns it, with what a hit needs. */
export interface CandidateRow {
  id: string;
  source_id: string;
  ordinal: number;
  content: string;
  metadata: unknown;
  source_title: string;
  source_url: string | null;
}
export interface VectorCandidate extends CandidateRow {
  distance: number;
}
export interface TextCandidate extends CandidateRow {
  text_score: number;
}

/** SQL text and its values, built up with numbered parameters. */
class Statement {
  readonly values: unknown[] = [];
  param(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

function vectorLiteral(vector: readonly number[]): string {
  if (vector.length === 0 || vector.length > MAX_DIMENSIONS) throw new RangeError(`embedding has ${vector.length} dimensions`);
  for (const value of vector) if (!Number.isFinite(value)) throw new RangeError('embedding contains a non-finite number');
  return `[${vector.join(',')}]`;
}

/** The ready sources in scope, materialised once per statement (a handful of rows per tenant). */
function sourcesCte(sql: Statement, tenant: string, scope: SourceScope): string {
  const agent = scope === 'all' ? 'TRUE' : scope.agentId === null ? 'agent_id IS NULL' : `(agent_id IS NULL OR agent_id = ${sql.param(scope.agentId)}::uuid)`;
  return `src AS MATERIALIZED (
    SELECT id, title, url FROM knowledge_sources
    WHERE tenant_id = ${tenant}::uuid AND status = 'ready' AND ${agent}
  )`;
}

/**
 * Nearest chunks by cosine distance, nearest first. The expression and predicate match the partial
 * HNSW indexes (`(embedding::vector(N)) vector_cosine_ops WHERE embedding_dims = N`), so the planner
 * can use the index of that dimension; without one (or for a small tenant, when cheaper) it scans
 * exactly. Relaxed-order iterative scans may return candidates slightly out of order: the outer
 * query sorts them again.
 */
function vectorStatement(tenantId: string, scope: SourceScope, embedding: QueryEmbedding, limit: number): Statement & { text: string } {
  const sql = new Statement();
  const dims = embedding.vector.length;
  const query = `${sql.param(vectorLiteral(embedding.vector))}::vector(${dims})`;
  const tenant = sql.param(tenantId);
  const text = `WITH ${sourcesCte(sql, tenant, scope)},
  vec AS MATERIALIZED (
    SELECT c.id, c.source_id, c.ordinal, c.content, c.metadata, (c.embedding::vector(${dims}) <=> ${query}) AS distance
    FROM chunks c
    WHERE c.embedding_dims = ${dims} AND c.tenant_id = ${tenant}::uuid
      AND c.embedding_model = ${sql.param(embedding.model)} AND c.source_id IN (SELECT id FROM src)
    ORDER BY c.embedding::vector(${dims}) <=> ${query}
    LIMIT ${sql.param(limit)}
  )
  SELECT v.id, v.source_id, v.ordinal, v.content, v.metadata, s.title AS source_title, s.url AS source_url, v.distance::float8 AS distance
  FROM vec v JOIN src s ON s.id = v.source_id
  ORDER BY v.distance, v.id`;
  return Object.assign(sql, { text });
}

/**
 * Full-text candidates, best first by ts_rank over all the query's terms (ts_rank_cd, cover density,
 * measured 10-20 times slower on chunks with a ten-term OR query, for little difference on passages
 * this short). Chunks are selected by `matchTerms` (see selectMatchTerms: common words rank but do not
 * select), at most TEXT_MATCH_CAP of them, so no word can make a search slow.
 */
function textStatement(tenantId: string, scope: SourceScope, matchTerms: readonly string[], rankTerms: readonly string[], limit: number): Statement & { text: string } {
  const sql = new Statement();
  const tenant = sql.param(tenantId);
  // Terms are letters and digits only (search-terms.ts); "or" is websearch syntax and never a term.
  const text = `WITH ${sourcesCte(sql, tenant, scope)},
  tsq AS MATERIALIZED (
    SELECT websearch_to_tsquery('simple', ${sql.param(matchTerms.join(' or '))}) AS match_query,
           websearch_to_tsquery('simple', ${sql.param(rankTerms.join(' or '))}) AS rank_query
  ),
  matched AS MATERIALIZED (
    SELECT c.id, c.source_id, c.ordinal, c.content, c.metadata, c.tsv FROM chunks c
    WHERE c.tenant_id = ${tenant}::uuid AND c.tsv @@ (SELECT match_query FROM tsq) AND c.source_id IN (SELECT id FROM src)
    LIMIT ${sql.param(TEXT_MATCH_CAP)}
  )
  SELECT m.id, m.source_id, m.ordinal, m.content, m.metadata, s.title AS source_title, s.url AS source_url,
         ts_rank(m.tsv, (SELECT rank_query FROM tsq), 1)::float8 AS text_score
  FROM matched m JOIN src s ON s.id = m.source_id
  ORDER BY text_score DESC, m.id
  LIMIT ${sql.param(limit)}`;
  return Object.assign(sql, { text });
}

/** Settings for the HNSW scan, local to the search's transaction. */
type VectorPlan = 'planner' | 'index' | 'exact';

/** Settings local to one search's transaction. */
async function setLocal(query: SqlQuery, settings: readonly (readonly [string, string])[]): Promise<void> {
  const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ');
  await query(`SELECT ${calls}`, settings.flat());
}

/**
 * No JIT compilation: these statements run in milliseconds, and compiling one costs a hundred or
 * more (measured: 210 ms, when a forced plan's cost passed jit_above_cost).
 */
const NO_JIT = ['jit', 'off'] as const;

function scanSettings(efSearch: number, plan: VectorPlan): (readonly [string, string])[] {
  // Iterative scans (pgvector 0.8) keep walking the graph until enough rows pass the tenant filter,
  // so a tenant sharing the index with bigger ones still gets its k results.
  const settings: (readonly [string, string])[] = [NO_JIT, ['hnsw.iterative_scan', 'relaxed_order'], ['hnsw.ef_search', String(efSearch)]];
  // The planner prices a distance like any operator, about a hundred times too cheap for a
  // 768-dimension vector, so it sorts a tenant's few thousand rows exactly (about 5 µs each, measured)
  // where the index answers in a few milliseconds. For tenants large enough (preferVectorIndex), a
  // sort is made the last resort: with the index it is not needed, without one it still runs.
  if (plan === 'index') settings.push(['enable_sort', 'off']);
  // Exact search (benchmarks, tests): no index, a sequential scan and a sort.
  if (plan === 'exact') settings.push(['enable_indexscan', 'off'], ['enable_bitmapscan', 'off']);
  return settings;
}

async function vectorCandidates(sql: SqlExecutor, tenantId: string, statement: Statement & { text: string }, efSearch: number, exact = false): Promise<VectorCandidate[]> {
  const plan: VectorPlan = exact ? 'exact' : preferVectorIndex(await cachedTermStatistics(sql), tenantId) ? 'index' : 'planner';
  return sql.transaction(async (query) => {
    await setLocal(query, scanSettings(efSearch, plan));
    return query<VectorCandidate>(statement.text, statement.values);
  });
}

function candidateCount(input: { k: number; candidates?: number }): number {
  return Math.max(1, Math.floor(input.candidates ?? Math.max(4 * input.k, 40)));
}

function efSearchFor(candidates: number, efSearch: number | undefined): number {
  return Math.min(MAX_EF_SEARCH, Math.max(1, Math.floor(efSearch ?? Math.max(100, candidates))));
}

/**
 * Hybrid search over one tenant's ready knowledge: pgvector cosine similarity and Postgres full-text
 * ranking each take their best `candidates` (two statements, run at once on two connections; the
 * full-text one starts while the query embedding may still be computed), fused here by reciprocal
 * rank. Always filtered by tenant and source scope; vector ranking only with an embedding, full text
 * only when the query has content words.
 */
export async function hybridSearch(sql: SqlExecutor, input: HybridSearchInput): Promise<HybridSearchResult> {
  const k = Math.max(1, Math.floor(input.k));
  const candidates = candidateCount(input);
  const terms = fullTextTermGroups(input.query);
  const embedding = Promise.resolve(input.embedding ?? null);
  const [vector, text] = await Promise.all([
    embedding.then((resolved) =>
      resolved ? vectorCandidates(sql, input.tenantId, vectorStatement(input.tenantId, input.scope, resolved, candidates), efSearchFor(candidates, input.efSearch)) : [],
    ),
    terms.length > 0 ? textCandidates(sql, input.tenantId, input.scope, terms, candidates) : Promise.resolve([]),
  ]);
  const embedded = (await embedding) !== null;
  const mode: SearchMode = embedded ? (terms.length > 0 ? 'hybrid' : 'vector') : terms.length > 0 ? 'text' : 'none';
  return { hits: fuseByReciprocalRank(vector, text, { k, minSimilarity: input.minSimilarity ?? -1 }), mode };
}

async function textCandidates(sql: SqlExecutor, tenantId: string, scope: SourceScope, groups: readonly (readonly string[])[], limit: number): Promise<TextCandidate[]> {
  const matchTerms = selectMatchTerms(groups, await cachedTermStatistics(sql), tenantId);
  const statement = textStatement(tenantId, scope, matchTerms, [...new Set(groups.flat())], limit);
  return sql.transaction(async (query) => {
    await setLocal(query, [NO_JIT]);
    return query<TextCandidate>(statement.text, statement.values);
  });
}

/**
 * Reciprocal rank fusion: each chunk scores Σ 1/(RRF_K + rank) over the rankings it appears in
 * (each list best first). Chunks only the vector side found need `minSimilarity`; ties go to the
 * better vector rank, then the better text rank.
 */
export function fuseByReciprocalRank(
  vector: readonly VectorCandidate[],
  text: readonly TextCandidate[],
  options: { k: number; minSimilarity: number },
): SearchHit[] {
  const byId = new Map<string, { row: CandidateRow; vectorRank: number | null; similarity: number | null; textRank: number | null; textScore: number | null }>();
  vector.forEach((row, i) => byId.set(row.id, { row, vectorRank: i + 1, similarity: 1 - Number(row.distance), textRank: null, textScore: null }));
  text.forEach((row, i) => {
    const entry = byId.get(row.id);
    if (entry) Object.assign(entry, { textRank: i + 1, textScore: Number(row.text_score) });
    else byId.set(row.id, { row, vectorRank: null, similarity: null, textRank: i + 1, textScore: Number(row.text_score) });
  });
  const rankScore = (rank: number | null) => (rank === null ? 0 : 1 / (RRF_K + rank));
  const hits = [...byId.values()]
    .filter((e) => e.textRank !== null || (e.similarity ?? -Infinity) >= options.minSimilarity)
    .map((e) => ({ ...e, score: rankScore(e.vectorRank) + rankScore(e.textRank) }));
  const last = Number.MAX_SAFE_INTEGER;
  hits.sort(
    (a, b) =>
      b.score - a.score ||
      (a.vectorRank ?? last) - (b.vectorRank ?? last) ||
      (a.textRank ?? last) - (b.textRank ?? last) ||
      (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0),
  );
  return hits.slice(0, options.k).map((e) => toHit(e.row, e));
}

export interface NearestChunksInput {
  tenantId: string;
  scope: SourceScope;
  embedding: QueryEmbedding;
  k: number;
  efSearch?: number;
  /** Ignore indexes: sequential scan and sort, the ground truth approximate search is measured against. */
  exact?: boolean;
}

/** The vector ranking alone (chunk ids nearest first, with cosine similarity): for recall measurements. */
export async function nearestChunks(sql: SqlExecutor, input: NearestChunksInput): Promise<{ chunkId: string; similarity: number }[]> {
  const k = Math.max(1, Math.floor(input.k));
  const rows = await vectorCandidates(sql, input.tenantId, vectorStatement(input.tenantId, input.scope, input.embedding, k), efSearchFor(k, input.efSearch), input.exact ?? false);
  return rows.map((row) => ({ chunkId: row.id, similarity: 1 - Number(row.distance) }));
}

function metadataOf(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    try {
      return metadataOf(JSON.parse(value));
    } catch {
      return {};
    }
  }
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function toHit(
  row: CandidateRow,
  ranks: { score: number; vectorRank: number | null; similarity: number | null; textRank: number | null; textScore: number | null },
): SearchHit {
  const metadata = metadataOf(row.metadata);
  const url = nonEmptyString(metadata.url) ?? row.source_url ?? undefined;
  const page = typeof metadata.page === 'number' && Number.isInteger(metadata.page) ? metadata.page : undefined;
  const heading = nonEmptyString(metadata.heading);
  return {
    chunkId: row.id,
    sourceId: row.source_id,
    title: nonEmptyString(metadata.title) ?? row.source_title,
    ...(url ? { url } : {}),
    sourceTitle: row.source_title,
    sourceUrl: row.source_url,
    ...(page !== undefined ? { page } : {}),
    ...(heading ? { heading } : {}),
    ordinal: Number(row.ordinal),
    content: row.content,
    metadata,
    score: ranks.score,
    vectorRank: ranks.vectorRank,
    similarity: ranks.similarity,
    textRank: ranks.textRank,
    textScore: ranks.textScore,
  };
}
