import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/prisma/client';

export interface DbClientOptions {
  /** Connections in this client's pool. */
  poolSize?: number;
}

/** One Prisma client over node-postgres; create one per process and share it. */
export function createDbClient(databaseUrl: string, options: DbClientOptions = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.poolSize ?? 10 });
  return new PrismaClient({ adapter });
}

export type DbClient = PrismaClient;
