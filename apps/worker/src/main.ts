import { ConfigError, loadWorkerConfig } from './config';
import { createLogger } from './logger';
import { createWorkerApp } from './worker.app';

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createLogger(config.LOG_LEVEL);
  const app = await createWorkerApp(config, { logger });
  let signals = 0;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      signals++;
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      logger.info({ signal }, 'stopping: running jobs go back to the queue');
      app.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
