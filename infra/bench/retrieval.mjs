import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isStopping, onCleanup, throwIfStopping } from './lib/cleanup.mjs';
import { integerOption } from './lib/args.mjs';
import { progress } from './lib/progress.mjs';
import { machineInfo, writeResults } from './lib/results.mjs';
import { round, roundSummary, summarize } from './lib/stats.mjs';
import { ms, renderTable } from './lib/table.mjs';
import { requireBuilt, ROOT, SetupError } from './lib/workspace.mjs';

export const description = 'hybrid search p50/p99 latency and HNSW recall@10 vs exact search, 100,000 chunks for one tenant among others';

const USAGE = `Usage: pnpm bench retrieval [--chunks 100000] [--others 4] [--other-chunks 10000] [--queries 300] [--recall-queries 100] [--ef-search N] [--database URL] [--keep]

  --chunks          chunks of the measured tenant (default 100000)
  --others          other tenants sharing the tables and the index (default 4)
  --other-chunks    chunks per other tenant (default 10000)
  --queries         timed searches of each kind: hybrid, vector-only, text-only (default 300, after 30 warm-up searches)
  --recall-queries  queries compared against exact search for recall@10 (default 100)
  --ef-search       HNSW ef_search for every search (default: what the gateway uses)
  --database URL    measure a database a previous --keep run loaded (skips loading)
  --keep            keep the database (its URL is printed) instead of dropping it

Env: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres).`;

const DIMS = 768;
const MODEL = 'ollama:nomic-embed-text';
const K = 10;
const CHUNKS_PER_SOURCE = 200;
const INSERT_BATCH = 400;
const TARGETS = { p50Ms: 10, recallAt10: 0.95 };
const WARMUP_QUERIES = 30;

/**
 * A synthetic corpus with structure, so nearest neighbours mean something: chunks belong to topics,
 * topics to domains (as pages of a manual belong to chapters); a chunk is written mostly with its
 * topic's and domain's words plus a Zipf-distributed general vocabulary (the words every document
 * uses). A query names a topic with a few of its words, a domain word and a general word, as
 * questions do. Seeded, so every run loads the same data.
 */
const DOMAINS = 100;
const TOPICS = 2000;
const DOMAIN_WORDS = 30;
const TOPIC_WORDS = 12;
const GENERAL_WORDS = 6000;
const CHUNK_WORDS = [40, 90];
const MIX = { topic: 0.45, domain: 0.25 };

function rng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = 'ka lo mi ne ru sa te vi zo ba de fi go hu ja ke li mo nu pa qui ra se ti vu wa xe yo zu bra cle dri fro glu pla pre sko stu tra'.split(' ');

function buildVocabulary() {
  const random = rng(42);
  const seen = new Set();
  const unique = (syllables) => {
    for (;;) {
      let candidate = '';
      for (let i = 0; i < syllables; i++) candidate += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
      if (!seen.has(candidate)) {
        seen.add(candidate);
        return candidate;
      }
    }
  };
  // 35³ three-syllable words and 35⁴ four-syllable ones: plenty to draw unique words from.
  const general = Array.from({ length: GENERAL_WORDS }, () => unique(3));
  const domains = Array.from({ length: DOMAINS }, () => Array.from({ length: DOMAIN_WORDS }, () => unique(4)));
  const topics = Array.from({ length: TOPICS }, (_, i) => ({ domain: i % DOMAINS, words: Array.from({ length: TOPIC_WORDS }, () => unique(4)) }));
  // Zipf(1) over the general vocabulary: cumulative weights, sampled by binary search.
  const cumulative = [];
  let total = 0;
  for (let rank = 1; rank <= GENERAL_WORDS; rank++) cumulative.push((total += 1 / rank));
  const zipf = (random) => {
    const target = random() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid] < target) low = mid + 1;
      else high = mid;
    }
    return general[low];
  };
  return { topics, domains, zipf };
}

const pick = (random, list) => list[Math.floor(random() * list.length)];

