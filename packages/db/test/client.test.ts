import { Client } from 'pg';
import { createDbClient, createTestDatabase, preparedQuery, type TestDatabase } from '../src';

const BASE_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
/** node-postgres closes a pool's connections after they sat idle this long. */
const POOL_IDLE_TIMEOUT_MS = 10_000;

describe('createDbClient pools', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(BASE_URL);
  });
  afterAll(() => database.drop());

  /** Backends connected to the test database, by application name. */
  async function connections(): Promise<Record<string, number>> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string; n: number }>(
        "SELECT application_name AS name, count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'pool-%' GROUP BY 1",
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.n]));
    } finally {
      await client.end();
    }
  }

  it('keepOpen keeps every connection a burst opened past the idle timeout; the default closes them', async () => {
    const url = (name: string) => `${database.url}${database.url.includes('?') ? '&' : '?'}application_name=${name}`;
    const kept = createDbClient(url('pool-kept'), { poolSize: 4, keepOpen: true });
    const closing = createDbClient(url('pool-closing'), { poolSize: 4 });
    try {
      // Through Prisma once, so that `$disconnect()` (Prisma owns the pool) ends the pool at the end.
      await Promise.all([kept.$queryRaw`SELECT 1`, closing.$queryRaw`SELECT 1`]);
      const burst = { name: 'bb_test_sleep', text: 'SELECT pg_sleep(0.1)' };
      await Promise.all([kept, closing].flatMap((db) => Array.from({ length: 4 }, () => preparedQuery(db, burst, []))));
      expect(await connections()).toEqual({ 'pool-kept': 4, 'pool-closing': 4 });
      await new Promise((resolve) => setTimeout(resolve, POOL_IDLE_TIMEOUT_MS + 1500));
      expect(await connections()).toEqual({ 'pool-kept': 4 });
    } finally {
      await Promise.all([kept.$disconnect(), closing.$disconnect()]);
    }
  }, 30_000);
});
