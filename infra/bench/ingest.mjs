import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { onCleanup, throwIfStopping } from './lib/cleanup.mjs';
import { startNodeChild } from './lib/children.mjs';
import { progress } from './lib/progress.mjs';
import { machineInfo, writeResults } from './lib/results.mjs';
import { assertRedisReachable } from './lib/services.mjs';
import { round } from './lib/stats.mjs';
import { renderTable } from './lib/table.mjs';
import { builtFile, requireBuilt, requireFrom, ROOT, SetupError } from './lib/workspace.mjs';

export const description = 'knowledge ingestion: parse+chunk throughput (PDF pages/s, other formats) and end-to-end pages/s through the worker with the fake embedder';

const USAGE = `Usage: pnpm bench ingest [--docs 24] [--pages 10] [--threads 2] [--concurrency 2] [--skip-e2e]

  --docs         PDF documents in the corpus (default 24)
  --pages        pages per PDF (default 10)
  --threads      parser threads for the parallel parse+chunk run (default 2)
  --concurrency  WORKER_CONCURRENCY of the worker in the end-to-end run (default 2)
  --skip-e2e     parse+chunk only (no Postgres, Redis or worker needed)

Env: DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres), REDIS_URL (default redis://127.0.0.1:6379).`;

/** The worker's defaults, so the figures describe what a deployment does. */
const CHUNKING = { chunkTokens: 400, overlapTokens: 60 };
const WORDS = (
  'account invoice refund backup restore snapshot region cluster latency throughput replica failover billing plan seat storage ' +
  'quota export import token session webhook retry schedule window audit policy retention encryption certificate rotation ' +
  'dashboard alert incident escalation support ticket engineer customer contract renewal discount migration upgrade rollback'
).split(' ');

export async function run(argv) {
  const options = parseOptions(argv);
  if (!options) return;
  const startedAt = Date.now();
  const machine = machineInfo();
  const ingest = requireBuilt('packages/ingest/dist/index.js', '@babble-buddy/ingest');
  const fixtures = requireBuilt('packages/ingest/dist/fixtures/index.js', '@babble-buddy/ingest');

  log(`generating ${options.docs} PDFs of ${options.pages} pages and the other formats`);
  const corpus = await buildCorpus(fixtures, options);
  const parse = await measureParse(ingest, corpus, options);
  const e2e = options.skipE2e ? null : await measureEndToEnd(corpus, options);

  const results = {
    bench: 'ingest',
    timestamp: new Date(startedAt).toISOString(),
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    machine,
    parameters: {
      docs: options.docs,
      pagesPerDoc: options.pages,
      threads: options.threads,
      workerConcurrency: options.concurrency,
      chunking: { ...CHUNKING, tokenizer: 'cl100k_base (js-tiktoken)', splitter: 'RecursiveCharacterTextSplitter' },
      corpus: 'generated: PDFs with ~6 paragraphs of ~55 words per page (pdf-lib), and DOCX/HTML/Markdown/CSV of similar text',
      embedder: 'fake Ollama (packages/testing, child process), nomic-embed-text 768 dims, EMBEDDING_BATCH_SIZE 64',
      timing: 'wall clock; every run excludes one warm-up document per parser thread (thread start, pdf.js load), reported as firstDocumentMs end to end',
    },
    parse,
    endToEnd: e2e,
  };
  printReport(results);
  console.log(`\nresults: ${writeResults('ingest', results)}`);
}

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      docs: { type: 'string', default: '24' },
      pages: { type: 'string', default: '10' },
      threads: { type: 'string', default: '2' },
      concurrency: { type: 'string', default: '2' },
      'skip-e2e': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return null;
  }
  return {
    docs: positiveInt('--docs', values.docs),
    pages: positiveInt('--pages', values.pages),
    threads: positiveInt('--threads', values.threads),
    concurrency: positiveInt('--concurrency', values.concurrency),
    skipE2e: values['skip-e2e'],
  };
}

