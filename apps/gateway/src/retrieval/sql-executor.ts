import type { SqlExecutor, SqlQuery } from '@babble-buddy/ai';
import type { DbClient } from '@babble-buddy/db';

/** Retrieval's SQL over Prisma's raw queries; the transaction keeps the HNSW scan settings local to one search. */
export function prismaSqlExecutor(db: DbClient): SqlExecutor {
  const query: SqlQuery = <Row>(text: string, values: readonly unknown[]) => db.$queryRawUnsafe<Row[]>(text, ...values);
  return {
    query,
    transaction: (work) => db.$transaction((tx) => work(<Row>(text: string, values: readonly unknown[]) => tx.$queryRawUnsafe<Row[]>(text, ...values))),
  };
}
