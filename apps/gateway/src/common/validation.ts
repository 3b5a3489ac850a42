import type { z } from 'zod';
import { ErrorCode } from '@babble-buddy/shared';
import { AppError } from './app-error';

/** Parses with a shared schema; unknown fields and bad values become VALIDATION_FAILED with the issues. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown, what = 'request body'): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.join('.'),
    message: issue.message,
    ...(issue.code === 'unrecognized_keys' ? { keys: issue.keys } : {}),
  }));
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid';
  throw new AppError(ErrorCode.ValidationFailed, `Invalid ${what}: ${summary}`, { issues });
}
