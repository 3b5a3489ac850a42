import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type QueryResultRow } from 'pg';
import { PrismaClient } from './generated/prisma/client';

export interface DbClientOptions {
  /** Connections in this client's pool. */
  poolSize?: number;
  /**
   * Keep every connection open once opened, instead of closing those idle for 10 s. For a server: a
   * burst after a quiet spell then finds its connections (and their prepared statements) ready,
   * instead of opening them while its requests wait.
   */
  keepOpen?: boolean;
}

/** The node-postgres pool under each client, for `preparedQuery`. */
const pools = new WeakMap<PrismaClient, Pool>();

/** One Prisma client over node-postgres; create one per process and share it. */
export function createDbClient(databaseUrl: string, options: DbClientOptions = {}): PrismaClient {
  const max = options.poolSize ?? 10;
  const pool = new Pool({ connectionString: databaseUrl, max, ...(options.keepOpen ? { min: max } : {}) });
  // Prisma owns the pool: `$disconnect()` ends it.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

export type DbClient = PrismaClient;

/** A statement for `preparedQuery`: a name unique per SQL text, and the SQL with `$1…` parameters. */
export interface PreparedStatement {
  name: string;
  text: string;
}

/**
 * Runs a statement of a hot path (the chat pipeline's writes) as a named prepared statement on the
 * client's own pool: Postgres parses and plans it once per connection, and it skips Prisma's
 * per-query work (about 0.6 ms a call here). Give every parameter an explicit cast in the SQL.
 */
export async function preparedQuery<R extends QueryResultRow>(db: DbClient, statement: PreparedStatement, values: unknown[]): Promise<{ rows: R[]; rowCount: number }> {
  const pool = pools.get(db);
  if (!pool) throw new Error('preparedQuery needs a client made by createDbClient');
  const result = await pool.query<R>({ name: statement.name, text: statement.text, values });
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}
