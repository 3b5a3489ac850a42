#!/usr/bin/env node
import { CommanderError } from 'commander';
import { AppError } from '../common/app-error';
import { ConfigError } from '../config/config.schema';
import { CliContext } from './cli-context';
import { CliFailure } from './kb.commands';
import { buildProgram, CliUsageError } from './program';

/** Exit codes: 0 done, 1 something failed while running (database unreachable…), 2 bad arguments or environment. */
async function main(argv: string[]): Promise<number> {
  const ctx = new CliContext();
  try {
    await buildProgram(ctx).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its one-line message (or the help text).
      return error.exitCode === 0 ? 0 : 2;
    }
    const { message, code } = describe(error);
    process.stderr.write(`error: ${message}\n`);
    return code;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

function describe(error: unknown): { message: string; code: number } {
  if (error instanceof CliUsageError) return { message: error.message, code: 2 };
  // The command already reported the details (which sources failed and why).
  if (error instanceof CliFailure) return { message: error.message, code: 1 };
  if (error instanceof ConfigError) return { message: error.message, code: 2 };
  // The admin services' own refusals: bad values, unknown ids, taken slugs.
  if (error instanceof AppError) return { message: error.message, code: error.status < 500 ? 2 : 1 };
  const prismaCode = (error as { code?: unknown } | null)?.code;
  const lastLine = error instanceof Error ? (error.message.trim().split('\n').at(-1) ?? error.message) : String(error);
  if (prismaCode === 'P2021') return { message: `${lastLine} (run \`pnpm db:migrate\` first)`, code: 1 };
  if (typeof prismaCode === 'string' && /^P10\d\d$/.test(prismaCode)) return { message: `database: ${lastLine}`, code: 1 };
  return { message: lastLine, code: 1 };
}

void main(process.argv).then((code) => {
  process.exitCode = code;
});
