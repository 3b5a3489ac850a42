import type { z } from 'zod';

/** The first message per field from zod issues; items of a list field ("origins.2") count for the list. */
export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const [field, index] = issue.path;
    const key = field === undefined ? '' : String(field);
    if (key in errors) continue;
    errors[key] = typeof index === 'number' ? `Entry ${index + 1}: ${issue.message}` : issue.message;
  }
  return errors;
}

/** Form text → request value: '' is "not given". */
export function optionalText(value: string): string | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** '' → undefined, otherwise a number (NaN stays NaN, so the schema reports it). */
export function optionalNumber(value: string): number | undefined {
  const trimmed = value.trim();
  return trimmed === '' ? undefined : Number(trimmed);
}

/** One entry per line or comma. */
export function lines(value: string): string[] {
  return value
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter(Boolean);
}
