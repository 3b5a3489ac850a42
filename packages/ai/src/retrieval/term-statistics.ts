import type { SqlExecutor } from './hybrid-search';

/** A word expected in more of the tenant's chunks than this is "common": it ranks, but does not select. */
export const COMMON_TERM_MATCHES = 300;
/** Statistics change when Postgres analyses the table; re-read them this often (in the background). */
const STATISTICS_MAX_AGE_MS = 5 * 60_000;

/**
 * What Postgres' planner statistics say about the chunks table: how many rows it has, the share of
 * them each of the most common tenants owns, and the share holding each of the most common words
 * (ANALYZE keeps about a thousand). Enough to tell which words of a question are too common to select
 * chunks by, without counting anything.
 */
export interface TermStatistics {
  rows: number;
  tenantShare: ReadonlyMap<string, number>;
  termShare: ReadonlyMap<string, number>;
}

export const NO_STATISTICS: TermStatistics = { rows: 0, tenantShare: new Map(), termShare: new Map() };

interface StatsRow {
  attname: string;
  vals: string[] | null;
  freqs: number[] | null;
  elems: string[] | null;
  elem_freqs: number[] | null;
  reltuples: number | null;
}

function zip(keys: readonly string[] | null, values: readonly number[] | null): Map<string, number> {
  const map = new Map<string, number>();
  if (!keys || !values) return map;
  keys.forEach((key, i) => {
    const value = values[i];
    if (value !== undefined) map.set(key, Number(value));
  });
  return map;
}

export async function readTermStatistics(sql: SqlExecutor): Promise<TermStatistics> {
  const rows = await sql.query<StatsRow>(
    `SELECT attname, most_common_vals::text::text[] AS vals, most_common_freqs AS freqs,
            most_common_elems::text::text[] AS elems, most_common_elem_freqs AS elem_freqs,
            (SELECT GREATEST(reltuples, 0)::float8 FROM pg_class WHERE oid = 'chunks'::regclass) AS reltuples
     FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'chunks' AND attname IN ('tenant_id', 'tsv')`,
    [],
  );
  const tenant = rows.find((row) => row.attname === 'tenant_id');
  const tsv = rows.find((row) => row.attname === 'tsv');
  return {
    rows: Number(rows[0]?.reltuples ?? 0),
    tenantShare: zip(tenant?.vals ?? null, tenant?.freqs ?? null),
    termShare: zip(tsv?.elems ?? null, tsv?.elem_freqs ?? null),
  };
}

interface CacheEntry {
  loadedAt: number;
  current: Promise<TermStatistics>;
  refreshing: boolean;
}
const cache = new WeakMap<SqlExecutor, CacheEntry>();

/**
 * The statistics for a database, read once per executor and then refreshed in the background every
 * few minutes, so searches never wait on them again. A failed read counts as "no statistics" (every
 * word selects; the match cap still bounds the work).
 */
export function cachedTermStatistics(sql: SqlExecutor, now = Date.now()): Promise<TermStatistics> {
  const entry = cache.get(sql);
  if (!entry) {
    const current = readTermStatistics(sql).catch(() => NO_STATISTICS);
    cache.set(sql, { loadedAt: now, current, refreshing: false });
    return current;
  }
  if (now - entry.loadedAt > STATISTICS_MAX_AGE_MS && !entry.refreshing) {
    entry.refreshing = true;
    readTermStatistics(sql)
      .then((fresh) => {
        entry.current = Promise.resolve(fresh);
        entry.loadedAt = Date.now();
      })
      .catch(() => undefined)
      .finally(() => {
        entry.refreshing = false;
      });
  }
  return entry.current;
}

/**
 * Which terms select chunks and which only rank them ("common terms" practice). A word (with its
 * plural/singular forms) expected in more than COMMON_TERM_MATCHES of the tenant's chunks — its share
 * of rows in the statistics times the tenant's rows — only adds to the rank of chunks matching a
 * rarer word; when every word is common, the rarest one selects. Tenants too small to be among the
 * statistics' common values, and tables without statistics, select by every word.
 */
export function selectMatchTerms(groups: readonly (readonly string[])[], stats: TermStatistics, tenantId: string): string[] {
  const tenantRows = (stats.tenantShare.get(tenantId) ?? 0) * stats.rows;
  const expected = groups.map((group) => Math.max(0, ...group.map((term) => (stats.termShare.get(term) ?? 0) * tenantRows)));
  const rare = groups.filter((_, i) => (expected[i] ?? 0) <= COMMON_TERM_MATCHES);
  if (rare.length > 0) return rare.flat();
  let rarest = 0;
  expected.forEach((value, i) => {
    if (value < (expected[rarest] ?? Infinity)) rarest = i;
  });
  return [...(groups[rarest] ?? [])];
}

/** Below this many rows, an exact scan of a tenant's vectors costs no more than an index search. */
export const INDEX_MIN_TENANT_ROWS = 1000;
/**
 * Below this share of the table, an index search wades through too many other tenants' rows (the
 * iterative scan reads about 1/share rows per match): the planner's choice stands.
 */
export const INDEX_MIN_TENANT_SHARE = 0.02;

/**
 * Whether the vector search should use the HNSW index whatever the planner estimates: the tenant has
 * enough rows for an exact scan to be slower, and enough of the table for the index search to find
 * its rows quickly. Tenants outside the statistics' common values (small ones) are left to the planner.
 */
export function preferVectorIndex(stats: TermStatistics, tenantId: string): boolean {
  const share = stats.tenantShare.get(tenantId) ?? 0;
  return share >= INDEX_MIN_TENANT_SHARE && share * stats.rows >= INDEX_MIN_TENANT_ROWS;
}
