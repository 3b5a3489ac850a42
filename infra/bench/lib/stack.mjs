import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { onCleanup } from './cleanup.mjs';
import { freePort, startNodeChild } from './children.mjs';
import { assertRedisReachable } from './services.mjs';
import { builtFile, requireBuilt, ROOT, SetupError } from './workspace.mjs';

/** The pieces a bench runs the real gateway on: the fake LLM, a fresh database, the built gateway. */

export const MODEL = 'llama3.2:1b';

export function log(message) {
  console.error(`[bench] ${message}`);
}

export function redact(url) {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

/** The fake LLM in its own process (`args`: fake-llm CLI flags such as --text, --token-delay-ms). */
export async function startFakeLlm(args) {
  const fakeCli = builtFile('packages/testing/dist/bin/fake-llm.js', '@babble-buddy/testing');
  const fake = startNodeChild('fake-llm', [fakeCli, '--port', '0', ...args], { cwd: ROOT });
  const [, url] = await fake.waitForLine(/listening on (http:\/\/\S+)/);
  log(`fake LLM at ${url} (pid ${fake.pid})`);
  return { url, child: fake };
}

/** A fresh, migrated database, dropped at cleanup; also returns the db package (createDbClient, generateApiKey…). */
export async function createBenchDatabase() {
  const dbPackage = requireBuilt('packages/db/dist/index.js', '@babble-buddy/db');
  const baseDatabaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  let database;
  try {
    database = await dbPackage.createTestDatabase(baseDatabaseUrl);
  } catch (error) {
    throw new SetupError(`cannot create a database from ${redact(baseDatabaseUrl)} (is Postgres running? set DATABASE_URL): ${error.message}`);
  }
  onCleanup(async () => {
    await database.drop();
    log(`dropped database ${database.name}`);
  });
  log(`database ${database.name}`);
  return { database, db: dbPackage };
}

/** The built gateway in its own process on a free port, healthy before this resolves. */
export async function startGateway({ databaseUrl, fakeUrl, env = {}, nodeArgs = [], stopSignal = 'SIGTERM' }) {
  const gatewayMain = builtFile('apps/gateway/dist/main.js', '@babble-buddy/gateway');
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  await assertRedisReachable(redisUrl);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const gatewayEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    LLM_PROVIDER: 'ollama',
    OLLAMA_BASE_URL: fakeUrl,
    OLLAMA_MODEL: MODEL,
    LLM_FALLBACK: 'false',
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    JWT_SECRET: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
    ...env,
  };
  const nodeFlags = gatewayNodeFlags();
  const child = startNodeChild('gateway', [...nodeFlags, ...nodeArgs, gatewayMain], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...gatewayEnv },
    stopSignal,
  });
  await waitForHealth(child, url);
  return { url, child, env: gatewayEnv, nodeFlags };
}

/**
 * The floor proxy (floor-proxy.mjs) in its own process with the gateway's node flags: the turn
 * store and one plain Node hop, nothing else. `turn`: the tenant and agent whose turns it stores.
 */
export async function startFloorProxy({ databaseUrl, fakeUrl, turn }) {
  const port = await freePort();
  const child = startNodeChild('floor proxy', [...gatewayNodeFlags(), join(ROOT, 'infra/bench/lib/floor-proxy.mjs')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), UPSTREAM_URL: fakeUrl, DATABASE_URL: databaseUrl, TENANT_ID: turn.tenantId, AGENT_ID: turn.agentId, MODEL },
  });
  const [, url] = await child.waitForLine(/floor proxy listening on (http:\/\/\S+)/);
  return { url, child };
}

/** The node flags of the gateway's start script, so a bench runs the gateway as operators do. */
function gatewayNodeFlags() {
  const { scripts } = JSON.parse(readFileSync(join(ROOT, 'apps/gateway/package.json'), 'utf8'));
  const words = scripts.start.split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/main.js') throw new SetupError(`apps/gateway's start script is not "node [flags] dist/main.js": ${scripts.start}`);
  return words.slice(1, -1);
}

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
