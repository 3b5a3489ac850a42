import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { ROOT } from './workspace.mjs';

export const RESULTS_DIR = join(ROOT, 'bench-results');

/** What the figures were measured on. */
export function machineInfo() {
  const cpuList = cpus();
  return {
    cpuCount: cpuList.length,
    cpuModel: cpuList[0]?.model ?? null,
    node: process.version,
    platform: `${platform()} ${release()}`,
    totalMemoryMb: Math.round(totalmem() / 2 ** 20),
    freeMemoryMb: Math.round(freemem() / 2 ** 20),
    loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
  };
}

/** Writes `bench-results/<name>.json` (git-ignored) and returns its path relative to the repo root. */
export function writeResults(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return relative(process.cwd(), file) || file;
}
