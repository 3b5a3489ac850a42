import { createDbClient } from '../client';
import { seedDemo } from '../seed';
import { readDbCliEnv } from './config';

async function main(): Promise<void> {
  const env = readDbCliEnv();
  const db = createDbClient(env.databaseUrl, { poolSize: 2 });
  try {
    const seed = await seedDemo(db, { allowedOrigins: env.demoOrigins, keysFile: env.keysFile });
    console.log(JSON.stringify(seed, null, 2));
  } finally {
    await db.$disconnect();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
