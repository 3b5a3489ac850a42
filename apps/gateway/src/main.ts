import { createGatewayApp } from './app.factory';
import { ConfigError } from './config/config.schema';
import { loadConfigFromEnv } from './config/config';

async function main(): Promise<void> {
  const config = loadConfigFromEnv();
  const { app, logger } = await createGatewayApp(config);
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT, provider: config.LLM_PROVIDER }, `gateway listening on http://${config.HOST}:${config.PORT}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
