import { SecretBox } from '@babble-buddy/db';
import { startFakeLlm, type FakeLlm } from '@babble-buddy/testing';
import { createClient, type TStreamEvent } from '@babble-buddy/shared';
import { createTenant, json, startTestGateway, type TestGateway, type TestTenant } from './harness';

type ErrorBody = { error: { code: string; message: string; requestId: string; details?: Record<string, unknown> } };

function post(gw: TestGateway, path: string, key: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('model failures', () => {
  let gw: TestGateway;
  let backup: FakeLlm;
  let acme: TestTenant;

  beforeAll(async () => {
    gw = await startTestGateway();
    backup = await startFakeLlm();
    acme = await createTenant(gw.db, 'Acme');
  });
  afterAll(async () => {
    await gw.close();
    await backup.close();
  });
  beforeEach(() => {
    gw.fake.reset();
    backup.reset();
  });

  it('falls back to the next configured provider when the first fails before any text', async () => {
    const tenant = await createTenant(gw.db, 'Fallback');
    const box = new SecretBox(gw.config.ENCRYPTION_KEY);
    await gw.db.llmConfig.createMany({
      data: [
        { tenantId: tenant.tenantId, priority: 0, provider: 'ollama', model: 'llama3.2:1b', baseUrl: gw.fake.url },
        { tenantId: tenant.tenantId, priority: 1, provider: 'openai', model: 'gpt-4o-mini', baseUrl: backup.openaiUrl, apiKeyEncrypted: box.encrypt('sk-upstream-test'), apiKeyKeyId: box.keyId },
      ],
    });
    gw.fake.script({ httpError: { status: 500, message: 'model crashed' } });
    backup.script({ chunks: ['From ', 'the ', 'backup.'] });
    const answer = await createClient({ apiUrl: gw.url, key: tenant.secretKey }).chat({ message: 'Hello?' });
    expect(answer.response).toBe('From the backup.');
    expect(answer).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini' });
    // The decrypted provider key reached the upstream.
    expect(backup.chatRequests()[0]!.headers.authorization).toBe('Bearer sk-upstream-test');
    const rows = await gw.db.llmRequest.findMany({ where: { messageId: answer.messageId }, orderBy: { createdAt: 'asc' } });
    expect(rows.map((r) => [r.provider, r.status])).toEqual([
      ['ollama', 'error'],
      ['openai', 'ok'],
    ]);
    expect(rows[0]!.error).toContain('500');
    // gpt-4o-mini has a known price, so the successful call has a cost.
    expect(Number(rows[1]!.costUsd)).toBeGreaterThan(0);
  });

  it('a model that dies mid-stream: partial text kept, message failed, error event (SSE)', async () => {
    gw.fake.script({ chunks: ['Part ', 'one, ', 'part ', 'two'], disconnectAfterChunks: 2, tokenDelayMs: 5 });
    const events: TStreamEvent[] = [];
    for await (const event of createClient({ apiUrl: gw.url, key: acme.secretKey }).stream({ message: 'Go' })) events.push(event);
    expect(events.filter((e) => e.type === 'chunk').map((e) => (e as { text: string }).text)).toEqual(['Part ', 'one, ']);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'error', code: 'MODEL_STREAM_FAILED', partial: 'Part one, ' });
    const stored = await gw.db.message.findUniqueOrThrow({ where: { id: last.messageId } });
    expect(stored).toMatchObject({ status: 'failed', content: 'Part one, ' });
    expect(stored.error).toMatchObject({ code: 'MODEL_STREAM_FAILED' });
    const user = await gw.db.message.findFirstOrThrow({ where: { id: stored.replyToId! } });
    expect(user.content).toBe('Go');
  });

  it('a model that dies mid-stream over REST answers 502 with the partial text and ids', async () => {
    gw.fake.script({ chunks: ['Half ', 'an ', 'answer'], disconnectAfterChunks: 1 });
    const res = await post(gw, '/api/v1/chat', acme.secretKey, { message: 'Go' });
    expect(res.status).toBe(502);
    const body = await json<ErrorBody>(res);
    expect(body.error.code).toBe('MODEL_STREAM_FAILED');
    expect(body.error.details).toMatchObject({ partial: 'Half ' });
    const stored = await gw.db.message.findUniqueOrThrow({ where: { id: String(body.error.details!.messageId) } });
    expect(stored).toMatchObject({ status: 'failed', content: 'Half ' });
  });

  it('no reachable model: 503 MODEL_UNAVAILABLE, and the visitor’s message is still stored', async () => {
    gw.fake.setDown(true);
    try {
      const res = await post(gw, '/api/v1/chat', acme.secretKey, { message: 'Is anyone there?', sessionId: 'down-session-1' });
      expect(res.status).toBe(503);
      const body = await json<ErrorBody>(res);
      expect(body.error.code).toBe('MODEL_UNAVAILABLE');
      expect(JSON.stringify(body)).not.toMatch(/\n\s+at /);
      const messages = await gw.db.message.findMany({ where: { conversation: { sessionKey: 'down-session-1' } }, orderBy: { createdAt: 'asc' } });
      expect(messages.map((m) => [m.role, m.content, m.status])).toEqual([
        ['user', 'Is anyone there?', 'complete'],
        ['assistant', '', 'failed'],
      ]);
      const rows = await gw.db.llmRequest.findMany({ where: { messageId: messages[1]!.id } });
      expect(rows).toHaveLength(1);
      expect(rows[0]!.error).toMatch(/unreachable/);
    } finally {
      gw.fake.setDown(false);
    }
  });

  it('a malformed frame from the model fails the answer cleanly', async () => {
    gw.fake.script({ chunks: ['Good ', 'then bad'], malformedAfterChunks: 1 });
    const res = await post(gw, '/api/v1/chat', acme.secretKey, { message: 'Go' });
    expect([502, 503]).toContain(res.status);
    const body = await json<ErrorBody>(res);
    expect(['MODEL_STREAM_FAILED', 'MODEL_UNAVAILABLE']).toContain(body.error.code);
  });

  it('health/ready reports each provider as connected or unreachable', async () => {
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    const up = await json<{ status: string; checks: Record<string, unknown> }>(await fetch(`${gw.url}/health/ready`));
    expect(up).toEqual({ status: 'ok', checks: { db: 'ok', redis: 'ok', llm: { ollama: 'connected' } } });
    gw.fake.setDown(true);
    try {
      const res = await fetch(`${gw.url}/health/ready`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'degraded', checks: { db: 'ok', redis: 'ok', llm: { ollama: 'unreachable' } } });
    } finally {
      gw.fake.setDown(false);
    }
  });
});

