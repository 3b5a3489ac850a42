import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { io } from 'socket.io-client';
import { ZPublicWidgetConfig, ZWidgetConfig } from '@babble-buddy/shared';
import { widgetCdnDir } from '../src/widget/widget-assets.service';
import { adminApi, createAdminUser, login, type AdminApi } from './admin.fixtures';
import { createTenant, json, startTestGateway, type TestGateway, type TestTenant } from './harness';

const SHOP = 'https://shop.example.com';
const BLOG = 'https://blog.example.com';
const STRANGER = 'https://evil.example.net';
const PASSWORD = 'correct horse battery staple';

type ErrorBody = { error: { code: string; message: string } };

let gw: TestGateway;
let tenant: TestTenant;
let other: TestTenant;
let asAdmin: AdminApi;
let asViewer: AdminApi;
let asOtherAdmin: AdminApi;

beforeAll(async () => {
  gw = await startTestGateway();
  tenant = await createTenant(gw.db, 'Shop Co', { allowedOrigins: [SHOP] });
  other = await createTenant(gw.db, 'Other Co', { allowedOrigins: ['https://other.example.org'] });
  await createAdminUser(gw.db, { email: 'admin@shop.test', password: PASSWORD, memberships: [{ tenantId: tenant.tenantId, role: 'admin' }] });
  await createAdminUser(gw.db, { email: 'viewer@shop.test', password: PASSWORD, memberships: [{ tenantId: tenant.tenantId, role: 'viewer' }] });
  await createAdminUser(gw.db, { email: 'admin@other.test', password: PASSWORD, memberships: [{ tenantId: other.tenantId, role: 'admin' }] });
  const as = async (email: string) => adminApi(gw.url, await login(gw.url, email, PASSWORD));
  [asAdmin, asViewer, asOtherAdmin] = await Promise.all([as('admin@shop.test'), as('viewer@shop.test'), as('admin@other.test')]);
});
afterAll(() => gw?.close());

