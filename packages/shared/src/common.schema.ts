import { z } from 'zod';

export const ZUuid = z.uuid();

/** Session ids are ours (UUIDs) or a server caller's own opaque id. */
export const ZSessionId = z
  .string()
  .min(8)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

export const HOST_CONTEXT_MAX_BYTES = 8 * 1024;

/** Host-app context: a flat-ish JSON object, size-capped; it reaches the prompt as data, never as instructions. */
export const ZHostContext = z
  .record(z.string().max(64), z.json())
  .refine((value) => new TextEncoder().encode(JSON.stringify(value)).length <= HOST_CONTEXT_MAX_BYTES, {
    message: `context must be at most ${HOST_CONTEXT_MAX_BYTES} bytes of JSON`,
  });
export type THostContext = z.infer<typeof ZHostContext>;

export const ZCitation = z.object({
  index: z.number().int().positive(),
  sourceId: z.string(),
  title: z.string(),
  url: z.string().optional(),
  page: z.number().int().optional(),
  snippet: z.string(),
});
export type TCitation = z.infer<typeof ZCitation>;

export const ZUsage = z.object({
  promptTokens: z.number().int().nonnegative(),
  completionTokens: z.number().int().nonnegative(),
});
export type TUsage = z.infer<typeof ZUsage>;

export const ZMessageRole = z.enum(['user', 'assistant', 'system', 'tool', 'operator']);
export const ZMessageStatus = z.enum(['complete', 'streaming', 'failed']);
