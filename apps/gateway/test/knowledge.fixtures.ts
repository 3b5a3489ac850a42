import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { ADMIN_NAMESPACE, QUEUES, type AdminClientToServerEvents, type AdminServerToClientEvents, type TAdminAck, type TKnowledgeProgressEvent } from '@babble-buddy/shared';
import { io, type Socket } from 'socket.io-client';
import { Queue } from 'bullmq';
import { seedKnowledgeSource, type SeedSource } from '@babble-buddy/testing';
import { TenantCache } from '../src/infra/tenant-cache';
import type { TestGateway } from './harness';

/** Queue keys of one test file, apart from every other test run sharing this Redis. */
export function testQueuePrefix(): string {
  return `bbgw-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Gateway settings for knowledge tests: quick retries, a small upload cap. */
export function knowledgeEnv(prefix: string): Record<string, string> {
  return { QUEUE_PREFIX: prefix, INGEST_ATTEMPTS: '2', INGEST_BACKOFF_MS: '50', KNOWLEDGE_MAX_FILE_BYTES: '300000', KNOWLEDGE_MAX_FILES: '5' };
}

export interface WorkerProcess {
  child: ChildProcess;
  output: string[];
  stop(): Promise<void>;
}

/** The real worker (its build, as production runs it) on the gateway's database, Redis prefix and fake model. */
export async function startWorkerProcess(gw: TestGateway, env: Record<string, string> = {}): Promise<WorkerProcess> {
  const main = join(dirname(require.resolve('@babble-buddy/worker/package.json')), 'dist', 'main.js');
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: gw.config.DATABASE_URL,
      WORKER_DATABASE_POOL_SIZE: '3',
      REDIS_URL: gw.config.REDIS_URL,
      QUEUE_PREFIX: gw.config.QUEUE_PREFIX,
      ENCRYPTION_KEY: gw.config.ENCRYPTION_KEY,
      OLLAMA_BASE_URL: gw.fake.url,
      OPENAI_BASE_URL: gw.fake.openaiUrl,
      WORKER_LOCK_MS: '2000',
      INGEST_ATTEMPTS: '2',
      INGEST_BACKOFF_MS: '50',
      CHUNK_TOKENS: '120',
      CHUNK_OVERLAP_TOKENS: '20',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exited = once(child, 'exit');
  await new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output.push(data.toString());
      if (output.join('').includes('"msg":"worker ready"')) resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => reject(new Error(`the worker exited before it was ready:\n${output.join('')}`)));
  });
  return {
    child,
    output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Stops the worker, empties the test's queue keys in Redis, closes the gateway (each if it started). */
export async function stopKnowledgeStack(gw: TestGateway | undefined, worker: WorkerProcess | undefined): Promise<void> {
  await worker?.stop();
  if (!gw) return;
  const queue = new Queue(QUEUES.knowledge, { connection: { url: gw.config.REDIS_URL }, prefix: gw.config.QUEUE_PREFIX });
  await queue.obliterate({ force: true }).catch(() => undefined);
  await queue.close();
  await gw.close();
}

export type AdminSocket = Socket<AdminServerToClientEvents, AdminClientToServerEvents>;

/** An admin socket that records every knowledge_progress event it receives. */
export interface ProgressSocket {
  socket: AdminSocket;
  events: TKnowledgeProgressEvent[];
  subscribe(tenantId: string): Promise<TAdminAck>;
  /** The first event (already received or still to come) matching `predicate`. */
  next(predicate: (event: TKnowledgeProgressEvent) => boolean, timeoutMs?: number): Promise<TKnowledgeProgressEvent>;
  close(): void;
}

export async function connectAdminSocket(gw: TestGateway, token: string): Promise<ProgressSocket> {
  const socket: AdminSocket = io(`${gw.url}${ADMIN_NAMESPACE}`, { auth: { token }, transports: ['websocket'], reconnection: false });
  const events: TKnowledgeProgressEvent[] = [];
  const waiters = new Set<(event: TKnowledgeProgressEvent) => void>();
  socket.on('knowledge_progress', (event) => {
    events.push(event);
    for (const waiter of waiters) waiter(event);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return {
    socket,
    events,
    subscribe: (tenantId) => socket.emitWithAck('knowledge_subscribe', { tenantId }),
    next(predicate, timeoutMs = 30_000) {
      const seen = events.find(predicate);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching knowledge_progress within ${timeoutMs} ms; last: ${JSON.stringify(events.at(-1))}`));
        }, timeoutMs);
        const waiter = (event: TKnowledgeProgressEvent) => {
          if (!predicate(event)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(event);
        };
        waiters.add(waiter);
      });
    },
    close: () => socket.close(),
  };
}

export interface UploadFile {
  name: string;
  bytes: Uint8Array | string;
  type?: string;
}

/** POST …/knowledge/files as multipart/form-data, the way a browser's FormData sends it. */
export async function uploadFiles(url: string, token: string | undefined, tenantId: string, files: UploadFile[], fields: Record<string, string> = {}, field = 'files'): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const file of files) form.append(field, new Blob([typeof file.bytes === 'string' ? file.bytes : Buffer.from(file.bytes)], { type: file.type ?? 'application/octet-stream' }), file.name);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const response = await fetch(`${url}/api/v1/admin/tenants/${tenantId}/knowledge/files`, {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
    body: form,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}


/**
 * A ready knowledge source with chunks, written straight to the database (as ingestion would leave
 * it; vectors from fakeEmbedding under "ollama:nomic-embed-text" unless given), then the gateway's cache
 * of the tenant dropped, so the next turn sees it.
 */
export async function seedSource(gw: TestGateway, source: SeedSource): Promise<string> {
  const { sourceId } = await seedKnowledgeSource((sql, values) => gw.db.$executeRawUnsafe(sql, ...values), source);
  // Postgres notifies every gateway of the new source; this one is told at once, so the next turn sees it.
  gw.app.get(TenantCache).invalidate(source.tenantId);
  return sourceId;
}

/** The tenant's own embedding model (provider "none": full-text search only), as the admin would set it. */
export async function setEmbeddingModel(gw: TestGateway, tenantId: string, config: { provider: 'ollama' | 'openai' | 'none'; model?: string; baseUrl?: string }): Promise<void> {
  await gw.db.embeddingConfig.upsert({
    where: { tenantId },
    create: { tenantId, provider: config.provider, model: config.model ?? null, baseUrl: config.baseUrl ?? null },
    update: { provider: config.provider, model: config.model ?? null, baseUrl: config.baseUrl ?? null },
  });
  gw.app.get(TenantCache).invalidate(tenantId);
}

/** The knowledge section of the system prompt the fake model received in request `index`. */
export function knowledgeSent(gw: TestGateway, index: number): string {
  const body = gw.fake.chatRequests()[index]?.body as { messages?: { role: string; content: string }[] } | undefined;
  const system = body?.messages?.find((m) => m.role === 'system')?.content ?? '';
  const match = /<untrusted_knowledge>([\s\S]*)<\/untrusted_knowledge>/.exec(system);
  return match?.[1] ?? '';
}

/** Paths of the embedding requests the fake received. */
export function embedRequests(gw: TestGateway): string[] {
  return gw.fake.requests.filter((r) => r.path === '/api/embed' || r.path === '/api/embeddings' || r.path === '/v1/embeddings').map((r) => r.path);
}
