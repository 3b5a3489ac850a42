#!/usr/bin/env node
// `pnpm bench [name] [options]`: runs one bench, or every bench in turn when no name is given.
// A bench is a module exporting `description` and `run(argv)`; add yours to BENCHES.
import { cleanup, installSignalHandlers, Interrupted } from './lib/cleanup.mjs';
import { SetupError } from './lib/workspace.mjs';

const BENCHES = {
  gateway: './gateway.mjs',
  widget: './widget.mjs',
  ingest: './ingest.mjs',
  admin: './admin.mjs',
  retrieval: './retrieval.mjs',
};

async function main() {
  const [name, ...argv] = process.argv.slice(2);
  if (name === '--help' || name === '-h' || name === 'list') {
    await listBenches(console.log);
    return 0;
  }
  if (name !== undefined && !(name in BENCHES)) {
    console.error(`Unknown bench "${name}".`);
    await listBenches(console.error);
    return 2;
  }
  installSignalHandlers();
  let failed = 0;
  for (const bench of name === undefined ? Object.keys(BENCHES) : [name]) {
    if (name === undefined) console.log(`\n=== bench ${bench} ===`);
    try {
      const module = await import(BENCHES[bench]);
      await module.run(argv);
    } catch (error) {
      failed++;
      if (error instanceof Interrupted) console.error(`[bench] ${bench} interrupted`);
      else console.error(`\n[bench] ${bench} failed: ${error instanceof SetupError ? error.message : (error?.stack ?? error)}`);
    } finally {
      await cleanup();
    }
  }
  return failed > 0 ? 1 : 0;
}

async function listBenches(print) {
  print('Usage: pnpm bench [name] [options]   (no name runs them all; `pnpm bench <name> --help` for options)\n\nBenches:');
  for (const [name, path] of Object.entries(BENCHES)) {
    const { description } = await import(path);
    print(`  ${name.padEnd(12)} ${description}`);
  }
}

main().then((code) => process.exit(code));
