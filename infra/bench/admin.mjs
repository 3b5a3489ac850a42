import { parseArgs } from 'node:util';
import { onCleanup, throwIfStopping } from './lib/cleanup.mjs';
import { progress } from './lib/progress.mjs';
import { machineInfo, writeResults } from './lib/results.mjs';
import { createBenchDatabase, log, startGateway } from './lib/stack.mjs';
import { round, summarize } from './lib/stats.mjs';
import { ms, renderTable } from './lib/table.mjs';
import { SetupError } from './lib/workspace.mjs';

export const description = 'admin API reads over a seeded database: dashboard stats, usage, conversation list, full-text search, transcript';

const USAGE = `Usage: pnpm bench admin [--tenants 50] [--conversations 20000] [--messages 10] [--days 90] [--runs 30]

  --tenants        tenants to spread the data over (default 50; one "busy" tenant gets a fifth of it)
  --conversations  conversations in all (default 20000)
  --messages       messages per conversation (default 10; every second one is an answer with a model call)
  --days           the data spans this many days up to now (default 90)
  --runs           timed calls per query, after 3 warm-up calls (default 30)

Env: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres), REDIS_URL (default redis://127.0.0.1:6379).`;

/** Words for message text: common ones everywhere, a rare one in about 1 message in 2000. */
const WORDS = 'order refund delivery kettle price account password invoice shipping return broken help please thanks discount warranty size colour store opening hours'.split(' ');
const RARE_WORD = 'xylophone';

export async function run(argv) {
  const options = parseOptions(argv);
  if (!options) return;
  const startedAt = Date.now();
  const machine = machineInfo();
  const { database, db: dbPackage } = await createBenchDatabase();
  const db = dbPackage.createDbClient(database.url, { poolSize: 2 });
  onCleanup(() => db.$disconnect());
  const seed = await seedData(db, options);
  throwIfStopping();

  // No model is called: the fake LLM's address is never used.
  const { url, child } = await startGateway({ databaseUrl: database.url, fakeUrl: 'http://127.0.0.1:9', env: { ADMIN_UI_DIR: 'off' } });
  log(`gateway at ${url} (pid ${child.pid})`);
  // The first owner, through the same first-run endpoint the admin app uses.
  const setup = await fetch(`${url}/api/v1/admin/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password-123' }) });
  if (setup.status !== 201) throw new Error(`first-run setup answered ${setup.status}: ${await setup.text()}`);
  const { token } = await setup.json();

  const to = new Date();
  const from = new Date(to.getTime() - 30 * 86_400_000);
  const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}&tz=Europe%2FParis`;
  const busy = seed.busyTenantId;
  const queries = [
    ['dashboard, all tenants, 30 days', `stats?${range}`],
    ['dashboard, busy tenant, 30 days', `stats?${range}&tenantId=${busy}`],
    ['usage, all tenants, 30 days', `usage?${range}`],
    ['conversations, busy tenant, page 1', `tenants/${busy}/conversations?limit=25`],
    ['conversations, busy tenant, rated bad', `tenants/${busy}/conversations?limit=25&feedback=negative`],
    ['search, common words "refund kettle"', `tenants/${busy}/conversations?limit=25&q=refund%20kettle`],
    [`search, rare word "${RARE_WORD}"`, `tenants/${busy}/conversations?limit=25&q=${RARE_WORD}`],
    ['search, prefix "warr"', `tenants/${busy}/conversations?limit=25&q=warr`],
    ['transcript of one conversation', `tenants/${busy}/conversations/${seed.sampleConversationId}`],
  ];
  const measured = [];
  for (const [label, path] of queries) {
    throwIfStopping();
    measured.push(await measure(label, `${url}/api/v1/admin/${path}`, token, options.runs));
  }

  const results = {
    bench: 'admin',
    timestamp: new Date(startedAt).toISOString(),
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    machine,
    parameters: { ...options, client: 'sequential fetch over HTTP to the gateway (one caller); times include JSON encoding and the network stack' },
    seed,
    queries: measured,
  };
  printReport(results);
  console.log(`\nresults: ${writeResults('admin', results)}`);
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      tenants: { type: 'string', default: '50' },
      conversations: { type: 'string', default: '20000' },
      messages: { type: 'string', default: '10' },
      days: { type: 'string', default: '90' },
      runs: { type: 'string', default: '30' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  const options = Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'help').map(([name, value]) => [name, Number(value)]));
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isInteger(value) || value < 1) throw new SetupError(`--${name} must be a positive whole number\n\n${USAGE}`);
  }
  return options;
}

