import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (infra/bench/lib → ../../..). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const require = createRequire(import.meta.url);

/** Thrown when a bench cannot start because of the checkout, not because of a measurement. */
export class SetupError extends Error {}

/** A file of the build output, or a SetupError telling how to build it. */
export function builtFile(relativePath, filter) {
  const file = join(ROOT, relativePath);
  if (!existsSync(file)) {
    throw new SetupError(`${relativePath} is missing: run \`pnpm install && pnpm build\` (or \`pnpm --filter ${filter}... build\`) first`);
  }
  return file;
}

/** Loads a workspace package from its CommonJS build output (the root does not depend on them). */
export function requireBuilt(relativePath, filter) {
  return require(builtFile(relativePath, filter));
}

/** A dependency of a workspace package (`packageDir`), resolved from that package as it resolves it. */
export function requireFrom(packageDir, name) {
  try {
    return createRequire(join(packageDir, 'package.json'))(name);
  } catch (error) {
    throw new SetupError(`cannot load ${name} from ${packageDir}: run \`pnpm install\` first (${error.message})`);
  }
}