/** Deterministic text: the same corpus every run, different words on every page. */
function textGenerator(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  const sentence = () => {
    const length = 8 + (next() % 10);
    const words = Array.from({ length }, () => WORDS[next() % WORDS.length]);
    return `${words[0][0].toUpperCase()}${words[0].slice(1)} ${words.slice(1).join(' ')}.`;
  };
  return { paragraph: () => Array.from({ length: 5 }, sentence).join(' '), word: () => WORDS[next() % WORDS.length] };
}

async function buildCorpus(fixtures, options) {
  const pdfs = [];
  for (let doc = 0; doc < options.docs + 1; doc++) {
    const text = textGenerator(doc + 1);
    const pages = Array.from({ length: options.pages }, (_, page) => [`Section ${page + 1}`, ...Array.from({ length: 6 }, text.paragraph)]);
    pdfs.push({ name: `manual-${doc}.pdf`, bytes: await fixtures.makePdf(pages, { title: `Manual ${doc}` }), pages: options.pages });
  }
  const text = textGenerator(999);
  const sections = Array.from({ length: 30 }, (_, i) => ({ heading: `Topic ${i + 1}`, level: i % 3 === 0 ? 1 : 2, paragraphs: Array.from({ length: 4 }, text.paragraph) }));
  const docx = await fixtures.makeDocx(sections);
  const html = fixtures.htmlPageWithNav({ body: sections.map((s) => `<h${s.level + 1}>${s.heading}</h${s.level + 1}>${s.paragraphs.map((p) => `<p>${p}</p>`).join('')}`).join('') });
  const markdown = sections.map((s) => `${'#'.repeat(s.level)} ${s.heading}\n\n${s.paragraphs.join('\n\n')}`).join('\n\n');
  const csv = ['Name,Plan,Region,Notes', ...Array.from({ length: 2000 }, (_, i) => `Customer ${i},${text.word()},${text.word()},"${text.paragraph().slice(0, 120)}"`)].join('\n');
  return {
    warmup: pdfs[0],
    pdfs: pdfs.slice(1),
    others: [
      { format: 'DOCX', name: 'guide.docx', bytes: docx },
      { format: 'HTML', name: 'guide.html', bytes: Buffer.from(html) },
      { format: 'Markdown', name: 'guide.md', bytes: Buffer.from(markdown) },
      { format: 'CSV', name: 'customers.csv', bytes: Buffer.from(csv) },
    ],
  };
}

