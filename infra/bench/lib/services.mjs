import { connect } from 'node:net';
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
