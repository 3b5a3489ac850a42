import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { onCleanup, onProcessExit } from './cleanup.mjs';

const KEPT_LINES = 60;

/**
 * A Node child process whose output is drained (a full pipe would stall it) and kept, last lines
 * only, for error messages. Stopped at cleanup; killed outright if the bench process dies first.
 */
export function startNodeChild(name, args, { env, cwd, stopSignal = 'SIGTERM' } = {}) {
  const child = spawn(process.execPath, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const lineListeners = new Set();
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    let partial = '';
    stream.on('data', (data) => {
      const parts = (partial + data).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
        for (const listener of lineListeners) listener(line);
      }
    });
  }
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }));
  const forget = onProcessExit(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'));

  const handle = {
    name,
    child,
    pid: child.pid,
    /** The last lines the child printed, each cut to a readable length. */
    output: (count = 12) =>
      lines
        .slice(-count)
        .map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line))
        .join('\n'),
    /** Resolves with the first match of `pattern` in the output; rejects if the child exits first. */
    waitForLine(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const done = (fn, value) => {
          lineListeners.delete(listener);
          clearTimeout(timer);
          fn(value);
        };
        const listener = (line) => {
          const match = pattern.exec(line);
          if (match) done(resolve, match);
        };
        for (const line of lines) {
          const match = pattern.exec(line);
          if (match) return resolve(match);
        }
        lineListeners.add(listener);
        const timer = setTimeout(() => done(reject, new Error(`${name} printed nothing matching ${pattern} in ${timeoutMs} ms:\n${handle.output()}`)), timeoutMs);
        exited.then(({ code, signal }) => done(reject, new Error(`${name} exited (${signal ?? code}) before it was ready:\n${handle.output()}`)));
      });
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    exited,
    /** Stops the child and waits for it (SIGKILL after `graceMs`). */
    async stop(graceMs = 5000) {
      forget();
      if (!handle.running) return;
      child.kill(stopSignal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    /** User + system CPU time of the child so far, in ms (Linux /proc; null elsewhere). */
    cpuMs() {
      try {
        // Fields after the command name, which is in parentheses and may contain spaces.
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
        return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
      } catch {
        return null;
      }
    },
  };
  onCleanup(() => handle.stop());
  return handle;
}

/** A port nobody listens on right now (the OS picks it; another process could still take it). */
export async function freePort() {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}
