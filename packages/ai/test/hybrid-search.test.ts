import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { chunkEmbeddingIndexSql, createTestDatabase, type TestDatabase } from '@babble-buddy/db';
import { fakeEmbedding, seedKnowledgeSource } from '@babble-buddy/testing';
import { hybridSearch, nearestChunks, pgPoolExecutor, readTermStatistics, type QueryEmbedding, type SqlExecutor } from '../src';

const BASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const NOMIC = 'ollama:nomic-embed-text';

const REFUNDS = [
  'Refunds are issued within 14 days of purchase. To request a refund, email billing with your order number.',
  'Refunds for annual plans are prorated to the remaining months of the subscription.',
];
const SHIPPING = [
  'We ship worldwide. Standard shipping takes five business days and express shipping takes two days.',
  'Shipping is free for orders above fifty euros within the European Union.',
];
const PASSWORDS = ['To reset your password, open Settings, choose Security and click Reset password. A reset link arrives by email.'];

function embed(text: string, dims = 768, model = NOMIC): QueryEmbedding {
  return { vector: fakeEmbedding(text, dims), model };
}

describe('hybrid search (real Postgres + pgvector)', () => {
  let database: TestDatabase;
  let pool: Pool;
  let sql: SqlExecutor;
  const tenantA = randomUUID();
  const tenantB = randomUUID();
  const tenantText = randomUUID();
  const tenantSmall = randomUUID();
  const agentA = randomUUID();
  const otherAgentA = randomUUID();
  const sources: Record<string, string> = {};

  const exec = (text: string, values: unknown[]) => pool.query(text, values);

  beforeAll(async () => {
    database = await createTestDatabase(BASE_URL);
    pool = new Pool({ connectionString: database.url, max: 3 });
    sql = pgPoolExecutor(pool);
    for (const [id, name] of [[tenantA, 'A'], [tenantB, 'B'], [tenantText, 'Text'], [tenantSmall, 'Small']] as const) {
      await exec(`INSERT INTO tenants (id, name, slug, updated_at) VALUES ($1, $2, $3, now())`, [id, name, `${name.toLowerCase()}-${id.slice(0, 6)}`]);
    }
    for (const [id, tenant] of [[agentA, tenantA], [otherAgentA, tenantA]] as const) {
      await exec(`INSERT INTO agents (id, tenant_id, name, system_prompt, updated_at) VALUES ($1, $2, 'Agent', '', now())`, [id, tenant]);
    }
    sources.refunds = (await seedKnowledgeSource(exec, { tenantId: tenantA, title: 'Refund policy', url: 'https://a.example/refunds', chunks: REFUNDS.map((content, i) => ({ content, metadata: { page: i + 1 } })) })).sourceId;
    sources.shipping = (await seedKnowledgeSource(exec, { tenantId: tenantA, title: 'Shipping guide', chunks: SHIPPING.map((content) => ({ content, metadata: { heading: 'Delivery' } })) })).sourceId;
    sources.passwords = (await seedKnowledgeSource(exec, { tenantId: tenantA, title: 'Password help', agentId: agentA, chunks: PASSWORDS })).sourceId;
    sources.pending = (await seedKnowledgeSource(exec, { tenantId: tenantA, title: 'Pending upload', status: 'embedding', chunks: ['Refunds pending document: refund refund refund.'] })).sourceId;
    sources.oldModel = (await seedKnowledgeSource(exec, { tenantId: tenantA, title: 'Old model', embedding: { model: 'openai:text-embedding-3-small', dims: 768 }, chunks: ['Warranty covers refunds of broken devices for two years.'] })).sourceId;
    // Tenant B holds near-copies of A's refund text: a missing tenant filter would surface them first.
    sources.bRefunds = (await seedKnowledgeSource(exec, { tenantId: tenantB, title: 'B refunds', chunks: ['Refunds are issued within 14 days of purchase at tenant B, email billing.'] })).sourceId;
    sources.text = (await seedKnowledgeSource(exec, { tenantId: tenantText, title: 'Handbook', embedding: null, chunks: ['Holiday requests go to the team lead two weeks ahead.', 'Expense reports are due on the fifth of each month.'] })).sourceId;
    sources.small = (await seedKnowledgeSource(exec, { tenantId: tenantSmall, title: 'Small model doc', embedding: { model: 'ollama:all-minilm', dims: 384 }, chunks: ['Parking is available in the basement garage.', 'The cafeteria opens at eight in the morning.'] })).sourceId;
    await exec('ANALYZE chunks', []);
  });

  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  it('finds the passage that answers the question, first, with both rankings fused', async () => {
    const query = 'How do I request a refund for my order?';
    const { hits, mode } = await hybridSearch(sql, { tenantId: tenantA, scope: { agentId: null }, query, embedding: embed(query), k: 3 });
    expect(mode).toBe('hybrid');
    expect(hits[0]).toMatchObject({ sourceId: sources.refunds, title: 'Refund policy', url: 'https://a.example/refunds', page: 1, vectorRank: 1, textRank: 1 });
    expect(hits[0]!.content).toBe(REFUNDS[0]);
    // Ranked first by both: 1/(60+1) from each side.
    expect(hits[0]!.score).toBeCloseTo(2 / 61, 10);
    expect(hits.map((h) => h.score)).toEqual([...hits.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('never returns another tenant’s chunks, however close they are', async () => {
    const query = 'Refunds are issued within 14 days of purchase at tenant B, email billing.';
    const a = await hybridSearch(sql, { tenantId: tenantA, scope: 'all', query, embedding: embed(query), k: 20 });
    expect(a.hits.length).toBeGreaterThan(0);
    expect(a.hits.map((h) => h.sourceId)).not.toContain(sources.bRefunds);
    const b = await hybridSearch(sql, { tenantId: tenantB, scope: 'all', query: 'refunds password shipping', embedding: embed('refunds password shipping'), k: 20 });
    expect(new Set(b.hits.map((h) => h.sourceId))).toEqual(new Set([sources.bRefunds]));
    const exact = await nearestChunks(sql, { tenantId: tenantB, scope: 'all', embedding: embed('refund'), k: 20, exact: true });
    expect(exact).toHaveLength(1);
  });

  it('an agent sees tenant-wide sources and its own, not another agent’s', async () => {
    const query = 'How do I reset my password?';
    const search = (scope: { agentId: string | null } | 'all') => hybridSearch(sql, { tenantId: tenantA, scope, query, embedding: embed(query), k: 10 });
    expect((await search({ agentId: agentA })).hits[0]?.sourceId).toBe(sources.passwords);
    expect((await search('all')).hits[0]?.sourceId).toBe(sources.passwords);
    for (const scope of [{ agentId: otherAgentA }, { agentId: null }]) {
      const { hits } = await search(scope);
      expect(hits.map((h) => h.sourceId)).not.toContain(sources.passwords);
    }
  });

  it('searches only ready sources', async () => {
    const query = 'refund';
    const { hits } = await hybridSearch(sql, { tenantId: tenantA, scope: 'all', query, embedding: embed(query), k: 20 });
    expect(hits.map((h) => h.sourceId)).not.toContain(sources.pending);
  });

  it('skips chunks of another embedding model in the vector ranking, but still matches their words', async () => {
    const query = 'warranty refunds broken devices';
    const { hits } = await hybridSearch(sql, { tenantId: tenantA, scope: 'all', query, embedding: embed(query), k: 20 });
    const old = hits.find((h) => h.sourceId === sources.oldModel);
    expect(old).toMatchObject({ vectorRank: null, similarity: null, textRank: 1 });
  });

  it('full text only when there is no embedding', async () => {
    const { hits, mode } = await hybridSearch(sql, { tenantId: tenantText, scope: { agentId: null }, query: 'When are expense reports due?', k: 5 });
    expect(mode).toBe('text');
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ sourceId: sources.text, vectorRank: null, textRank: 1 });
    expect(hits[0]!.content).toContain('Expense reports');
  });

  it('matches singular and plural forms in full text', async () => {
    const { hits } = await hybridSearch(sql, { tenantId: tenantText, scope: 'all', query: 'expense report', k: 5 });
    expect(hits[0]?.content).toContain('Expense reports');
  });

  it('no content words and no embedding: nothing to search, no query sent', async () => {
    const result = await hybridSearch({ query: () => Promise.reject(new Error('no query expected')), transaction: () => Promise.reject(new Error('no query expected')) }, {
      tenantId: tenantA,
      scope: 'all',
      query: 'what is it?',
      k: 5,
    });
    expect(result).toEqual({ hits: [], mode: 'none' });
  });

  it('takes any text safely: operators, quotes, markup and other scripts reach Postgres as data', async () => {
    for (const query of [`C++ & <script>alert('x')</script> -minus OR "phrase" 100% :* !!`, 'Что такое возврат?', '返金ポリシー', "'; DROP TABLE chunks; --"]) {
      const result = await hybridSearch(sql, { tenantId: tenantA, scope: 'all', query, embedding: embed(query), k: 3 });
      expect(Array.isArray(result.hits)).toBe(true);
    }
    const count = await pool.query('SELECT count(*)::int AS n FROM chunks');
    expect(count.rows[0].n).toBeGreaterThan(0);
  });

  it('drops vector-only hits below the similarity floor, keeps word matches', async () => {
    const query = 'zebra giraffe savanna';
    const loose = await hybridSearch(sql, { tenantId: tenantA, scope: 'all', query, embedding: embed(query), k: 5 });
    expect(loose.hits.length).toBeGreaterThan(0); // nearest neighbours always exist…
    const strict = await hybridSearch(sql, { tenantId: tenantA, scope: 'all', query, embedding: embed(query), k: 5, minSimilarity: 0.3 });
    expect(strict.hits).toEqual([]); // …but none is similar enough
    const words = await hybridSearch(sql, { tenantId: tenantA, scope: 'all', query: 'zebra shipping', embedding: embed('zebra shipping'), k: 5, minSimilarity: 0.99 });
    expect(words.hits.map((h) => h.sourceId)).toContain(sources.shipping);
  });

  it('other dimensions (384) search correctly with no index, and the same once the index exists', async () => {
    const query = 'Where can I park my car?';
    const run = () => hybridSearch(sql, { tenantId: tenantSmall, scope: 'all', query, embedding: embed(query, 384, 'ollama:all-minilm'), k: 2 });
    const before = await run();
    expect(before.hits[0]?.content).toContain('Parking');
    // The index ingestion creates for a new dimension, as packages/db defines it: the query can use it.
    await exec(chunkEmbeddingIndexSql(384)!, []);
    const after = await run();
    expect(after.hits.map((h) => h.chunkId)).toEqual(before.hits.map((h) => h.chunkId));
    const plans = await vectorPlans((explaining) => nearestChunks(explaining, { tenantId: tenantSmall, scope: 'all', embedding: embed(query, 384, 'ollama:all-minilm'), k: 2 }));
    expect(plans[0]).toContain('Index Scan using chunks_embedding_hnsw_384');
  });

  /**
   * The plans of the vector statements `run` makes, explained under settings that rule out every other
   * plan: what remains is the HNSW index, if the query can use it, or a plan without it.
   */
  async function vectorPlans(run: (explaining: SqlExecutor) => Promise<unknown>): Promise<string[]> {
    const plans: string[] = [];
    const explaining: SqlExecutor = {
      query: sql.query,
      transaction: (work) =>
        sql.transaction((query) =>
          work(async <Row>(text: string, values: readonly unknown[]) => {
            if (!text.startsWith('WITH') || !text.includes('<=>')) return query<Row>(text, values);
            await query("SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)", []);
            const rows = await query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
            plans.push(rows.map((r) => r['QUERY PLAN']).join('\n'));
            return [];
          }),
        ),
    };
    await run(explaining);
    return plans;
  }

  it('the vector query matches the per-dimension partial HNSW index (the planner can use it)', async () => {
    const plans = [
      ...(await vectorPlans((explaining) => nearestChunks(explaining, { tenantId: tenantA, scope: 'all', embedding: embed('refund'), k: 5 }))),
      ...(await vectorPlans((explaining) => hybridSearch(explaining, { tenantId: tenantA, scope: 'all', query: 'refund', embedding: embed('refund'), k: 5 }))),
    ];
    expect(plans).toHaveLength(2);
    for (const plan of plans) expect(plan).toContain('Index Scan using chunks_embedding_hnsw_768');
  });

  it('a word in most of a big tenant’s chunks ranks but does not select; rare words select, and a lone common word still finds', async () => {
    const big = randomUUID();
    await exec(`INSERT INTO tenants (id, name, slug, updated_at) VALUES ($1, 'Big', $2, now())`, [big, `big-${big.slice(0, 6)}`]);
    const filler = Array.from({ length: 1500 }, (_, i) => `Widget manual page ${i}: the widget works as designed.`);
    await seedKnowledgeSource(exec, { tenantId: big, title: 'Widget manual', embedding: null, chunks: filler });
    const special = await seedKnowledgeSource(exec, { tenantId: big, title: 'Flux notes', embedding: null, chunks: ['The flux capacitor of the widget needs calibration.'] });
    await exec('ANALYZE chunks', []);
    // Statistics are cached per executor: a new one reads them after this ANALYZE.
    const analysed = pgPoolExecutor(pool);
    expect((await readTermStatistics(analysed)).termShare.get('widget')).toBeGreaterThan(0.5);
    const rare = await hybridSearch(analysed, { tenantId: big, scope: 'all', query: 'widget flux calibration', k: 10 });
    // "widget" is in every chunk: only the chunk with the rarer words is considered, and it comes first.
    expect(rare.hits.map((h) => h.sourceId)).toEqual([special.sourceId]);
    const common = await hybridSearch(analysed, { tenantId: big, scope: 'all', query: 'widget', k: 10 });
    expect(common.hits).toHaveLength(10);
    // The other tenants (not in the statistics' common values) are unaffected: every word still selects.
    const small = await hybridSearch(analysed, { tenantId: tenantA, scope: 'all', query: 'shipping refunds', k: 10 });
    expect(new Set(small.hits.map((h) => h.sourceId))).toEqual(new Set([sources.shipping, sources.refunds, sources.oldModel]));
  });

  it('approximate (HNSW) and exact nearest neighbours agree on a small corpus', async () => {
    const embedding = embed('shipping express days');
    const approximate = await nearestChunks(sql, { tenantId: tenantA, scope: 'all', embedding, k: 4 });
    const exact = await nearestChunks(sql, { tenantId: tenantA, scope: 'all', embedding, k: 4, exact: true });
    expect(approximate.map((n) => n.chunkId)).toEqual(exact.map((n) => n.chunkId));
    expect(exact[0]!.similarity).toBeGreaterThan(exact[3]!.similarity);
  });
});
