import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { IngestError, KnowledgeErrorCode } from '../errors';
import type { ParseResult, ParseTask } from '../pipeline';
import type { ThreadReply, ThreadRequest } from './protocol';

export interface ParseSandboxOptions {
  /** Threads parsing at once (the worker's job concurrency is a good value). */
  threads: number;
  /** A parse taking longer is stopped (its thread terminated) and the document refused. */
  timeoutMs: number;
  /** Heap of each thread; a document needing more (a zip bomb in a DOCX) is refused as too large. */
  maxMemoryMb: number;
}

export const DEFAULT_SANDBOX_OPTIONS: ParseSandboxOptions = { threads: 2, timeoutMs: 120_000, maxMemoryMb: 512 };

interface Pending {
  task: ParseTask;
  signal: AbortSignal | undefined;
  resolve: (result: ParseResult) => void;
  reject: (error: unknown) => void;
}

interface Thread {
  worker: Worker;
  busy: boolean;
}

/**
 * Parses and chunks documents in a small pool of worker threads. A thread keeps the worker's event
 * loop free (BullMQ lock renewals, progress events) while pdf.js works through a long PDF, and it can
 * be killed: a parse that hangs or eats memory costs its thread, never the process. pdf.js being
 * ESM-only also loads cleanly there, whatever module system the caller runs under.
 */
export class ParseSandbox {
  private readonly options: ParseSandboxOptions;
  private readonly threads = new Set<Thread>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: Partial<ParseSandboxOptions> = {}) {
    this.options = { ...DEFAULT_SANDBOX_OPTIONS, ...options };
  }

  parse(task: ParseTask, signal?: AbortSignal): Promise<ParseResult> {
    if (this.closed) return Promise.reject(new Error('the parse sandbox is closed'));
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      this.queue.push({ task, signal, resolve, reject });
      this.dispatch();
    });
  }

  /** Terminates every thread; parses under way are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('the parse sandbox is closed'));
    await Promise.all([...this.threads].map((thread) => thread.worker.terminate()));
    this.threads.clear();
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let thread = [...this.threads].find((candidate) => !candidate.busy);
      if (!thread && this.threads.size < this.options.threads) thread = this.spawn();
      if (!thread) return;
      const pending = this.queue.shift();
      if (!pending) return;
      if (pending.signal?.aborted) {
        pending.reject(pending.signal.reason);
        continue;
      }
      this.run(thread, pending);
    }
  }

  private spawn(): Thread {
    const worker = new Worker(threadScript(), {
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxMemoryMb },
      stdout: false,
      stderr: false,
    });
    // An idle thread must not keep the process alive.
    worker.unref();
    const thread: Thread = { worker, busy: false };
    this.threads.add(thread);
    worker.once('exit', () => this.threads.delete(thread));
    return thread;
  }

  private run(thread: Thread, pending: Pending): void {
    thread.busy = true;
    thread.worker.ref();
    const id = this.nextId++;
    let settled = false;

    const finish = (outcome: { result: ParseResult } | { error: unknown }, keepThread: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      thread.worker.off('message', onMessage);
      thread.worker.off('error', onError);
      thread.worker.off('exit', onExit);
      pending.signal?.removeEventListener('abort', onAbort);
      if (keepThread) {
        thread.busy = false;
        thread.worker.unref();
      } else {
        this.threads.delete(thread);
        void thread.worker.terminate();
      }
      if ('result' in outcome) pending.resolve(outcome.result);
      else pending.reject(outcome.error);
      if (!this.closed) this.dispatch();
    };

    const onMessage = (reply: ThreadReply) => {
      if (reply.id !== id) return;
      if (reply.ok) finish({ result: reply.result }, true);
      else {
        const error = reply.error.code
          ? new IngestError(reply.error.code, reply.error.message, { retryable: reply.error.retryable })
          : new IngestError(KnowledgeErrorCode.ParseFailed, `The document could not be read: ${reply.error.message}`);
        finish({ error }, true);
      }
    };
    const onError = (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish(
        {
          error: outOfMemory
            ? new IngestError(KnowledgeErrorCode.TooLarge, `The document needs more than ${this.options.maxMemoryMb} MB of memory to read`)
            : new IngestError(KnowledgeErrorCode.ParseFailed, `The document could not be read: ${error.message}`),
        },
        false,
      );
    };
    const onExit = (code: number) => finish({ error: new IngestError(KnowledgeErrorCode.ParseFailed, `The parser stopped unexpectedly (exit ${code})`) }, false);
    const onAbort = () => finish({ error: pending.signal?.reason ?? new Error('aborted') }, false);
    const timer = setTimeout(
      () => finish({ error: new IngestError(KnowledgeErrorCode.ParseFailed, `Reading the document took longer than ${Math.round(this.options.timeoutMs / 1000)} s; it may be damaged or too complex`) }, false),
      this.options.timeoutMs,
    );

    thread.worker.on('message', onMessage);
    thread.worker.on('error', onError);
    thread.worker.on('exit', onExit);
    pending.signal?.addEventListener('abort', onAbort, { once: true });

    // The bytes are copied once into a buffer of their own and moved, not cloned, to the thread.
    const bytes = new Uint8Array(pending.task.bytes);
    const request: ThreadRequest = { id, task: { ...pending.task, bytes } };
    thread.worker.postMessage(request, [bytes.buffer]);
  }
}

/**
 * The compiled thread entry next to this file; when this file runs from source (Jest), the one in
 * the package's build output (turbo builds a package before testing it).
 */
function threadScript(): string {
  const beside = join(__dirname, 'parse.thread.js');
  if (existsSync(beside)) return beside;
  const built = join(__dirname, '..', '..', 'dist', 'sandbox', 'parse.thread.js');
  if (existsSync(built)) return built;
  throw new Error('parse.thread.js not found: build @babble-buddy/ingest first (pnpm --filter @babble-buddy/ingest build)');
}
