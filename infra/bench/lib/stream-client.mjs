import http from 'node:http';
import { performance } from 'node:perf_hooks';

/**
 * One HTTP client for every path a bench compares, so each pays the same client-side costs:
 * Node's `http` over a keep-alive agent, frames split on a delimiter, timestamps taken when the
 * bytes arrive (before parsing). A reader decides what a frame means.
 */
export function createStreamClient({ maxSockets = 512, timeoutMs = 60_000 } = {}) {
  // An idle timeout makes the agent honour the servers' Keep-Alive hints (Node's 5 s), so a level never
  // starts on connections the server closed during the pause before it.
  const agent = new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: 15_000 });

  /**
   * POSTs `body` (a JSON string) and reads the streamed answer with `reader`. Resolves, never rejects:
   * `{ ok: true, ttftMs, totalMs, text }` or `{ ok: false, error }`.
   */
  function stream(url, { headers = {}, body, reader }) {
    return new Promise((resolve) => {
      const start = performance.now();
      let ttftMs;
      let settled = false;
      const finish = (result) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const fail = (message) => {
        if (settled) return;
        finish({ ok: false, error: message });
        request.destroy();
      };
      const timer = setTimeout(() => fail(`no end after ${timeoutMs} ms`), timeoutMs);

      const request = http.request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (response) => {
          response.setEncoding('utf8');
          if (response.statusCode !== 200) {
            let text = '';
            response.on('data', (data) => (text += data));
            response.on('end', () => fail(`HTTP ${response.statusCode}: ${text.slice(0, 300)}`));
            return;
          }
          let buffer = '';
          response.on('data', (data) => {
            const now = performance.now();
            buffer += data;
            let end;
            while ((end = buffer.indexOf(reader.delimiter)) !== -1) {
              const frame = buffer.slice(0, end);
              buffer = buffer.slice(end + reader.delimiter.length);
              let kind;
              try {
                kind = reader.frame(frame);
              } catch (error) {
                return fail(error instanceof Error ? error.message : String(error));
              }
              if (kind === 'token' && ttftMs === undefined) ttftMs = now - start;
              if (kind === 'done') {
                if (ttftMs === undefined) return fail('stream finished without a token');
                return finish({ ok: true, ttftMs, totalMs: now - start, text: reader.text() });
              }
            }
          });
          response.on('end', () => fail('stream ended before its final frame'));
          response.on('error', (error) => fail(error.message));
        },
      );
      request.on('error', (error) => fail(error.message));
      request.end(body);
    });
  }

  return { stream, close: () => agent.destroy() };
}

/** Ollama's NDJSON chat stream: a token is a line with non-empty `message.content`; `done: true` ends it. */
export function ollamaChatReader() {
  let text = '';
  return {
    delimiter: '\n',
    frame(line) {
      if (line.trim() === '') return null;
      const data = JSON.parse(line);
      if (data.error) throw new Error(`upstream error: ${data.error}`);
      if (data.done) return 'done';
      const content = data.message?.content;
      if (typeof content === 'string' && content.length > 0) {
        text += content;
        return 'token';
      }
      return null;
    },
    text: () => text,
  };
}

/** The gateway's SSE stream: `event: chunk` frames carry text, `event: done` ends it, `event: error` fails it. */
export function gatewaySseReader() {
  let text = '';
  let response;
  return {
    delimiter: '\n\n',
    frame(frame) {
      let event = 'message';
      let data = '';
      for (const line of frame.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trimStart();
      }
      if (event === 'chunk') {
        text += JSON.parse(data).text;
        return 'token';
      }
      if (event === 'done') {
        response = JSON.parse(data).response;
        if (response !== text) throw new Error(`done.response differs from the streamed chunks (${response.length} vs ${text.length} chars)`);
        return 'done';
      }
      if (event === 'error') {
        const error = JSON.parse(data);
        throw new Error(`gateway error event ${error.code}: ${error.message}`);
      }
      return null;
    },
    text: () => text,
  };
}
