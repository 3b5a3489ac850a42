import { z } from 'zod';
import { ZSessionId } from './common.schema';

/** POST /api/v1/widget/session with a publishable key (Authorization: Bearer pk_…) from an allowed origin. */
export const ZWidgetSessionRequest = z.strictObject({
  /** Continue this conversation (from an earlier session) instead of starting one. */
  sessionId: ZSessionId.optional(),
});
export type TWidgetSessionRequest = z.infer<typeof ZWidgetSessionRequest>;

export const ZWidgetSessionResponse = z.object({
  /** Short-lived bearer token bound to tenant + session + origin; send it as Authorization or socket auth. */
  token: z.string(),
  sessionId: z.string(),
  expiresAt: z.string(),
  tenant: z.object({ id: z.string(), name: z.string() }),
});
export type TWidgetSessionResponse = z.infer<typeof ZWidgetSessionResponse>;
