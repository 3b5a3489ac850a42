/**
 * Teardown that runs however a bench ends: normally, on failure, or on Ctrl-C. Tasks run last
 * registered first (stop the gateway before dropping its database).
 */
const tasks = [];
const onExit = new Set();
let stopping = false;

/** True once Ctrl-C (or SIGTERM) arrived: loops should stop starting new work. */
export function isStopping() {
  return stopping;
}

/** What a bench throws when it stops early because of Ctrl-C; not a failure worth a stack trace. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

export function throwIfStopping() {
  if (stopping) throw new Interrupted();
}

export function onCleanup(task) {
  tasks.push(task);
}

/** Synchronous last resort when the process exits without cleanup (killing children). */
export function onProcessExit(task) {
  onExit.add(task);
  return () => onExit.delete(task);
}

let running = null;

/** Runs every registered task once; concurrent callers (a signal during teardown) share one run. */
export function cleanup() {
  running ??= (async () => {
    while (tasks.length > 0) {
      const task = tasks.pop();
      try {
        await task();
      } catch (error) {
        console.error(`[bench] cleanup failed: ${error instanceof Error ? error.message : error}`);
      }
    }
  })().finally(() => {
    running = null;
  });
  return running;
}

let installed = false;

export function installSignalHandlers() {
  if (installed) return;
  installed = true;
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
    process.once(signal, () => {
      stopping = true;
      console.error(`\n[bench] ${signal}: cleaning up`);
      cleanup().finally(() => process.exit(code));
    });
  }
  process.on('exit', () => {
    for (const task of onExit) task();
  });
}
