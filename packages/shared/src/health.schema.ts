import { z } from 'zod';

export const ZHealthReady = z.object({
  status: z.enum(['ok', 'degraded', 'error']),
  checks: z.object({
    db: z.enum(['ok', 'error']),
    redis: z.enum(['ok', 'error']),
    llm: z.record(z.string(), z.enum(['connected', 'unreachable'])),
  }),
  details: z.record(z.string(), z.string()).optional(),
});
export type THealthReady = z.infer<typeof ZHealthReady>;
