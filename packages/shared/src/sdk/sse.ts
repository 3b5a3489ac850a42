import { BabbleBuddyError } from './http';

/** A minimal server-sent-events reader over a fetch body: yields `{ event, data }` per frame. */
export interface SseFrame {
  event: string;
  data: string;
  id?: string;
}

export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<SseFrame> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary: number;
      while ((boundary = buffer.search(/\r?\n\r?\n/)) !== -1) {
        const raw = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, '');
        const frame = parseFrame(raw);
        if (frame) yield frame;
      }
    }
    const tail = parseFrame(buffer);
    if (tail) yield tail;
  } finally {
    reader.releaseLock();
  }
}

function parseFrame(raw: string): SseFrame | null {
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of raw.split(/\r?\n/)) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
    else if (field === 'id') id = value;
  }
  if (data.length === 0) return null;
  return { event, data: data.join('\n'), ...(id === undefined ? {} : { id }) };
}

/**
 * The typed events of an SSE response: each frame's `event:` is the type, its `data:` the rest,
 * checked with `schema`; ends after the answer's `done` or `error`.
 */
export async function* readEvents<T extends { type: string }>(response: Response, schema: { parse(value: unknown): T }): AsyncGenerator<T> {
  if (!response.body) throw new BabbleBuddyError('INTERNAL', 'empty stream', response.status);
  for await (const frame of readSse(response.body)) {
    const event = schema.parse({ type: frame.event, ...JSON.parse(frame.data) });
    yield event;
    if (event.type === 'done' || event.type === 'error') return;
  }
}