describe('bad input', () => {
  let gw: TestGateway;
  let acme: TestTenant;

  beforeAll(async () => {
    gw = await startTestGateway();
    acme = await createTenant(gw.db, 'Acme', { allowedOrigins: ['https://app.example.com'] });
  });
  afterAll(() => gw.close());

  async function expectError(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    const body = await json<ErrorBody>(res);
    expect(body.error.code).toBe(code);
    expect(body.error.requestId).toEqual(expect.any(String));
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/\n\s+at |node_modules/);
    return body;
  }

  it('answers each bad request with a clear code and loses nothing already stored', async () => {
    gw.fake.script({ text: 'Stored answer.' });
    const first = await createClient({ apiUrl: gw.url, key: acme.secretKey }).chat({ message: 'Keep me' });

    await expectError(await post(gw, '/api/v1/chat', acme.secretKey, '{"message": "unterminated'), 400, 'MALFORMED_JSON');
    const unknown = await expectError(await post(gw, '/api/v1/chat', acme.secretKey, { message: 'hi', sessionId: first.sessionId, admin: true }), 400, 'VALIDATION_FAILED');
    expect(JSON.stringify(unknown.error.details)).toContain('admin');
    await expectError(await post(gw, '/api/v1/chat', acme.secretKey, { message: '   ' }), 400, 'VALIDATION_FAILED');
    await expectError(await post(gw, '/api/v1/chat', acme.secretKey, { message: 42 }), 400, 'VALIDATION_FAILED');
    await expectError(await post(gw, '/api/v1/chat', acme.secretKey, { message: 'x'.repeat(9000) }), 400, 'VALIDATION_FAILED');
    await expectError(await post(gw, '/api/v1/chat', acme.secretKey, { message: 'hi', context: { blob: 'y'.repeat(10_000) } }), 400, 'VALIDATION_FAILED');
    await expectError(await post(gw, '/api/v1/chat', acme.secretKey, { message: 'z'.repeat(100_000) }), 413, 'PAYLOAD_TOO_LARGE');
    await expectError(await post(gw, '/api/v1/chat', acme.secretKey, { message: 'hi', sessionId: 'bad session id!' }), 400, 'VALIDATION_FAILED');

    const history = await createClient({ apiUrl: gw.url, key: acme.secretKey }).history(first.sessionId);
    expect(history.messages.map((m) => m.content)).toEqual(['Keep me', 'Stored answer.']);
  });

  it('refuses missing, unknown, revoked, expired and wrong-kind keys', async () => {
    const noAuth = await fetch(`${gw.url}/api/v1/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' });
    await expectError(noAuth, 401, 'UNAUTHENTICATED');
    await expectError(await post(gw, '/api/v1/chat', 'sk_doesnotexist', { message: 'hi' }), 401, 'INVALID_KEY');
    await expectError(await post(gw, '/api/v1/chat', 'garbage-token', { message: 'hi' }), 401, 'INVALID_SESSION_TOKEN');
    await expectError(await post(gw, '/api/v1/chat', acme.publishableKey, { message: 'hi' }), 403, 'WRONG_KEY_KIND');
    await expectError(await post(gw, '/api/v1/widget/session', acme.secretKey, {}, { origin: 'https://app.example.com' }), 403, 'WRONG_KEY_KIND');
    await expectError(await post(gw, '/api/v1/chat', acme.secretKey, { message: 'hi' }, { origin: 'https://app.example.com' }), 403, 'WRONG_KEY_KIND');

    const revoked = await createTenant(gw.db, 'Revoked');
    await gw.db.apiKey.update({ where: { id: revoked.secretKeyId }, data: { revokedAt: new Date() } });
    await expectError(await post(gw, '/api/v1/chat', revoked.secretKey, { message: 'hi' }), 401, 'KEY_REVOKED');

    const expired = await createTenant(gw.db, 'Expired');
    await gw.db.apiKey.update({ where: { id: expired.secretKeyId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectError(await post(gw, '/api/v1/chat', expired.secretKey, { message: 'hi' }), 401, 'KEY_EXPIRED');

    const suspended = await createTenant(gw.db, 'Suspended');
    await gw.db.tenant.update({ where: { id: suspended.tenantId }, data: { status: 'suspended' } });
    await expectError(await post(gw, '/api/v1/chat', suspended.secretKey, { message: 'hi' }), 403, 'TENANT_SUSPENDED');
  });

  it('publishable keys open sessions only from allowed origins, and the session is bound to its origin', async () => {
    await expectError(await post(gw, '/api/v1/widget/session', acme.publishableKey, {}, { origin: 'https://evil.example.net' }), 403, 'ORIGIN_NOT_ALLOWED');
    await expectError(await post(gw, '/api/v1/widget/session', acme.publishableKey, {}), 403, 'ORIGIN_NOT_ALLOWED');
    const ok = await post(gw, '/api/v1/widget/session', acme.publishableKey, {}, { origin: 'https://app.example.com' });
    expect(ok.status).toBe(201);
    const { token } = await json<{ token: string }>(ok);
    await expectError(await post(gw, '/api/v1/chat', token, { message: 'hi' }, { origin: 'https://evil.example.net' }), 403, 'ORIGIN_NOT_ALLOWED');
    // Revoking the key ends its sessions too.
    await gw.db.apiKey.update({ where: { id: acme.publishableKeyId }, data: { revokedAt: new Date() } });
    await expectError(await post(gw, '/api/v1/chat', token, { message: 'hi' }, { origin: 'https://app.example.com' }), 401, 'KEY_REVOKED');
    await gw.db.apiKey.update({ where: { id: acme.publishableKeyId }, data: { revokedAt: null } });
  });

  it('the OpenAI surface answers errors in OpenAI’s shape with our code', async () => {
    const res = await post(gw, '/v1/chat/completions', acme.secretKey, { model: 'x', messages: [{ role: 'assistant', content: 'no question' }] });
    expect(res.status).toBe(400);
    const body = await json<{ error: { code: string; type: string; message: string } }>(res);
    expect(body.error).toMatchObject({ code: 'VALIDATION_FAILED', type: 'invalid_request_error' });
    const unauth = await post(gw, '/v1/chat/completions', 'sk_nope', { model: 'x', messages: [{ role: 'user', content: 'hi' }] });
    expect(unauth.status).toBe(401);
    expect(await unauth.json()).toMatchObject({ error: { code: 'INVALID_KEY', type: 'authentication_error' } });
  });

  it('unknown routes are a 404 with a code', async () => {
    await expectError(await fetch(`${gw.url}/api/v1/nope`), 404, 'NOT_FOUND');
  });
});
