#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startFakeLlm } from '../fake-llm.server';
import type { FakeReply } from '../fake-llm.types';

const USAGE = `Usage: fake-llm [--port 11434] [--host 127.0.0.1] [--text "…"] [--echo]
                [--latency-ms 0] [--token-delay-ms 0] [--models a,b] [--openai-api-key KEY]

Runs a fake LLM speaking Ollama's API at /api/* and OpenAI's at /v1/* until SIGINT/SIGTERM.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '11434' },
      host: { type: 'string', default: '127.0.0.1' },
      text: { type: 'string' },
      echo: { type: 'boolean', default: false },
      'latency-ms': { type: 'string' },
      'token-delay-ms': { type: 'string' },
      models: { type: 'string' },
      'openai-api-key': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }

  const defaultReply: FakeReply = {
    text: values.text,
    echo: values.echo,
    latencyMs: optionalNumber('--latency-ms', values['latency-ms']),
    tokenDelayMs: optionalNumber('--token-delay-ms', values['token-delay-ms']),
  };
  const fake = await startFakeLlm({
    port: optionalNumber('--port', values.port),
    host: values.host,
    models: values.models?.split(',').map((model) => model.trim()).filter(Boolean),
    openaiApiKey: values['openai-api-key'],
    defaultReply,
    // Nobody reads the request log of a standalone fake; recording would only grow memory.
    recordRequests: false,
  });
  console.log(`fake-llm listening on ${fake.url}`);
  console.log(`  Ollama base URL: ${fake.url}`);
  console.log(`  OpenAI base URL: ${fake.openaiUrl}`);

  const stop = (signal: NodeJS.Signals): void => {
    console.log(`fake-llm: ${signal}, shutting down`);
    fake.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

function optionalNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new Error(`${flag} must be a non-negative number, got "${value}"`);
  return parsed;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  console.error(USAGE);
  process.exit(1);
});
