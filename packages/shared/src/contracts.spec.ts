import { ERROR_STATUS, ErrorCode, ZChatRequest, ZCreateKeyRequest, ZHostContext, ZOrigin, ZPlaygroundChatRequest, ZPlaygroundEvent, ZStreamEvent, readSse } from './index';

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

describe('contracts', () => {
  it('chat requests reject unknown fields, empty and oversized messages', () => {
    expect(ZChatRequest.parse({ message: ' hi ' })).toEqual({ message: 'hi' });
    expect(ZChatRequest.safeParse({ message: 'hi', isAdmin: true }).success).toBe(false);
    expect(ZChatRequest.safeParse({ message: '   ' }).success).toBe(false);
    expect(ZChatRequest.safeParse({ message: 'x'.repeat(8001) }).success).toBe(false);
    expect(ZChatRequest.safeParse({ message: 'hi', sessionId: 'has spaces in it' }).success).toBe(false);
  });

  it('playground requests take a visitor turn’s fields only; its events are the chat stream’s plus the debug ones', () => {
    expect(ZPlaygroundChatRequest.parse({ message: ' hi ', agentId: '7b0f2f53-6b1c-4a57-9d6e-2a8f0c1d9e10' })).toEqual({ message: 'hi', agentId: '7b0f2f53-6b1c-4a57-9d6e-2a8f0c1d9e10' });
    expect(ZPlaygroundChatRequest.safeParse({ message: 'hi', clientMessageId: 'retry-1' }).success).toBe(false);
    expect(ZPlaygroundChatRequest.safeParse({ message: 'x'.repeat(8001) }).success).toBe(false);
    expect(ZPlaygroundEvent.parse({ type: 'chunk', messageId: 'm', seq: 1, text: 'Hi' })).toEqual({ type: 'chunk', messageId: 'm', seq: 1, text: 'Hi' });
    const usage = { type: 'debug_usage', messageId: 'm', provider: 'ollama', model: 'llama3.2', promptTokens: 3, completionTokens: 1, ttftMs: 12, latencyMs: 40, costUsd: null, knowledgeOnly: false, failedAttempts: [] };
    expect(ZPlaygroundEvent.parse(usage)).toEqual(usage);
    expect(ZPlaygroundEvent.safeParse({ ...usage, costUsd: 'free' }).success).toBe(false);
  });

  it('host context is capped in size', () => {
    expect(ZHostContext.safeParse({ page: '/pricing', cart: { items: 2 } }).success).toBe(true);
    expect(ZHostContext.safeParse({ blob: 'y'.repeat(9000) }).success).toBe(false);
  });

  it('origins are scheme://host[:port] only', () => {
    expect(ZOrigin.parse('https://app.example.com/')).toBe('https://app.example.com');
    expect(ZOrigin.parse('http://localhost:5180')).toBe('http://localhost:5180');
    expect(ZOrigin.safeParse('https://app.example.com/path').success).toBe(false);
    expect(ZOrigin.safeParse('javascript:alert(1)').success).toBe(false);
    expect(ZCreateKeyRequest.safeParse({ kind: 'secret', allowedOrigins: ['https://a.example'] }).success).toBe(false);
  });

  it('every error code has an HTTP status', () => {
    for (const code of Object.values(ErrorCode)) expect(ERROR_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(ERROR_STATUS.RATE_LIMITED).toBe(429);
  });

  it('stream events are a discriminated union on type', () => {
    expect(ZStreamEvent.parse({ type: 'chunk', messageId: 'm', seq: 1, text: 'Hi' })).toEqual({ type: 'chunk', messageId: 'm', seq: 1, text: 'Hi' });
    expect(ZStreamEvent.safeParse({ type: 'chunk', messageId: 'm', seq: -1, text: 'Hi' }).success).toBe(false);
  });
});

describe('readSse', () => {
  it('parses frames split across reads, with ids, comments and multi-line data', async () => {
    const frames = [];
    for await (const frame of readSse(streamOf(': keep-alive\n\nid: 1\nevent: chu', 'nk\ndata: {"a":1}\n\n', 'data: line1\ndata: line2\r\n\r\nevent: done\ndata: {}'))) {
      frames.push(frame);
    }
    expect(frames).toEqual([
      { event: 'chunk', data: '{"a":1}', id: '1' },
      { event: 'message', data: 'line1\nline2' },
      { event: 'done', data: '{}' },
    ]);
  });
});
