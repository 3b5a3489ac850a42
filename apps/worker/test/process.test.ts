import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { ParseSandbox } from '@babble-buddy/ingest';
import { makePdf } from '@babble-buddy/ingest/fixtures';
import { chunksOf, startStack, type TestStack } from './harness';
import { startSlowProxy, type SlowProxy } from './slow-proxy';

/**
 * The built worker as its own process (node dist/main.js, as in production): killed outright
 * mid-ingestion and restarted, it leaves exactly one copy; stopped with SIGTERM, it hands the job
 * back and exits cleanly.
 */
const MAIN = join(__dirname, '..', 'dist', 'main.js');

let stack: TestStack;
let slow: SlowProxy;
let tenantId: string;
let pdf: Uint8Array;
let expectedChunks: string[];

interface WorkerProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** A worker whose embedding model answers each batch of 2 texts after 250 ms, so a job takes seconds. */
async function spawnWorker(): Promise<WorkerProcess> {
  const env = stack.env({ EMBEDDING_BASE_URL: slow.url, EMBEDDING_BATCH_SIZE: '2', WORKER_CONCURRENCY: '1', LOG_LEVEL: 'info' });
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (data: string) => {
      lines.push(...data.split('\n').filter(Boolean));
      if (lines.some((line) => line.includes('"msg":"worker ready"'))) resolve();
    });
    child.stderr?.setEncoding('utf8').on('data', (data: string) => lines.push(data));
    void exited.then(([code]) => reject(new Error(`worker exited (${code}) before it was ready:\n${lines.join('\n')}`)));
  });
  await ready;
  return { child, lines, exited };
}

beforeAll(async () => {
  stack = await startStack();
  slow = await startSlowProxy(stack.fake.url, 250);
  tenantId = await stack.createTenant('Processes');
  const pages = Array.from({ length: 8 }, (_, page) => [
    `Chapter ${page + 1}: maintenance schedule for building wing ${page + 1}.`,
    ...Array.from({ length: 6 }, (_, i) => `Item ${i + 1} of chapter ${page + 1}: inspect the ventilation unit number ${page * 10 + i} and record its filter pressure in the logbook kept at reception.`),
  ]);
  pdf = await makePdf(pages, { title: 'Maintenance manual' });
  // What one clean ingestion produces, to compare against after the crash.
  const sandbox = new ParseSandbox({ threads: 1 });
  try {
    expectedChunks = (await sandbox.parse({ bytes: pdf, filename: 'manual.pdf', chunking: { chunkTokens: 120, overlapTokens: 20 } })).chunks.map((c) => c.content);
  } finally {
    await sandbox.close();
  }
  expect(expectedChunks.length).toBeGreaterThan(8);
});

afterAll(async () => {
  await slow?.close();
  await stack?.close();
});

/** A fresh worker takes the job over and finishes it with exactly one copy; then it is stopped. */
async function finishWithNewWorker(sourceId: string): Promise<void> {
  const next = await spawnWorker();
  try {
    await stack.watcher.next((e) => e.sourceId === sourceId && e.status === 'ready', 60_000, false);
    await expectExactlyOneCopy(sourceId);
  } finally {
    next.child.kill('SIGTERM');
    expect((await next.exited)[0]).toBe(0);
  }
}

async function expectExactlyOneCopy(sourceId: string): Promise<void> {
  const source = await stack.db.knowledgeSource.findUniqueOrThrow({ where: { id: sourceId } });
  const chunks = await chunksOf(stack.db, sourceId);
  expect(source).toMatchObject({ status: 'ready', chunkCount: expectedChunks.length, pageCount: 8 });
  expect(chunks.map((c) => c.content)).toEqual(expectedChunks);
  expect(chunks.map((c) => c.ordinal)).toEqual(expectedChunks.map((_, i) => i));
  expect(chunks.every((c) => c.has_vector && c.embedding_dims === 768)).toBe(true);
}

describe('the worker process', () => {
  it('killed with SIGKILL mid-embedding and started again: the job is picked up and leaves exactly one copy', async () => {
    const first = await spawnWorker();
    const sourceId = await stack.addFile(tenantId, pdf, 'manual.pdf');
    await stack.watcher.next((e) => e.sourceId === sourceId && e.stage === 'embedding' && e.progress > 40);
    first.child.kill('SIGKILL');
    expect((await first.exited)[1]).toBe('SIGKILL');
    const [job] = await stack.queue.getJobs(['active']);
    expect(job?.data.sourceId).toBe(sourceId);
    expect((await stack.db.knowledgeSource.findUniqueOrThrow({ where: { id: sourceId } })).status).toBe('embedding');

    // The lock of the dead worker expires (WORKER_LOCK_MS), the stalled check requeues the job.
    await finishWithNewWorker(sourceId);
  });

  it('stopped with SIGTERM mid-job: exits 0, the job waits in the queue unharmed and the next worker finishes it', async () => {
    const first = await spawnWorker();
    const sourceId = await stack.addFile(tenantId, Buffer.concat([Buffer.from(pdf), Buffer.from('\n% another copy\n')]), 'manual-copy.pdf');
    await stack.watcher.next((e) => e.sourceId === sourceId && e.stage === 'embedding' && e.progress > 35);
    const requeued = stack.watcher.next((e) => e.sourceId === sourceId && e.status === 'queued', 10_000, false);
    first.child.kill('SIGTERM');
    const [code] = await first.exited;
    expect(code).toBe(0);
    expect(first.lines.join('\n')).toContain('worker stopping: job handed back to the queue');
    await requeued;
    const waiting = await stack.queue.getJobs(['waiting']);
    expect(waiting.map((job) => job.data.sourceId)).toEqual([sourceId]);
    expect(waiting[0]?.attemptsMade).toBe(0);
    expect(await stack.queue.getJobCounts('failed', 'active')).toEqual({ failed: 0, active: 0 });

    await finishWithNewWorker(sourceId);
  });

  it('refuses to start with a broken environment, naming the variable', async () => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', DATABASE_URL: 'mysql://nope', REDIS_URL: 'redis://127.0.0.1:6379' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (data: string) => (stderr += data));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(2);
    expect(stderr).toContain('DATABASE_URL: must be a postgresql:// URL');
    expect(stderr).toContain('ENCRYPTION_KEY');
  });
});