/** Generates the data in Postgres itself (generate_series), so seeding 200k messages takes seconds. */
export async function seedData(db, { tenants, conversations, messages, days }) {
  const startedAt = Date.now();
  const step = progress('seeding', 5);
  await db.$executeRawUnsafe(`
    INSERT INTO tenants (id, name, slug, updated_at)
    SELECT gen_random_uuid(), 'Tenant ' || n, 'tenant-' || n, now() FROM generate_series(1, ${tenants}) n`);
  step.tick();
  // A fifth of the conversations belong to tenant 1 (the busy one), the rest are spread evenly.
  await db.$executeRawUnsafe(`
    WITH t AS (SELECT id, row_number() OVER (ORDER BY slug) AS n FROM tenants)
    INSERT INTO conversations (id, tenant_id, session_key, status, message_count, created_at, last_activity_at, updated_at)
    SELECT gen_random_uuid(), t.id, 'bench-' || c.n,
           (ARRAY['open','open','closed','handoff'])[1 + c.n % 4]::"ConversationStatus", ${messages},
           now() - (random() * ${days} * interval '1 day'), now(), now()
    FROM generate_series(1, ${conversations}) c(n)
    JOIN t ON t.n = CASE WHEN c.n % 5 = 0 THEN 1 ELSE 1 + (c.n % ${Math.max(1, tenants - 1)}) + 1 END`);
  await db.$executeRawUnsafe(`UPDATE conversations SET last_activity_at = created_at + interval '10 minutes'`);
  step.tick();
  const words = `ARRAY[${WORDS.map((w) => `'${w}'`).join(',')}]`;
  await db.$executeRawUnsafe(`
    INSERT INTO messages (id, tenant_id, conversation_id, role, content, status, feedback, prompt_tokens, completion_tokens, latency_ms, ttft_ms, provider, model, created_at, updated_at)
    SELECT gen_random_uuid(), c.tenant_id, c.id,
           CASE WHEN m.n % 2 = 1 THEN 'user' ELSE 'assistant' END::"MessageRole",
           (SELECT string_agg((${words})[1 + floor(random() * ${WORDS.length})::int], ' ') FROM generate_series(1, 8 + (m.n + length(c.session_key)) % 9))
             || CASE WHEN random() < 0.0005 THEN ' ${RARE_WORD}' ELSE '' END,
           'complete',
           CASE WHEN m.n % 2 = 0 AND random() < 0.05 THEN (CASE WHEN random() < 0.5 THEN 1 ELSE -1 END) END,
           CASE WHEN m.n % 2 = 0 THEN 200 + (random() * 800)::int END,
           CASE WHEN m.n % 2 = 0 THEN 20 + (random() * 200)::int END,
           CASE WHEN m.n % 2 = 0 THEN 300 + (random() * 3000)::int END,
           CASE WHEN m.n % 2 = 0 THEN 50 + (random() * 400)::int END,
           CASE WHEN m.n % 2 = 0 THEN 'ollama' END,
           CASE WHEN m.n % 2 = 0 THEN 'llama3.2' END,
           c.created_at + m.n * interval '1 minute', now()
    FROM conversations c CROSS JOIN generate_series(1, ${messages}) m(n)`);
  step.tick();
  await db.$executeRawUnsafe(`
    INSERT INTO llm_requests (id, tenant_id, conversation_id, message_id, provider, model, status, prompt_tokens, completion_tokens, cost_usd, latency_ms, ttft_ms, created_at)
    SELECT gen_random_uuid(), tenant_id, conversation_id, id, provider, model,
           CASE WHEN random() < 0.02 THEN 'error' ELSE 'ok' END::"LlmRequestStatus",
           prompt_tokens, completion_tokens, (prompt_tokens * 0.15 + completion_tokens * 0.6) / 1e6, latency_ms, ttft_ms, created_at
    FROM messages WHERE role = 'assistant'`);
  step.tick();
  // As autovacuum leaves a table in steady state: statistics and the visibility map (index-only scans).
  await db.$executeRawUnsafe('VACUUM ANALYZE');
  step.tick();
  const [counts] = await db.$queryRawUnsafe(`
    SELECT (SELECT count(*) FROM tenants)::int AS tenants, (SELECT count(*) FROM conversations)::int AS conversations,
           (SELECT count(*) FROM messages)::int AS messages, (SELECT count(*) FROM llm_requests)::int AS llm_requests,
           (SELECT id FROM tenants WHERE slug = 'tenant-1') AS busy_tenant_id,
           (SELECT count(*) FROM conversations c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'tenant-1')::int AS busy_conversations,
           pg_size_pretty(pg_relation_size('messages_tenant_id_content_fts_idx')) AS fts_index_size`);
  const [sample] = await db.$queryRawUnsafe(`SELECT c.id FROM conversations c WHERE c.tenant_id = '${counts.busy_tenant_id}' LIMIT 1`);
  const seconds = round((Date.now() - startedAt) / 1000, 1);
  log(`seeded ${counts.conversations} conversations, ${counts.messages} messages, ${counts.llm_requests} model calls over ${counts.tenants} tenants in ${seconds} s`);
  return {
    tenants: counts.tenants,
    conversations: counts.conversations,
    messages: counts.messages,
    llmRequests: counts.llm_requests,
    busyTenantConversations: counts.busy_conversations,
    ftsIndexSize: counts.fts_index_size,
    seedSeconds: seconds,
    busyTenantId: counts.busy_tenant_id,
    sampleConversationId: sample.id,
  };
}

