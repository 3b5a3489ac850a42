import type { Request, Response } from 'express';
import type { TStreamEvent } from '@babble-buddy/shared';

const HEARTBEAT_MS = 15_000;

/** Why a stream's signal fires: read by nobody, so one shared instance rather than a DOMException (and its stack trace) per stream. */
const CLOSED_REASON = new DOMException('The event stream closed', 'AbortError');

/** Starts a server-sent-events response; returns a signal that fires when the client goes away. */
export function openSse(req: Request, res: Response): { signal: AbortSignal; close: () => void } {
  res.status(200);
  res.setHeader('content-type', 'text/event-stream; charset=utf-8');
  res.setHeader('cache-control', 'no-cache, no-transform');
  res.setHeader('connection', 'keep-alive');
  res.setHeader('x-accel-buffering', 'no');
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  const controller = new AbortController();
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  const close = () => {
    clearInterval(heartbeat);
    controller.abort(CLOSED_REASON);
    if (!res.writableEnded) res.end();
  };
  req.on('close', close);
  return { signal: controller.signal, close };
}

/** One frame: `event:` carries the type, `data:` the event without it, `id:` when the event has a place in a resumable sequence. */
export function writeSseFrame(res: Response, event: { type: string }, id?: number): void {
  const { type, ...data } = event;
  res.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** One answer event, with its sequence number as the frame's `id:`. */
export function writeSseEvent(res: Response, event: TStreamEvent): void {
  writeSseFrame(res, event, event.seq);
}
