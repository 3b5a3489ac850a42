import { parentPort } from 'node:worker_threads';
import { isIngestError } from '../errors';
import { parseAndChunk, type ParseTask } from '../pipeline';
import type { ThreadOutcome, ThreadRequest } from './protocol';

/** Worker-thread side of ParseSandbox: one task at a time, answered by id. */
const port = parentPort;
if (!port) throw new Error('parse.thread runs inside a worker thread');

port.on('message', (request: ThreadRequest) => {
  void handle(request.task).then((reply) => port.postMessage({ id: request.id, ...reply }));
});

async function handle(task: ParseTask): Promise<ThreadOutcome> {
  try {
    return { ok: true, result: await parseAndChunk(task) };
  } catch (error) {
    if (isIngestError(error)) return { ok: false, error: { code: error.code, message: error.message, retryable: error.retryable } };
    return { ok: false, error: { code: null, message: error instanceof Error ? error.message : String(error), retryable: false } };
  }
}
