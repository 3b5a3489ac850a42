/** Environment for the db package's command-line entry points, read once here. */
export function readDbCliEnv(): { databaseUrl: string; demoOrigins: string[]; keysFile: string } {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.error('DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/babble)');
    process.exit(2);
  }
  const demoOrigins = (process.env.DEMO_ORIGINS ?? 'http://localhost:5180,http://127.0.0.1:5180')
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  const keysFile = process.env.DEMO_KEYS_FILE ?? '.babble-buddy/demo-keys.json';
  return { databaseUrl, demoOrigins, keysFile };
}
