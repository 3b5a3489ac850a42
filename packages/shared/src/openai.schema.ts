import { z } from 'zod';

/**
 * The subset of OpenAI's Chat Completions request we honour. Unknown fields are stripped, not
 * refused: OpenAI SDKs send options (seed, logprobs…) that a compatible server may ignore.
 */
const ZContentPart = z.object({ type: z.string(), text: z.string().optional() });
export const ZOpenAIMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(ZContentPart), z.null()]).optional(),
  name: z.string().optional(),
});

export const ZOpenAIChatRequest = z.object({
  model: z.string().min(1),
  messages: z.array(ZOpenAIMessage).min(1).max(500),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  user: z.string().max(256).optional(),
});
export type TOpenAIChatRequest = z.infer<typeof ZOpenAIChatRequest>;
export type TOpenAIMessage = z.infer<typeof ZOpenAIMessage>;

/** OpenAI-style error body for the /v1 surface, with our stable code alongside. */
export interface TOpenAIErrorBody {
  error: { message: string; type: string; code: string; param: string | null; request_id: string };
}
