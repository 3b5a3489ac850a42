import { createTenant, eventually, json, startTestGateway, type TestGateway, type TestTenant } from './harness';

/**
 * The gateway caches keys, models and agents per process. Postgres triggers notify every change, whoever makes it
 * (here: plain SQL, as the CLI or another gateway would), and the cache drops the tenant's entries.
 */
describe('tenant cache, kept correct by Postgres notifications', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw.close());
  beforeEach(() => gw.fake.reset());

  const chat = async (tenant: TestTenant, message = 'Hi') => {
    const res = await fetch(`${gw.url}/api/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message }),
    });
    return { status: res.status, body: await json<{ response?: string; error?: { code: string } }>(res) };
  };
  const lastSystemPrompt = () => {
    const sent = gw.fake.chatRequests().at(-1)?.body as { messages: { role: string; content: string }[] };
    return sent.messages[0]?.content;
  };

  it('serves repeated requests from the cache: a change Postgres does not announce is not seen', async () => {
    const acme = await createTenant(gw.db, 'Cached');
    // Creating the tenant notified too; let that land first, or it could drop the entry this test relies on.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await chat(acme)).status).toBe(200);
    // Silence the trigger, then revoke: only a cached key can still authenticate.
    await gw.db.$executeRawUnsafe('ALTER TABLE api_keys DISABLE TRIGGER api_keys_notify_changed');
    try {
      await gw.db.apiKey.update({ where: { id: acme.secretKeyId }, data: { revokedAt: new Date() } });
      expect((await chat(acme)).status).toBe(200);
    } finally {
      await gw.db.$executeRawUnsafe('ALTER TABLE api_keys ENABLE TRIGGER api_keys_notify_changed');
    }
  });

  it('a key revoked by SQL stops working without a restart', async () => {
    const acme = await createTenant(gw.db, 'Revoked');
    expect((await chat(acme)).status).toBe(200);
    await gw.db.apiKey.update({ where: { id: acme.secretKeyId }, data: { revokedAt: new Date() } });
    await eventually(async () => expect(await chat(acme)).toMatchObject({ status: 401, body: { error: { code: 'KEY_REVOKED' } } }));
  });

  it('a suspended tenant is refused', async () => {
    const acme = await createTenant(gw.db, 'Suspended');
    expect((await chat(acme)).status).toBe(200);
    await gw.db.tenant.update({ where: { id: acme.tenantId }, data: { status: 'suspended' } });
    await eventually(async () => expect(await chat(acme)).toMatchObject({ status: 403, body: { error: { code: 'TENANT_SUSPENDED' } } }));
  });

  it('a new system prompt and a new model apply to the next turn', async () => {
    const acme = await createTenant(gw.db, 'Prompted', { systemPrompt: 'Old prompt.' });
    await chat(acme);
    expect(lastSystemPrompt()).toContain('Old prompt.');

    await gw.db.agent.updateMany({ where: { tenantId: acme.tenantId, isDefault: true }, data: { systemPrompt: 'New prompt.' } });
    await gw.db.llmConfig.create({ data: { tenantId: acme.tenantId, provider: 'ollama', model: 'qwen2.5:0.5b', baseUrl: gw.fake.url } });
    await eventually(async () => {
      await chat(acme);
      expect(lastSystemPrompt()).toContain('New prompt.');
      expect(gw.fake.chatRequests().at(-1)?.body).toMatchObject({ model: 'qwen2.5:0.5b' });
    });
  });

  it('origins added to the tenant’s widget settings open sessions at once', async () => {
    const acme = await createTenant(gw.db, 'Origins', { allowedOrigins: ['https://shop.example.com'] });
    const open = (origin: string) =>
      fetch(`${gw.url}/api/v1/widget/session`, {
        method: 'POST',
        headers: { authorization: `Bearer ${acme.publishableKey}`, origin, 'content-type': 'application/json' },
        body: '{}',
      });
    expect((await open('https://shop.example.com')).status).toBe(201);
    expect((await open('https://blog.example.com')).status).toBe(403);
    await gw.db.widgetConfig.create({ data: { tenantId: acme.tenantId, allowedOrigins: ['https://blog.example.com'] } });
    await eventually(async () => expect((await open('https://blog.example.com')).status).toBe(201));
  });

  it('one tenant’s change leaves another tenant’s entries alone, and neither sees the other’s settings', async () => {
    const a = await createTenant(gw.db, 'Alpha', { systemPrompt: 'Alpha prompt.' });
    const b = await createTenant(gw.db, 'Beta', { systemPrompt: 'Beta prompt.' });
    await chat(a);
    expect(lastSystemPrompt()).toContain('Alpha prompt.');
    await chat(b);
    expect(lastSystemPrompt()).toContain('Beta prompt.');
    await gw.db.apiKey.update({ where: { id: a.secretKeyId }, data: { revokedAt: new Date() } });
    await eventually(async () => expect((await chat(a)).status).toBe(401));
    expect((await chat(b)).status).toBe(200);
    expect(lastSystemPrompt()).toContain('Beta prompt.');
  });
});

describe('tenant cache off (TENANT_CACHE=false)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { TENANT_CACHE: 'false' } });
  });
  afterAll(() => gw.close());

  it('reads every request from Postgres, so even an unannounced change applies at once', async () => {
    const acme = await createTenant(gw.db, 'Uncached');
    const send = () =>
      fetch(`${gw.url}/api/v1/chat`, {
        method: 'POST',
        headers: { authorization: `Bearer ${acme.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ message: 'Hi' }),
      });
    expect((await send()).status).toBe(200);
    await gw.db.$executeRawUnsafe('ALTER TABLE api_keys DISABLE TRIGGER api_keys_notify_changed');
    try {
      await gw.db.apiKey.update({ where: { id: acme.secretKeyId }, data: { revokedAt: new Date() } });
      expect((await send()).status).toBe(401);
    } finally {
      await gw.db.$executeRawUnsafe('ALTER TABLE api_keys ENABLE TRIGGER api_keys_notify_changed');
    }
  });
});
