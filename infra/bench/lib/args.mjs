import { SetupError } from './workspace.mjs';

/** A command-line integer of at least `min`, or a SetupError naming the flag. */
export function integerOption(flag, value, min = 1) {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min) throw new SetupError(`${flag}: expected ${min === 1 ? 'positive integers' : `integers of at least ${min}`}, got "${value}"`);
  return parsed;
}
