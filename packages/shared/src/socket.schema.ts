import { z } from 'zod';
import { ZErrorCode } from './errors';
import { ZCitation, ZHostContext, ZSessionId, ZUsage } from './common.schema';
import { ZChatRequest } from './chat.schema';

/** socket.io namespace for chat. Authenticate with `auth: { token }` (widget session token or secret key). */
export const CHAT_NAMESPACE = '/chat';

export const ZSendMessage = ZChatRequest;
export type TSendMessage = z.infer<typeof ZSendMessage>;

const ZAckError = z.object({ ok: z.literal(false), error: z.object({ code: ZErrorCode, message: z.string() }) });

export const ZSendMessageAck = z.union([
  z.object({ ok: z.literal(true), sessionId: z.string(), userMessageId: z.string(), messageId: z.string() }),
  ZAckError,
]);
export type TSendMessageAck = z.infer<typeof ZSendMessageAck>;

export const ZTyping = z.strictObject({ sessionId: ZSessionId.optional() });
export type TTyping = z.infer<typeof ZTyping>;

/** Ask for everything after `afterSeq` of an answer (0 = from the start); the ack says where it stands. */
export const ZResume = z.strictObject({ messageId: z.uuid(), afterSeq: z.number().int().min(0) });
export type TResume = z.infer<typeof ZResume>;

export const ZResumeAck = z.union([
  z.object({ ok: z.literal(true), messageId: z.string(), status: z.enum(['streaming', 'complete', 'failed']) }),
  ZAckError,
]);
export type TResumeAck = z.infer<typeof ZResumeAck>;

export const ZResponseChunk = z.object({ messageId: z.string(), sessionId: z.string(), seq: z.number().int().positive(), text: z.string() });
export type TResponseChunk = z.infer<typeof ZResponseChunk>;

export const ZResponseComplete = z.object({
  messageId: z.string(),
  sessionId: z.string(),
  seq: z.number().int().positive(),
  status: z.enum(['complete', 'failed']),
  response: z.string(),
  citations: z.array(ZCitation),
  usage: ZUsage,
  /** Search results given while no model was reachable (see TChatResponse.knowledgeOnly). */
  knowledgeOnly: z.boolean().optional(),
  error: z.object({ code: ZErrorCode, message: z.string() }).optional(),
});
export type TResponseComplete = z.infer<typeof ZResponseComplete>;

export const ZTypingEvent = z.object({ sessionId: z.string(), from: z.enum(['visitor', 'assistant', 'operator']), isTyping: z.boolean() });
export type TTypingEvent = z.infer<typeof ZTypingEvent>;

export const ZSocketError = z.object({ code: ZErrorCode, message: z.string(), messageId: z.string().optional() });
export type TSocketError = z.infer<typeof ZSocketError>;

export const ZContextUpdate = z.strictObject({ context: ZHostContext });

/** Typed event maps for socket.io's generics (server and client share them). */
export interface ChatServerToClientEvents {
  response_chunk: (event: TResponseChunk) => void;
  response_complete: (event: TResponseComplete) => void;
  typing: (event: TTypingEvent) => void;
  action_performed: (event: { sessionId: string; messageId: string; name: string; status: 'started' | 'finished' | 'failed' }) => void;
  human_joined: (event: { sessionId: string; name: string }) => void;
  error: (event: TSocketError) => void;
}
export interface ChatClientToServerEvents {
  send_message: (payload: TSendMessage, ack: (result: TSendMessageAck) => void) => void;
  typing_start: (payload: TTyping) => void;
  typing_stop: (payload: TTyping) => void;
  resume: (payload: TResume, ack: (result: TResumeAck) => void) => void;
}
