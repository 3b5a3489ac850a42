import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

/**
 * The machine's CPU time so far from Linux's /proc/stat, in clock ticks: `steal` is time the
 * hypervisor gave this VM's CPUs to someone else while they had work, `total` every tick counted
 * (steal included). Null where /proc/stat cannot be read.
 */
export function cpuTicks() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user and nice]
    const counted = fields.slice(0, 8);
    if (counted.length < 8 || counted.some((n) => !Number.isFinite(n))) return null;
    return { steal: counted[7], total: counted.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Writes `bench-results/<name>.json` (git-ignored) and returns its path relative to the repo root. */
export function writeResults(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return relative(process.cwd(), file) || file;
}
