import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SetupError } from './workspace.mjs';

/** Fails fast, with a hint, when nothing speaking Redis answers at `url` (a PING, no client library). */
export function assertRedisReachable(url, timeoutMs = 3000) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const fail = (reason) => {
      socket.destroy();
      reject(new SetupError(`Redis is not reachable at ${hostname}:${port || 6379} (${reason}); start it or set REDIS_URL`));
    };
    socket.setTimeout(timeoutMs, () => fail('timed out'));
    socket.once('error', (error) => fail(error.message));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      // +PONG, or an error such as -NOAUTH: either way a Redis server is there.
      if (/^[+-]/.test(data.toString('latin1'))) resolve();
      else fail('the server there does not speak Redis');
    });
  });
}

/** Waits until a started gateway answers GET /health with 200; fails with its output if it exits first. */
export async function waitForHealth(gateway, url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!gateway.running) throw new Error(`the gateway exited before it was healthy:\n${gateway.output()}`);
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`the gateway did not answer GET /health with 200 within ${timeoutMs} ms:\n${gateway.output()}`);
}

/** A database URL fit for logs (no password). */
export function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
