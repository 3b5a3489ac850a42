import { fullTextQuery } from './search-terms';

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
  /** The query's embedding; omit to search by full text only (no embedding model, or the embedder is down). */
  embedding?: QueryEmbedding;
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
  /** 1-based rank by full-text relevance (ts_rank_cd), `null` when the words did not match. */
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

interface HitRow {
  id: string;
  source_id: string;
  ordinal: number;
  content: string;
  metadata: unknown;
  source_title: string;
  source_url: string | null;
  score: number;
  vector_rank: number | null;
  similarity: number | null;
  text_rank: number | null;
  text_score: number | null;
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
function sourcesCte(sql: Statement, tenantId: string, scope: SourceScope): string {
  const tenant = sql.param(tenantId);
  const agent = scope === 'all' ? 'TRUE' : scope.agentId === null ? 'agent_id IS NULL' : `(agent_id IS NULL OR agent_id = ${sql.param(scope.agentId)}::uuid)`;
  return `src AS MATERIALIZED (
    SELECT id, title, url FROM knowledge_sources
    WHERE tenant_id = ${tenant}::uuid AND status = 'ready' AND ${agent}
  )`;
}

/**
 * Nearest chunks by cosine distance. The expression and predicate match the partial HNSW indexes
 * (`(embedding::vector(N)) vector_cosine_ops WHERE embedding_dims = N`), so the planner can use the
 * index of that dimension; without one (or for a small tenant, when cheaper) it scans exactly.
 */
function vectorCte(sql: Statement, tenantId: string, embedding: QueryEmbedding, limit: number): string {
  const dims = embedding.vector.length;
  const literal = vectorLiteral(embedding.vector);
  const query = `${sql.param(literal)}::vector(${dims})`;
  return `vec AS MATERIALIZED (
    SELECT c.id, (c.embedding::vector(${dims}) <=> ${query}) AS distance
    FROM chunks c
    WHERE c.embedding_dims = ${dims} AND c.tenant_id = ${sql.param(tenantId)}::uuid
      AND c.embedding_model = ${sql.param(embedding.model)} AND c.source_id IN (SELECT id FROM src)
    ORDER BY c.embedding::vector(${dims}) <=> ${query}
    LIMIT ${sql.param(limit)}
  )`;
}

function textCte(sql: Statement, tenantId: string, tsQuery: string, limit: number): string {
  return `txt AS MATERIALIZED (
    SELECT c.id, ts_rank_cd(c.tsv, q.query, 1) AS text_score
    FROM chunks c, websearch_to_tsquery('simple', ${sql.param(tsQuery)}) AS q(query)
    WHERE c.tenant_id = ${sql.param(tenantId)}::uuid AND c.tsv @@ q.query AND c.source_id IN (SELECT id FROM src)
    ORDER BY text_score DESC, c.id
    LIMIT ${sql.param(limit)}
  )`;
}

/** Settings for the HNSW scan, local to the search's transaction. */
async function applyScanSettings(query: SqlQuery, efSearch: number, exact: boolean): Promise<void> {
  // Iterative scans (pgvector 0.8) keep walking the graph until enough rows pass the tenant filter,
  // so a tenant sharing the index with bigger ones still gets its k results. Relaxed order: the
  // statement re-sorts the candidates by distance itself.
  const settings: [string, string][] = [
    ['hnsw.iterative_scan', 'relaxed_order'],
    ['hnsw.ef_search', String(efSearch)],
  ];
  // Exact search (benchmarks, tests): no index, a sequential scan and a sort.
  if (exact) settings.push(['enable_indexscan', 'off'], ['enable_bitmapscan', 'off']);
  const calls = settings.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ');
  await query(`SELECT ${calls}`, settings.flat());
}

function candidateCount(input: { k: number; candidates?: number }): number {
  return Math.max(1, Math.floor(input.candidates ?? Math.max(4 * input.k, 40)));
}

function efSearchFor(candidates: number, efSearch: number | undefined): number {
  return Math.min(MAX_EF_SEARCH, Math.max(1, Math.floor(efSearch ?? Math.max(100, candidates))));
}

/**
 * Hybrid search over one tenant's ready knowledge: pgvector cosine similarity and Postgres full-text
 * ranking, each taking its best `candidates`, fused by reciprocal rank. Always filtered by tenant and
 * source scope; vector ranking only with an embedding, full-text only when the query has content words.
 * One statement, so one round trip (plus the transaction's settings when the vector side runs).
 */
export async function hybridSearch(sql: SqlExecutor, input: HybridSearchInput): Promise<HybridSearchResult> {
  const k = Math.max(1, Math.floor(input.k));
  const candidates = candidateCount(input);
  const tsQuery = fullTextQuery(input.query);
  const embedding = input.embedding;
  const mode: SearchMode = embedding ? (tsQuery ? 'hybrid' : 'vector') : tsQuery ? 'text' : 'none';
  if (mode === 'none') return { hits: [], mode };

  const statement = new Statement();
  const ctes = [sourcesCte(statement, input.tenantId, input.scope)];
  if (embedding) {
    ctes.push(vectorCte(statement, input.tenantId, embedding, candidates));
    ctes.push(`vec_ranked AS (SELECT id, distance, row_number() OVER (ORDER BY distance, id)::int AS rank FROM vec)`);
  } else {
    ctes.push(`vec_ranked AS (SELECT NULL::uuid AS id, NULL::float8 AS distance, NULL::int AS rank WHERE FALSE)`);
  }
  if (tsQuery) {
    ctes.push(textCte(statement, input.tenantId, tsQuery, candidates));
    ctes.push(`txt_ranked AS (SELECT id, text_score, row_number() OVER (ORDER BY text_score DESC, id)::int AS rank FROM txt)`);
  } else {
    ctes.push(`txt_ranked AS (SELECT NULL::uuid AS id, NULL::real AS text_score, NULL::int AS rank WHERE FALSE)`);
  }
  const minSimilarity = statement.param(input.minSimilarity ?? -1);
  ctes.push(`fused AS (
    SELECT COALESCE(v.id, t.id) AS id, v.rank AS vector_rank, (1 - v.distance)::float8 AS similarity,
           t.rank AS text_rank, t.text_score::float8 AS text_score,
           (COALESCE(1.0 / (${RRF_K} + v.rank), 0) + COALESCE(1.0 / (${RRF_K} + t.rank), 0))::float8 AS score
    FROM vec_ranked v FULL OUTER JOIN txt_ranked t ON t.id = v.id
    WHERE t.id IS NOT NULL OR (1 - v.distance) >= ${minSimilarity}::float8
  )`);
  const text = `WITH ${ctes.join(',\n')}
    SELECT f.id, c.source_id, c.ordinal, c.content, c.metadata, s.title AS source_title, s.url AS source_url,
           f.score, f.vector_rank, f.similarity, f.text_rank, f.text_score
    FROM fused f JOIN chunks c ON c.id = f.id JOIN src s ON s.id = c.source_id
    ORDER BY f.score DESC, f.vector_rank ASC NULLS LAST, f.text_rank ASC NULLS LAST, f.id
    LIMIT ${statement.param(k)}`;

  const rows = embedding
    ? await sql.transaction(async (query) => {
        await applyScanSettings(query, efSearchFor(candidates, input.efSearch), false);
        return query<HitRow>(text, statement.values);
      })
    : await sql.query<HitRow>(text, statement.values);
  return { hits: rows.map(toHit), mode };
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
  const statement = new Statement();
  const k = Math.max(1, Math.floor(input.k));
  const text = `WITH ${sourcesCte(statement, input.tenantId, input.scope)}, ${vectorCte(statement, input.tenantId, input.embedding, k)}
    SELECT id, (1 - distance)::float8 AS similarity FROM vec ORDER BY distance, id`;
  const rows = await sql.transaction(async (query) => {
    await applyScanSettings(query, efSearchFor(k, input.efSearch), input.exact ?? false);
    return query<{ id: string; similarity: number }>(text, statement.values);
  });
  return rows.map((row) => ({ chunkId: row.id, similarity: Number(row.similarity) }));
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

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function toHit(row: HitRow): SearchHit {
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
    score: Number(row.score),
    vectorRank: numberOrNull(row.vector_rank),
    similarity: numberOrNull(row.similarity),
    textRank: numberOrNull(row.text_rank),
    textScore: numberOrNull(row.text_score),
  };
}
