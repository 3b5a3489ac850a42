import { execFileSync } from 'node:child_process';
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
  const sources = ['cli', 'admin', 'common', 'auth', 'config', 'knowledge'].map((dir) => newestMtime(join(GATEWAY_DIR, 'src', dir)));
  if (existsSync(CLI) && statSync(CLI).mtimeMs >= Math.max(...sources)) return;
  execFileSync(join(GATEWAY_DIR, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], { cwd: GATEWAY_DIR, stdio: 'pipe' });
}
