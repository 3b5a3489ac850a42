import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const GATEWAY_DIR = join(__dirname, '..');
/** The operator CLI as operators run it: the built `dist/cli/main.js`. */
export const CLI = join(GATEWAY_DIR, 'dist', 'cli', 'main.js');

function newestMtime(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    }),
  );
}

/** CI builds before testing (turbo); locally, rebuild when the CLI or the services it uses changed since. */
export function ensureBuilt(): void {
  const sources = ['cli', 'admin', 'common', 'auth', 'config', 'knowledge', 'widget', 'retrieval'].map((dir) => newestMtime(join(GATEWAY_DIR, 'src', dir)));
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= Math.max(...sources)) return;
  execFileSync(join(GATEWAY_DIR, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: GATEWAY_DIR, stdio: 'pipe' });
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bb …` as a child process with only PATH and `env` in its environment (undefined removes a variable). */
export function runCli(args: string[], env: Record<string, string | undefined>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
