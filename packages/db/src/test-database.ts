import { createHash, randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate, readMigrations } from './migrate';

/**
 * A fresh, migrated database per test file: migrations run once into a template named after
 * their checksums, then each test database is a cheap `CREATE DATABASE … TEMPLATE` copy.
 */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(baseUrl = 'postgresql://postgres@127.0.0.1:5432/postgres'): Promise<TestDatabase> {
  const fingerprint = createHash('sha256')
    .update(readMigrations().map((m) => m.checksum).join(','))
    .digest('hex')
    .slice(0, 12);
  const template = `bb_template_${fingerprint}`;
  const name = `bb_test_${process.pid}_${randomBytes(4).toString('hex')}`;

  await withAdmin(baseUrl, async (admin) => {
    // One process at a time builds the template.
    await admin.query('SELECT pg_advisory_lock(4242001)');
    try {
      const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (!rowCount) {
        await admin.query(`CREATE DATABASE "${template}"`);
        try {
          await migrate(urlFor(baseUrl, template));
        } catch (error) {
          await admin.query(`DROP DATABASE IF EXISTS "${template}"`);
          throw error;
        }
      }
      await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    } finally {
      await admin.query('SELECT pg_advisory_unlock(4242001)');
    }
  });

  return {
    url: urlFor(baseUrl, name),
    name,
    drop: () => withAdmin(baseUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined)),
  };
}

function urlFor(baseUrl: string, database: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withAdmin<T>(baseUrl: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: urlFor(baseUrl, 'postgres') });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
