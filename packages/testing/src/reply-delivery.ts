import { destroyConnection, pause, send, type Exchange } from './http-exchange';
import type { ReplyPlan } from './reply-plan';

/** How one protocol frames a streamed reply. */
export interface StreamFraming {
  contentType: string;
  /** Frames sent with the headers, before the first chunk (e.g. OpenAI's role delta). */
  opening(): string[];
  chunk(text: string): string;
  /** Frames after the last chunk: tool calls, the final/usage frames, the end marker. */
  closing(): string[];
  /** An unparseable frame for `malformedAfterChunks`. */
  garbage: string;
}

/** Minimum pause before a scripted disconnect, so the chunks already written reach the client first. */
const DISCONNECT_GRACE_MS = 25;

/**
 * Streams a planned reply: latency, then the chunks spaced by the token delay, then the closing
 * frames — or a mid-stream death / garbage frame where the plan asks for one. Stops writing as soon
 * as the client goes away.
 */
export async function streamReply(exchange: Exchange, plan: ReplyPlan, framing: StreamFraming): Promise<void> {
  const { res, signal } = exchange;
  await pause(plan.latencyMs, signal);
  if (signal.aborted) return;

  res.writeHead(200, { 'Content-Type': framing.contentType, 'Cache-Control': 'no-cache' });
  const opening = framing.opening();
  if (opening.length > 0) res.write(opening.join(''));
  else res.flushHeaders();

  for (let sent = 0; ; sent++) {
    if (sent === plan.disconnectAfterChunks) {
      await pause(Math.max(plan.tokenDelayMs, DISCONNECT_GRACE_MS), signal);
      destroyConnection(exchange);
      return;
    }
    if (sent === plan.malformedAfterChunks) {
      res.end(framing.garbage);
      return;
    }
    const chunk = plan.chunks[sent];
    if (chunk === undefined) break;
    if (sent > 0) await pause(plan.tokenDelayMs, signal);
    if (signal.aborted) return;
    res.write(framing.chunk(chunk));
  }
  res.end(framing.closing().join(''));
}

/**
 * Answers a non-streamed request after the time streaming would have taken, honouring the
 * disconnect (no response at all) and malformed (a truncated JSON body) failure modes.
 */
export async function deliverWholeReply(exchange: Exchange, plan: ReplyPlan, body: () => unknown): Promise<void> {
  const generationMs = plan.latencyMs + plan.tokenDelayMs * Math.max(plan.chunks.length - 1, 0);
  await pause(generationMs, exchange.signal);
  if (exchange.signal.aborted) return;
  if (plan.disconnectAfterChunks !== undefined) {
    destroyConnection(exchange);
    return;
  }
  const json = JSON.stringify(body());
  if (plan.malformedAfterChunks !== undefined) {
    send(exchange, 200, 'application/json; charset=utf-8', json.slice(0, Math.ceil(json.length / 2)));
    return;
  }
  send(exchange, 200, 'application/json; charset=utf-8', json);
}