function widgetSession(key: string, origin: string, body: unknown = {}) {
  return fetch(`${gw.url}/api/v1/widget/session`, { method: 'POST', headers: { authorization: `Bearer ${key}`, origin, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** GET without any decoding, to see exactly the bytes and headers sent. */
function rawGet(path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${gw.url}${path}`, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
    });
    req.on('error', reject);
    req.end();
  });
}

function publicConfig(key: string, origin?: string) {
  return fetch(`${gw.url}/api/v1/widget/config?key=${encodeURIComponent(key)}`, { headers: origin ? { origin } : {} });
}

describe('admin: GET/PUT /api/v1/admin/tenants/:tenantId/widget', () => {
  it('starts from the defaults, sets only what is given, restores defaults with null, and audits the change', async () => {
    const initial = await asViewer('GET', `tenants/${tenant.tenantId}/widget`);
    expect(initial.status).toBe(200);
    expect(ZWidgetConfig.parse(initial.body)).toEqual({
      tenantId: tenant.tenantId,
      title: null,
      greeting: null,
      primaryColor: '#4f46e5',
      position: 'bottom-right',
      theme: 'auto',
      logoUrl: null,
      launcherIcon: 'chat',
      locale: 'auto',
      sendOn: 'enter',
      allowedOrigins: [],
      updatedAt: null,
    });

    const set = await asAdmin('PUT', `tenants/${tenant.tenantId}/widget`, {
      greeting: 'Hello from the shop',
      primaryColor: '#0A7C4A',
      position: 'bottom-left',
      locale: 'fr',
      sendOn: 'mod-enter',
      logoUrl: 'https://shop.example.com/logo.png',
      launcherIcon: 'logo',
      allowedOrigins: [BLOG, `${BLOG}/`],
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ greeting: 'Hello from the shop', primaryColor: '#0a7c4a', position: 'bottom-left', locale: 'fr', allowedOrigins: [BLOG] });

    const partial = await asAdmin('PUT', `tenants/${tenant.tenantId}/widget`, { theme: 'dark', greeting: null });
    expect(partial.body).toMatchObject({ theme: 'dark', greeting: null, primaryColor: '#0a7c4a', position: 'bottom-left', allowedOrigins: [BLOG] });

    const audit = await gw.db.auditLog.findMany({ where: { tenantId: tenant.tenantId, action: 'widget.update' }, orderBy: { createdAt: 'asc' } });
    expect(audit).toHaveLength(2);
    expect(audit[0]!.details).toMatchObject({
      changes: { greeting: { from: null, to: 'Hello from the shop' }, position: { from: 'bottom-right', to: 'bottom-left' } },
      originsAdded: [BLOG],
    });
    expect(audit[1]!.details).toEqual({ changes: { theme: { from: 'auto', to: 'dark' }, greeting: { from: 'Hello from the shop', to: null } } });
    expect(audit[1]!.channel).toBe('api');
  });

  it.each([
    [{ primaryColor: 'red; } body { display:none' }, 'primaryColor'],
    [{ logoUrl: 'javascript:alert(1)' }, 'logoUrl'],
    [{ position: 'top-left' }, 'position'],
    [{ locale: 'xx' }, 'locale'],
    [{ allowedOrigins: ['https://shop.example.com/path'] }, 'allowedOrigins.0'],
    [{ greeting: 'x'.repeat(501) }, 'greeting'],
    [{ isAdmin: true }, ''],
  ])('refuses %j with VALIDATION_FAILED and changes nothing', async (body, path) => {
    const before = await gw.db.widgetConfig.findUnique({ where: { tenantId: tenant.tenantId } });
    const result = await asAdmin('PUT', `tenants/${tenant.tenantId}/widget`, body);
    expect(result.status).toBe(400);
    expect(result.body.error.code).toBe('VALIDATION_FAILED');
    expect(result.body.error.details.issues[0].path).toBe(path);
    expect(await gw.db.widgetConfig.findUnique({ where: { tenantId: tenant.tenantId } })).toEqual(before);
  });

  it('needs the admin role to change (viewers read), and another tenant’s admin gets 404 with nothing changed', async () => {
    const viewer = await asViewer('PUT', `tenants/${tenant.tenantId}/widget`, { greeting: 'viewer edit' });
    expect([viewer.status, viewer.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const before = await gw.db.widgetConfig.findUnique({ where: { tenantId: tenant.tenantId } });
    for (const [method, body] of [['GET', undefined], ['PUT', { greeting: 'hijack', allowedOrigins: [STRANGER] }]] as const) {
      const result = await asOtherAdmin(method, `tenants/${tenant.tenantId}/widget`, body);
      expect([result.status, result.body.error.code]).toEqual([404, 'NOT_FOUND']);
    }
    expect(await gw.db.widgetConfig.findUnique({ where: { tenantId: tenant.tenantId } })).toEqual(before);
    const missing = await asAdmin('GET', 'tenants/00000000-0000-4000-8000-000000000000/widget');
    expect(missing.status).toBe(404);
  });
});

describe('public: GET /api/v1/widget/config?key=pk_…', () => {
  it('answers an allowed origin with the public settings (no origins list), cacheable, readable by that origin', async () => {
    const response = await publicConfig(tenant.publishableKey, SHOP);
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(response.headers.get('vary')).toContain('Origin');
    expect(response.headers.get('cache-control')).toBe('public, max-age=60');
    const body = await json<Record<string, unknown>>(response);
    expect(ZPublicWidgetConfig.strict().parse(body)).toMatchObject({ tenantName: 'Shop Co', primaryColor: '#0a7c4a', position: 'bottom-left' });
    expect(JSON.stringify(body)).not.toContain(BLOG);
  });

  it('refuses other origins, no origin, secret, unknown and revoked keys with their codes (refusals stay readable)', async () => {
    const stranger = await publicConfig(tenant.publishableKey, STRANGER);
    expect(stranger.status).toBe(403);
    expect(stranger.headers.get('access-control-allow-origin')).toBe(STRANGER);
    expect((await json<ErrorBody>(stranger)).error).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED', message: `The origin ${STRANGER} is not allowed for this key` });
    expect((await json<ErrorBody>(await publicConfig(tenant.publishableKey))).error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await json<ErrorBody>(await publicConfig(tenant.secretKey, SHOP))).error.code).toBe('WRONG_KEY_KIND');
    expect((await json<ErrorBody>(await publicConfig('pk_nope', SHOP))).error.code).toBe('INVALID_KEY');
    expect((await json<ErrorBody>(await fetch(`${gw.url}/api/v1/widget/config`, { headers: { origin: SHOP } }))).error.code).toBe('VALIDATION_FAILED');
    // Another tenant's key from this tenant's site: that key does not allow the origin.
    expect((await json<ErrorBody>(await publicConfig(other.publishableKey, SHOP))).error.code).toBe('ORIGIN_NOT_ALLOWED');
  });
});

describe('tenant-wide widget origins', () => {
  it('every publishable key accepts them on top of its own; taking one away ends the sessions opened from it', async () => {
    // BLOG was added by the admin test above; the key itself only names SHOP.
    const opened = await widgetSession(tenant.publishableKey, BLOG);
    expect(opened.status).toBe(201);
    const { token } = await json<{ token: string }>(opened);
    const history = (origin: string) => fetch(`${gw.url}/api/v1/sessions/x${'0'.repeat(10)}/history`, { headers: { authorization: `Bearer ${token}`, origin } });
    expect((await json<ErrorBody>(await history(BLOG))).error.code).toBe('SESSION_NOT_FOUND');

    await asAdmin('PUT', `tenants/${tenant.tenantId}/widget`, { allowedOrigins: [] });
    expect((await json<ErrorBody>(await widgetSession(tenant.publishableKey, BLOG))).error.code).toBe('ORIGIN_NOT_ALLOWED');
    const refused = await history(BLOG);
    expect(refused.status).toBe(403);
    expect((await json<ErrorBody>(refused)).error).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED', message: `The origin ${BLOG} is no longer allowed for this key` });
    // Another tenant's widget origins never open this tenant's key.
    await gw.db.widgetConfig.create({ data: { tenantId: other.tenantId, allowedOrigins: [STRANGER] } });
    expect((await json<ErrorBody>(await widgetSession(tenant.publishableKey, STRANGER))).error.code).toBe('ORIGIN_NOT_ALLOWED');
    expect((await widgetSession(other.publishableKey, STRANGER)).status).toBe(201);
    await gw.db.widgetConfig.delete({ where: { tenantId: other.tenantId } });
  });
});

describe('CORS', () => {
  const preflight = (path: string, origin: string) =>
    fetch(`${gw.url}${path}`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });

  it('visitor routes pass preflights only for origins some live publishable key allows', async () => {
    for (const path of ['/api/v1/widget/session', '/api/v1/chat/stream', '/api/v1/chat', '/api/v1/sessions/abc12345/history']) {
      const allowed = await preflight(path, SHOP);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
      expect(allowed.headers.get('access-control-allow-headers')).toContain('authorization');
      const refused = await preflight(path, STRANGER);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      expect((await json<ErrorBody>(refused)).error.code).toBe('ORIGIN_NOT_ALLOWED');
    }
    // A revoked key's origins stop passing (this origin was not asked before, so no cached answer).
    await gw.db.apiKey.update({ where: { id: other.publishableKeyId }, data: { revokedAt: new Date() } });
    expect((await preflight('/api/v1/chat', 'https://other.example.org')).status).toBe(403);
    await gw.db.apiKey.update({ where: { id: other.publishableKeyId }, data: { revokedAt: null } });
  });

  it('answers are readable only by the session’s own origin; refusals (bad JSON, bad token) are readable with their code', async () => {
    gw.fake.setDefault({ text: 'ok' });
    const { token } = await json<{ token: string }>(await widgetSession(tenant.publishableKey, SHOP));
    const ok = await fetch(`${gw.url}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: SHOP, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }) });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe(SHOP);

    const elsewhere = await fetch(`${gw.url}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: STRANGER, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'hi' }) });
    expect(elsewhere.status).toBe(403);
    expect((await json<ErrorBody>(elsewhere)).error.code).toBe('ORIGIN_NOT_ALLOWED');

    const malformed = await fetch(`${gw.url}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${token}`, origin: SHOP, 'content-type': 'application/json' }, body: '{"message":' });
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect((await json<ErrorBody>(malformed)).error.code).toBe('MALFORMED_JSON');
  });

  it('admin and health routes keep answering any origin (bearer tokens, never cookies)', async () => {
    const admin = await preflight('/api/v1/admin/tenants', 'https://admin.example.io');
    expect(admin.status).toBe(204);
    expect(admin.headers.get('access-control-allow-origin')).toBe('https://admin.example.io');
    const health = await fetch(`${gw.url}/health`, { headers: { origin: STRANGER } });
    expect(health.headers.get('access-control-allow-origin')).toBe(STRANGER);
  });

  it('socket.io: a session token used from another origin is refused in the handshake with ORIGIN_NOT_ALLOWED', async () => {
    const { token } = await json<{ token: string }>(await widgetSession(tenant.publishableKey, SHOP));
    const refusal = await new Promise<{ message: string; data?: { code: string } }>((resolve, reject) => {
      const socket = io(`${gw.url}/chat`, { auth: { token }, transports: ['websocket'], extraHeaders: { origin: STRANGER }, reconnection: false });
      socket.on('connect', () => reject(new Error('connected from a foreign origin')));
      socket.on('connect_error', (error) => {
        socket.close();
        resolve(error as unknown as { message: string; data?: { code: string } });
      });
    });
    expect(refusal.data?.code).toBe('ORIGIN_NOT_ALLOWED');
    // Long-polling is plain HTTP: its CORS follows the same rule.
    const polling = (origin: string) => fetch(`${gw.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    expect((await polling(SHOP)).headers.get('access-control-allow-origin')).toBe(SHOP);
    expect((await polling(STRANGER)).headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('GET /widget.js and the content-hashed files', () => {
  const manifest = JSON.parse(readFileSync(join(widgetCdnDir()!, 'manifest.json'), 'utf8')) as { panel: string };

  it('serves the loader with a short cache, precompressed, with an ETag; the hashed panel for good', async () => {
    const loader = await rawGet('/widget.js', { 'accept-encoding': 'gzip, deflate' });
    expect(loader.status).toBe(200);
    expect(loader.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(loader.headers['cache-control']).toBe('public, max-age=300, stale-while-revalidate=3600');
    expect(loader.headers['access-control-allow-origin']).toBe('*');
    expect(loader.headers['content-encoding']).toBe('gzip');
    const etag = String(loader.headers.etag);
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const onDisk = readFileSync(join(widgetCdnDir()!, 'widget.js'), 'utf8');
    expect(gunzipSync(loader.body).toString()).toBe(onDisk);
    expect(onDisk).toContain(manifest.panel);
    const brotli = await rawGet('/widget.js', { 'accept-encoding': 'gzip, br' });
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(brotli.body).toString()).toBe(onDisk);
    const plain = await rawGet('/widget.js', {});
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(onDisk);

    expect((await fetch(`${gw.url}/widget.js`, { headers: { 'if-none-match': etag } })).status).toBe(304);

    const panel = await fetch(`${gw.url}/${manifest.panel}`);
    expect(panel.status).toBe(200);
    expect(panel.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers 404 NOT_FOUND for unknown or sneaky file names', async () => {
    for (const path of ['/widget/panel.NOTAHASH.js', '/widget/..%2F..%2Fpackage.json', '/widget/manifest.json', '/widget/widget.js']) {
      const response = await fetch(`${gw.url}${path}`);
      expect(response.status).toBe(404);
      expect((await json<ErrorBody>(response)).error.code).toBe('NOT_FOUND');
    }
  });
});
