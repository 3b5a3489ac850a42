import { ensureDatabase, migrate } from '../migrate';
import { readDbCliEnv } from './config';

async function main(): Promise<void> {
  const { databaseUrl } = readDbCliEnv();
  if (await ensureDatabase(databaseUrl)) console.log(`created database ${new URL(databaseUrl).pathname.slice(1)}`);
  const result = await migrate(databaseUrl, { log: (line) => console.log(line) });
  console.log(`migrations: ${result.applied.length} applied, ${result.alreadyApplied.length} already applied`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