function chunkText(vocabulary, random, topicIndex) {
  const topic = vocabulary.topics[topicIndex];
  const length = CHUNK_WORDS[0] + Math.floor(random() * (CHUNK_WORDS[1] - CHUNK_WORDS[0]));
  const words = [];
  for (let i = 0; i < length; i++) {
    const r = random();
    words.push(r < MIX.topic ? pick(random, topic.words) : r < MIX.topic + MIX.domain ? pick(random, vocabulary.domains[topic.domain]) : vocabulary.zipf(random));
  }
  return `${words.join(' ')}.`;
}

function queryText(vocabulary, random) {
  const topic = pick(random, vocabulary.topics);
  const picked = new Set();
  while (picked.size < 3) picked.add(pick(random, topic.words));
  return `${[...picked].join(' ')} ${pick(random, vocabulary.domains[topic.domain])} ${vocabulary.zipf(random)}`;
}

export async function run(argv) {
  const options = parseOptions(argv);
  if (!options) return;
  const startedAt = Date.now();
  const machine = machineInfo();
  const { createTestDatabase } = requireBuilt('packages/db/dist/index.js', '@babble-buddy/db');
  const ai = requireBuilt('packages/ai/dist/index.js', '@babble-buddy/ai');
  const { fakeEmbedding } = requireBuilt('packages/testing/dist/index.js', '@babble-buddy/testing');
  const { Pool } = createRequire(join(ROOT, 'packages', 'db', 'package.json'))('pg');

  let databaseUrl = options.database;
  if (!databaseUrl) {
    const baseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
    let database;
    try {
      database = await createTestDatabase(baseUrl);
    } catch (error) {
      throw new SetupError(`cannot create a database from ${baseUrl} (is Postgres with pgvector running? set DATABASE_URL): ${error.message}`);
    }
    databaseUrl = database.url;
    if (options.keep) log(`database kept: ${databaseUrl} (measure again with --database ${databaseUrl})`);
    else onCleanup(async () => {
      await database.drop();
      log(`dropped database ${database.name}`);
    });
  }
  const pool = new Pool({ connectionString: databaseUrl, max: 4 });
  onCleanup(() => pool.end());
  const sql = ai.pgPoolExecutor(pool);
  const vocabulary = buildVocabulary();

  const loaded = await existingCorpus(pool);
  const corpus = loaded ?? (await loadCorpus(pool, vocabulary, fakeEmbedding, options));
  const indexes = await indexDefinitions(pool);

  const random = rng(7);
  // Every timed search gets a query of its own: a query searched twice would find its pages cached.
  const queries = Array.from({ length: WARMUP_QUERIES + 3 * options.queries }, () => {
    const text = queryText(vocabulary, random);
    return { text, embedding: { vector: fakeEmbedding(text, DIMS), model: MODEL } };
  });
  const scope = { agentId: null };
  const ef = options.efSearch ? { efSearch: options.efSearch } : {};
  const kinds = {
    hybrid: (query) => ai.hybridSearch(sql, { tenantId: corpus.tenantId, scope, query: query.text, embedding: query.embedding, k: K, ...ef }),
    vector: (query) => ai.nearestChunks(sql, { tenantId: corpus.tenantId, scope, embedding: query.embedding, k: K * 4, ...ef }),
    text: (query) => ai.hybridSearch(sql, { tenantId: corpus.tenantId, scope, query: query.text, k: K }),
  };

  const warm = progress('warm-up searches', WARMUP_QUERIES);
  for (const query of queries.slice(0, WARMUP_QUERIES)) {
    await kinds.hybrid(query);
    warm.tick();
  }
  const measured = queries.slice(WARMUP_QUERIES);

  const timings = { hybrid: [], hybridRepeated: [], vector: [], text: [] };
  const emptyResults = { hybrid: 0 };
  const bar = progress('timed searches (hybrid, vector-only, text-only, interleaved)', measured.length);
  for (const [i, query] of measured.entries()) {
    throwIfStopping();
    const kind = ['hybrid', 'vector', 'text'][i % 3];
    const t = performance.now();
    const result = await kinds[kind](query);
    timings[kind].push(performance.now() - t);
    if (kind === 'hybrid') {
      if (result.hits.length < K) emptyResults.hybrid++;
      // The same search again: what a search costs once its index pages are in shared buffers.
      const again = performance.now();
      await kinds.hybrid(query);
      timings.hybridRepeated.push(performance.now() - again);
    }
    bar.tick();
  }

  const recall = await measureRecall(ai, sql, corpus.tenantId, measured.slice(0, options.recallQueries), options);
  const plan = await vectorPlan(pool, corpus.tenantId, queries[0].embedding.vector);
  const memory = await memoryFacts(pool);

  const hybrid = roundSummary(summarize(timings.hybrid));
  const results = {
    bench: 'retrieval',
    timestamp: new Date(startedAt).toISOString(),
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    machine,
    parameters: {
      chunks: corpus.chunks,
      otherTenants: corpus.others,
      otherChunksEach: corpus.otherChunks,
      totalChunks: corpus.total,
      dimensions: DIMS,
      embedding: 'fakeEmbedding (feature hashing of words + trigrams), 768 dims',
      corpus: `${DOMAINS} domains × ${DOMAIN_WORDS} words, ${TOPICS} topics × ${TOPIC_WORDS} words, ${GENERAL_WORDS} general words (Zipf); chunks of ${CHUNK_WORDS.join('–')} words: ${MIX.topic * 100}% topic, ${MIX.domain * 100}% domain, the rest general; queries: 3 topic words, a domain word, a general word`,
      queriesPerKind: options.queries,
      recallQueries: options.recallQueries,
      k: K,
      efSearch: options.efSearch ?? 'gateway default (max(100, 4k))',
      hnswIterativeScan: 'relaxed_order',
      indexes,
      memory,
      load: corpus.load ?? 'reused a loaded database',
      measured: 'one hybridSearch call from Node (pg pool): the vector statement (in a transaction with the HNSW scan settings) and the full-text statement at once, fused in Node; query embedding precomputed; every timed search has its own query, kinds interleaved',
    },
    latencyMs: {
      hybrid,
      hybridRepeated: roundSummary(summarize(timings.hybridRepeated)),
      vectorOnly: roundSummary(summarize(timings.vector)),
      textOnly: roundSummary(summarize(timings.text)),
    },
    searchesWithFewerThanK: emptyResults.hybrid,
    recallAt10: recall,
    vectorPlan: plan,
    targets: {
      p50: { thresholdMs: TARGETS.p50Ms, valueMs: hybrid.p50, pass: hybrid.p50 < TARGETS.p50Ms },
      recallAt10: { threshold: TARGETS.recallAt10, value: recall.mean, pass: recall.mean >= TARGETS.recallAt10 },
    },
  };
  printReport(results);
  console.log(`\nresults: ${writeResults('retrieval', results)}`);
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      chunks: { type: 'string', default: '100000' },
      others: { type: 'string', default: '4' },
      'other-chunks': { type: 'string', default: '10000' },
      queries: { type: 'string', default: '300' },
      'recall-queries': { type: 'string', default: '100' },
      'ef-search': { type: 'string' },
      database: { type: 'string' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  return {
    chunks: integerOption('--chunks', values.chunks),
    others: integerOption('--others', values.others, 0),
    otherChunks: integerOption('--other-chunks', values['other-chunks']),
    queries: integerOption('--queries', values.queries),
    recallQueries: integerOption('--recall-queries', values['recall-queries']),
    efSearch: values['ef-search'] === undefined ? undefined : integerOption('--ef-search', values['ef-search']),
    database: values.database,
    keep: values.keep,
  };
}

/** A database loaded by an earlier `--keep` run: its measured tenant is the one named "Bench 0". */
async function existingCorpus(pool) {
  const { rows } = await pool.query(
    `SELECT t.name, t.id, count(c.id)::int AS chunks FROM tenants t JOIN chunks c ON c.tenant_id = t.id WHERE t.name LIKE 'Bench %' GROUP BY t.id, t.name ORDER BY t.name`,
  );
  const main = rows.find((row) => row.name === 'Bench 0');
  if (!main) return null;
  const others = rows.filter((row) => row.name !== 'Bench 0');
  log(`reusing the loaded corpus: ${main.chunks} chunks for the measured tenant, ${others.length} other tenants`);
  return { tenantId: main.id, chunks: main.chunks, others: others.length, otherChunks: others[0]?.chunks ?? 0, total: rows.reduce((sum, row) => sum + row.chunks, 0) };
}

/**
 * Loads the tenants' chunks with multi-row INSERTs, then builds the full-text and HNSW indexes once
 * over the loaded rows (as a restore would; inserting into a live HNSW index row by row is far
 * slower). The indexes are re-created from their own definitions, so the migration's parameters are
 * what gets measured.
 */
async function loadCorpus(pool, vocabulary, fakeEmbedding, options) {
  const started = performance.now();
  const indexes = await pool.query(
    `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'chunks' AND (indexname LIKE 'chunks_embedding_hnsw_%' OR indexname = 'chunks_tsv_idx')`,
  );
  for (const { indexname } of indexes.rows) await pool.query(`DROP INDEX "${indexname}"`);

  const tenants = [{ name: 'Bench 0', chunks: options.chunks }, ...Array.from({ length: options.others }, (_, i) => ({ name: `Bench ${i + 1}`, chunks: options.otherChunks }))];
  const total = tenants.reduce((sum, t) => sum + t.chunks, 0);
  const batches = tenants.reduce((sum, t) => sum + Math.ceil(t.chunks / INSERT_BATCH), 0);
  const bar = progress(`loading ${total} chunks (${DIMS}-dim fake embeddings)`, batches);
  const random = rng(1);
  let tenantId;
  for (const [t, tenant] of tenants.entries()) {
    const { rows } = await pool.query(`INSERT INTO tenants (id, name, slug, updated_at) VALUES (gen_random_uuid(), $1, $2, now()) RETURNING id`, [tenant.name, `bench-${t}-${Date.now()}`]);
    const id = rows[0].id;
    if (t === 0) tenantId = id;
    const sources = Math.ceil(tenant.chunks / CHUNKS_PER_SOURCE);
    const sourceIds = [];
    for (let s = 0; s < sources; s++) {
      const inserted = await pool.query(
        `INSERT INTO knowledge_sources (id, tenant_id, kind, title, status, progress, embedding_model, updated_at) VALUES (gen_random_uuid(), $1, 'text', $2, 'ready', 100, $3, now()) RETURNING id`,
        [id, `Document ${s + 1}`, MODEL],
      );
      sourceIds.push(inserted.rows[0].id);
    }
    for (let start = 0; start < tenant.chunks; start += INSERT_BATCH) {
      throwIfStopping();
      const count = Math.min(INSERT_BATCH, tenant.chunks - start);
      const values = [];
      const rowsSql = [];
      for (let i = 0; i < count; i++) {
        const ordinal = start + i;
        const text = chunkText(vocabulary, random, Math.floor(random() * TOPICS));
        const at = values.length;
        values.push(id, sourceIds[Math.floor(ordinal / CHUNKS_PER_SOURCE)], ordinal % CHUNKS_PER_SOURCE, text, `[${fakeEmbedding(text, DIMS).join(',')}]`);
        rowsSql.push(`(gen_random_uuid(), $${at + 1}::uuid, $${at + 2}::uuid, $${at + 3}::int, $${at + 4}, $${at + 5}::vector, '${MODEL}', ${DIMS})`);
      }
      await pool.query(`INSERT INTO chunks (id, tenant_id, source_id, ordinal, content, embedding, embedding_model, embedding_dims) VALUES ${rowsSql.join(', ')}`, values);
      bar.tick();
    }
  }
  const loadSeconds = (performance.now() - started) / 1000;
  log(`loaded in ${loadSeconds.toFixed(1)} s; building indexes`);

  const client = await pool.connect();
  const indexSeconds = {};
  try {
    // Build settings for this session only: room for the graph in memory, both cores.
    await client.query(`SET maintenance_work_mem = '2GB'`);
    await client.query('SET max_parallel_maintenance_workers = 2');
    for (const { indexname, indexdef } of indexes.rows) {
      const t = performance.now();
      const stopWatching = watchIndexBuild(pool, indexname);
      try {
        await client.query(indexdef);
      } finally {
        stopWatching();
      }
      indexSeconds[indexname] = round((performance.now() - t) / 1000, 1);
      log(`built ${indexname} in ${indexSeconds[indexname]} s`);
    }
    await client.query('ANALYZE chunks');
    await client.query('ANALYZE knowledge_sources');
  } finally {
    client.release();
  }
  return { tenantId, chunks: options.chunks, others: options.others, otherChunks: options.otherChunks, total, load: { insertSeconds: round(loadSeconds, 1), indexBuildSeconds: indexSeconds } };
}

/** Prints the index build's phase and progress every few seconds (pg_stat_progress_create_index). */
function watchIndexBuild(pool, name) {
  let last = '';
  const timer = setInterval(async () => {
    try {
      const { rows } = await pool.query(`SELECT phase, tuples_done, tuples_total, blocks_done, blocks_total FROM pg_stat_progress_create_index`);
      const row = rows[0];
      if (!row) return;
      const done = Number(row.tuples_total) > 0 ? `${row.tuples_done}/${row.tuples_total} tuples` : Number(row.blocks_total) > 0 ? `${row.blocks_done}/${row.blocks_total} blocks` : '';
      const line = `[bench] building ${name}: ${row.phase} ${done}`;
      if (line !== last) console.error(line);
      last = line;
    } catch {
      // the pool is busy or closing; try again next tick
    }
  }, 3000);
  return () => clearInterval(timer);
}

async function indexDefinitions(pool) {
  const { rows } = await pool.query(`SELECT indexdef FROM pg_indexes WHERE tablename = 'chunks' AND indexname LIKE 'chunks_embedding_hnsw_%' ORDER BY indexname`);
  return rows.map((row) => row.indexdef);
}

/**
 * recall@10 of the index against exact search (sequential scan and sort) for the same tenant and
 * query. Ties at the 10th distance count as found: any result as close as the exact 10th is correct.
 */
async function measureRecall(ai, sql, tenantId, queries, options) {
  const bar = progress('recall@10 (approximate vs exact search)', queries.length);
  const recalls = [];
  const exactMs = [];
  const worst = [];
  for (const query of queries) {
    if (isStopping()) break;
    const input = { tenantId, scope: { agentId: null }, embedding: query.embedding, k: K, ...(options.efSearch ? { efSearch: options.efSearch } : {}) };
    const approximate = await ai.nearestChunks(sql, input);
    const t = performance.now();
    const exact = await ai.nearestChunks(sql, { ...input, exact: true });
    exactMs.push(performance.now() - t);
    const tenth = exact[exact.length - 1]?.similarity ?? 1;
    const exactIds = new Set(exact.map((n) => n.chunkId));
    const found = approximate.filter((n) => exactIds.has(n.chunkId) || n.similarity >= tenth - 1e-9).length;
    const recall = Math.min(found, exact.length) / Math.max(1, exact.length);
    recalls.push(recall);
    if (recall < 0.9) worst.push({ query: query.text, recall, approximateResults: approximate.length, exactTenthSimilarity: round(tenth, 4) });
    bar.tick();
  }
  const sorted = [...recalls].sort((a, b) => a - b);
  return {
    mean: round(recalls.reduce((sum, r) => sum + r, 0) / Math.max(1, recalls.length), 4),
    min: sorted[0] ?? null,
    queriesBelow90: worst.length,
    below90: worst.sort((a, b) => a.recall - b.recall).slice(0, 10),
    queries: recalls.length,
    exactSearchMs: roundSummary(summarize(exactMs)),
  };
}

/** Index and table sizes against shared_buffers: a search reading pages outside it pays for each read. */
async function memoryFacts(pool) {
  const { rows } = await pool.query(
    `SELECT current_setting('shared_buffers') AS shared_buffers,
            pg_size_pretty(pg_relation_size('chunks_embedding_hnsw_${DIMS}')) AS hnsw_index,
            pg_size_pretty(pg_total_relation_size('chunks')) AS table_size`,
  );
  return { sharedBuffers: rows[0].shared_buffers, hnswIndex: rows[0].hnsw_index, table: rows[0].table_size };
}

/** EXPLAIN of the vector side, to show the HNSW index is what answers. */
async function vectorPlan(pool, tenantId, vector) {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '100', true)`);
    const { rows } = await client.query(
      `EXPLAIN SELECT id FROM chunks WHERE embedding_dims = ${DIMS} AND tenant_id = $1 AND embedding_model = $2 ORDER BY embedding::vector(${DIMS}) <=> $3::vector(${DIMS}) LIMIT 40`,
      [tenantId, MODEL, `[${vector.join(',')}]`],
    );
    await client.query('COMMIT');
    return rows.map((row) => row['QUERY PLAN']);
  } finally {
    client.release();
  }
}

function printReport(results) {
  const { machine, parameters, latencyMs, recallAt10, targets } = results;
  console.log(`\nRetrieval — ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}, load before start ${machine.loadAverage.join(' ')}`);
  console.log(`${parameters.chunks} chunks for the measured tenant + ${parameters.otherTenants} × ${parameters.otherChunksEach} for others (${parameters.totalChunks} in the index), ${DIMS} dims, k=${K}`);
  if (parameters.load !== 'reused a loaded database') console.log(`load: inserts ${parameters.load.insertSeconds} s, indexes ${JSON.stringify(parameters.load.indexBuildSeconds)}`);
  console.log(`index: ${parameters.indexes.find((d) => d.includes(`vector(${DIMS})`)) ?? parameters.indexes.join('; ')}`);
  console.log(`memory: HNSW index ${parameters.memory.hnswIndex}, chunks table ${parameters.memory.table}; the server's shared_buffers ${parameters.memory.sharedBuffers} (shared with every database on it)\n`);
  const columns = ['search', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean ms'].map((title, i) => ({ title, align: i === 0 ? 'left' : 'right' }));
  const row = (name, s) => [name, String(s.count), ms(s.p50, 2), ms(s.p90, 2), ms(s.p99, 2), ms(s.max, 2), ms(s.mean, 2)];
  console.log(
    renderTable(columns, [
      row('hybrid (vector + text, fused)', latencyMs.hybrid),
      row('hybrid, same query again (pages cached)', latencyMs.hybridRepeated),
      row('vector only (HNSW, 40 candidates)', latencyMs.vectorOnly),
      row('text only (full text)', latencyMs.textOnly),
      row('exact vector (seq scan, recall baseline)', recallAt10.exactSearchMs),
    ]),
  );
  console.log(`\nrecall@10 vs exact: mean ${recallAt10.mean}, min ${recallAt10.min}, ${recallAt10.queriesBelow90} of ${recallAt10.queries} queries below 0.9`);
  if (results.searchesWithFewerThanK > 0) console.log(`hybrid searches returning fewer than ${K} results: ${results.searchesWithFewerThanK}`);
  const verdict = (pass) => (pass ? 'PASS' : 'FAIL');
  console.log(`\ntarget: hybrid p50 < ${targets.p50.thresholdMs} ms: ${ms(targets.p50.valueMs, 2)} ms ${verdict(targets.p50.pass)}`);
  console.log(`target: recall@10 >= ${targets.recallAt10.threshold}: ${targets.recallAt10.value} ${verdict(targets.recallAt10.pass)}`);
}




function log(message) {
  console.error(`[bench] ${message}`);
}