async function timeParses(sandbox, documents, bar) {
  const started = process.hrtime.bigint();
  const results = await Promise.all(
    documents.map(async (doc) => {
      const result = await sandbox.parse({ bytes: doc.bytes, filename: doc.name, chunking: CHUNKING });
      bar?.tick();
      return result;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { seconds, chunks: results.reduce((sum, r) => sum + r.chunks.length, 0), tokens: results.reduce((sum, r) => sum + r.chunks.reduce((t, c) => t + c.tokenCount, 0), 0) };
}

/** Parse + chunk in the worker's own sandbox (worker threads), one thread and then `threads`. */
async function measureParse(ingest, corpus, options) {
  const pages = corpus.pdfs.length * options.pages;
  const bytes = corpus.pdfs.reduce((sum, doc) => sum + doc.bytes.byteLength, 0);
  const runs = [];
  for (const threads of [...new Set([1, options.threads])]) {
    throwIfStopping();
    const sandbox = new ingest.ParseSandbox({ threads, timeoutMs: 300_000 });
    try {
      // Warm every thread: starting one and loading pdf.js is paid once per thread, not per document.
      await Promise.all(Array.from({ length: threads }, () => sandbox.parse({ bytes: corpus.warmup.bytes, filename: corpus.warmup.name, chunking: CHUNKING })));
      const measured = await timeParses(sandbox, corpus.pdfs, progress(`parse+chunk PDF, ${threads} thread${threads > 1 ? 's' : ''}`, corpus.pdfs.length));
      runs.push({ format: 'PDF', threads, docs: corpus.pdfs.length, pages, megabytes: round(bytes / 2 ** 20, 2), seconds: round(measured.seconds, 3), pagesPerSecond: round(pages / measured.seconds, 1), chunks: measured.chunks, chunksPerSecond: round(measured.chunks / measured.seconds, 1), tokens: measured.tokens });
      if (threads === 1) {
        for (const doc of corpus.others) {
          throwIfStopping();
          const once = await timeParses(sandbox, [doc]);
          runs.push({ format: doc.format, threads, docs: 1, pages: null, megabytes: round(doc.bytes.byteLength / 2 ** 20, 3), seconds: round(once.seconds, 3), pagesPerSecond: null, chunks: once.chunks, chunksPerSecond: round(once.chunks / once.seconds, 1), tokens: once.tokens });
        }
      }
    } finally {
      await sandbox.close();
    }
  }
  return runs;
}

/** Sources in Postgres → BullMQ → the built worker (parse, embed with the fake, store) → ready. */
async function measureEndToEnd(corpus, options) {
  const fakeCli = builtFile('packages/testing/dist/bin/fake-llm.js', '@babble-buddy/testing');
  const workerMain = builtFile('apps/worker/dist/main.js', '@babble-buddy/worker');
  const { createTestDatabase, createDbClient } = requireBuilt('packages/db/dist/index.js', '@babble-buddy/db');
  const { QUEUES, KNOWLEDGE_JOBS, KNOWLEDGE_PROGRESS_CHANNEL } = requireBuilt('packages/shared/dist/cjs/index.js', '@babble-buddy/shared');
  const workerDir = join(ROOT, 'apps', 'worker');
  const { Queue } = requireFrom(workerDir, 'bullmq');
  const { Redis } = requireFrom(workerDir, 'ioredis');
  const baseDatabaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await assertRedisReachable(redisUrl);

  const fake = startNodeChild('fake-llm', [fakeCli, '--port', '0'], { cwd: ROOT });
  const [, fakeUrl] = await fake.waitForLine(/listening on (http:\/\/\S+)/);
  let database;
  try {
    database = await createTestDatabase(baseDatabaseUrl);
  } catch (error) {
    throw new SetupError(`cannot create a database from ${baseDatabaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')} (is Postgres running? set DATABASE_URL): ${error.message}`);
  }
  onCleanup(() => database.drop());
  const prefix = `bench-${randomBytes(3).toString('hex')}`;
  const worker = startNodeChild('worker', [workerMain], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      QUEUE_PREFIX: prefix,
      ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      OLLAMA_BASE_URL: fakeUrl,
      WORKER_CONCURRENCY: String(options.concurrency),
      CHUNK_TOKENS: String(CHUNKING.chunkTokens),
      CHUNK_OVERLAP_TOKENS: String(CHUNKING.overlapTokens),
      // info: its "worker ready" line says when to start the clock (one line per job after that).
      LOG_LEVEL: 'info',
    },
  });
  await waitForWorker(worker);
  log(`worker pid ${worker.pid}, fake embedder at ${fakeUrl}, database ${database.name}`);

  const db = createDbClient(database.url, { poolSize: 2 });
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(QUEUES.knowledge, { connection, prefix });
  const subscriber = new Redis(redisUrl);
  onCleanup(async () => {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    await Promise.allSettled([connection.quit(), subscriber.quit(), db.$disconnect()]);
  });

  const tenant = await db.tenant.create({ data: { name: 'Bench', slug: `bench-${randomBytes(3).toString('hex')}` } });
  const addSource = (doc) =>
    db.knowledgeSource.create({
      data: { tenantId: tenant.id, kind: 'file', title: doc.name, filename: doc.name, sizeBytes: doc.bytes.byteLength, checksum: createHash('sha256').update(doc.bytes).digest('hex'), blob: { create: { tenantId: tenant.id, data: Buffer.from(doc.bytes) } } },
    });
  const warmup = await addSource(corpus.warmup);
  const sources = [];
  for (const doc of corpus.pdfs) sources.push(await addSource(doc));

  const waiting = new Map();
  const failures = [];
  subscriber.on('message', (_channel, message) => {
    const event = JSON.parse(message);
    if (event.status !== 'ready' && event.status !== 'failed') return;
    if (event.status === 'failed') failures.push(`${event.sourceId}: ${event.errorCode} ${event.errorMessage}`);
    waiting.get(event.sourceId)?.();
  });
  await subscriber.subscribe(KNOWLEDGE_PROGRESS_CHANNEL);
  const settled = (ids, bar) =>
    Promise.race([
      Promise.all(ids.map((id) => new Promise((resolve) => waiting.set(id, () => (waiting.delete(id), bar?.tick(), resolve()))))),
      worker.exited.then(({ code, signal }) => Promise.reject(new Error(`the worker exited (${signal ?? code}):\n${worker.output()}`))),
    ]);
  const enqueue = (list) => queue.addBulk(list.map((s) => ({ name: KNOWLEDGE_JOBS.ingestSource, data: { tenantId: tenant.id, sourceId: s.id, mode: 'full', reason: 'created' }, opts: { attempts: 1, removeOnComplete: true } })));

  // The first document pays for the parser thread and pdf.js: measured apart, then the clock starts.
  const coldStart = process.hrtime.bigint();
  const warm = settled([warmup.id]);
  await enqueue([warmup]);
  await warm;
  const coldMs = Number(process.hrtime.bigint() - coldStart) / 1e6;

  const started = process.hrtime.bigint();
  const done = settled(sources.map((s) => s.id), progress('end to end (ready sources)', sources.length));
  await enqueue(sources);
  await done;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (failures.length) throw new Error(`${failures.length} sources failed:\n${failures.slice(0, 5).join('\n')}`);

  const stored = await db.chunk.count({ where: { tenantId: tenant.id, sourceId: { not: warmup.id } } });
  const pages = corpus.pdfs.length * corpus.pdfs[0].pages;
  return {
    docs: sources.length,
    pages,
    chunks: stored,
    seconds: round(seconds, 3),
    pagesPerSecond: round(pages / seconds, 1),
    chunksPerSecond: round(stored / seconds, 1),
    firstDocumentMs: round(coldMs, 0),
    workerCpuSeconds: round((worker.cpuMs() ?? NaN) / 1000, 2),
    fakeCpuSeconds: round((fake.cpuMs() ?? NaN) / 1000, 2),
  };
}

async function waitForWorker(worker) {
  try {
    await worker.waitForLine(/"msg":"worker ready"/, 30_000);
  } catch (error) {
    throw new SetupError(`the worker did not start: ${error.message}`);
  }
}

function printReport(results) {
  const { machine } = results;
  console.log(`\nKnowledge ingestion — ${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}, load before start ${machine.loadAverage.join(' ')}`);
  console.log(`chunks of ${CHUNKING.chunkTokens} tokens (overlap ${CHUNKING.overlapTokens}); PDFs of ${results.parameters.pagesPerDoc} pages\n`);
  console.log('Parse + chunk (worker threads, no embedding, no database)');
  console.log(
    renderTable(
      [{ title: 'format', align: 'left' }, { title: 'threads' }, { title: 'docs' }, { title: 'MB' }, { title: 'seconds' }, { title: 'pages/s' }, { title: 'chunks' }, { title: 'chunks/s' }],
      results.parse.map((r) => [r.format, r.threads, r.docs, r.megabytes, r.seconds, r.pagesPerSecond ?? '—', r.chunks, r.chunksPerSecond]),
    ),
  );
  if (results.endToEnd) {
    const e = results.endToEnd;
    console.log(`\nEnd to end (queue → worker: parse, embed with the fake, store in pgvector → ready), WORKER_CONCURRENCY=${results.parameters.workerConcurrency}`);
    console.log(
      renderTable(
        [{ title: 'docs' }, { title: 'pages' }, { title: 'chunks' }, { title: 'seconds' }, { title: 'pages/s' }, { title: 'chunks/s' }, { title: 'worker CPU s' }, { title: 'fake CPU s' }],
        [[e.docs, e.pages, e.chunks, e.seconds, e.pagesPerSecond, e.chunksPerSecond, e.workerCpuSeconds ?? '—', e.fakeCpuSeconds ?? '—']],
      ),
    );
    console.log(`(first document after start, not counted above: ${e.firstDocumentMs} ms — parser thread start and pdf.js load)`);
  }
}

function positiveInt(flag, value) {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new SetupError(`${flag}: expected a positive integer, got "${value}"`);
  return parsed;
}

function log(message) {
  console.error(`[bench] ${message}`);
}