async function measure(label, url, token, runs) {
  const headers = { authorization: `Bearer ${token}` };
  const call = async () => {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${label}: HTTP ${response.status} ${body.slice(0, 200)}`);
    return { ms: performance.now() - started, bytes: body.length, items: itemsIn(JSON.parse(body)) };
  };
  for (let i = 0; i < 3; i++) await call();
  const bar = progress(label, runs);
  const times = [];
  let last;
  for (let i = 0; i < runs; i++) {
    last = await call();
    times.push(last.ms);
    bar.tick();
  }
  const summary = summarize(times);
  return { label, p50: round(summary.p50), p90: round(summary.p90), max: round(summary.max), items: last.items, bytes: last.bytes };
}

function itemsIn(body) {
  if (Array.isArray(body.items)) return body.items.length;
  if (Array.isArray(body.rows)) return body.rows.length;
  if (Array.isArray(body.series)) return body.series.length;
  if (Array.isArray(body.messages)) return body.messages.length;
  return null;
}

function printReport(results) {
  const { seed } = results;
  console.log(
    `\nAdmin API reads: ${seed.messages} messages in ${seed.conversations} conversations (${seed.busyTenantConversations} in the busy tenant), ${seed.llmRequests} model calls, ${seed.tenants} tenants; FTS index ${seed.ftsIndexSize}\n`,
  );
  console.log(
    renderTable(
      [{ title: 'query', align: 'left' }, { title: 'p50 ms' }, { title: 'p90 ms' }, { title: 'max ms' }, { title: 'items' }],
      results.queries.map((q) => [q.label, ms(q.p50), ms(q.p90), ms(q.max), q.items ?? '']),
    ),
  );
  console.log(`\n${results.machine.cpuCount} CPUs, load ${results.machine.loadAverage.join(' ')}; ${results.parameters.runs} sequential calls per query after 3 warm-ups.`);
}
