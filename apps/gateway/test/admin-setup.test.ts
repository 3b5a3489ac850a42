import { ZLoginResponse, ZSetupStatus } from '@babble-buddy/shared';
import { startTestGateway, type TestGateway } from './harness';
import { adminApi, createAdminUser, login } from './admin.fixtures';

const PASSWORD = 'correct horse battery staple';

describe('first-run setup', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('says setup is needed while no admin user exists, and validates the owner it creates', async () => {
    const status = await adminApi(gw.url)('GET', 'setup');
    expect(status.status).toBe(200);
    expect(ZSetupStatus.parse(status.body)).toEqual({ needsSetup: true, tokenRequired: false });

    const weak = await adminApi(gw.url)('POST', 'setup', { email: 'first@example.com', password: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { issues: [expect.objectContaining({ path: 'password' })] } });
    const extra = await adminApi(gw.url)('POST', 'setup', { email: 'first@example.com', password: PASSWORD, isPlatformOwner: false });
    expect(extra.status).toBe(400);
    expect(await gw.db.adminUser.count()).toBe(0);
  });

  it('creates exactly one platform owner when several setups race, and signs the winner in', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 5 }, (_, i) => adminApi(gw.url)('POST', 'setup', { email: `racer${i}@example.com`, password: PASSWORD, name: `Racer ${i}` })),
    );
    const winners = attempts.filter((a) => a.status === 201);
    expect(winners).toHaveLength(1);
    expect(attempts.filter((a) => a.status === 409).map((a) => a.body.error.code)).toEqual(Array(4).fill('CONFLICT'));
    expect(await gw.db.adminUser.count()).toBe(1);

    const winner = ZLoginResponse.parse(winners[0]?.body);
    expect(winner.user.isPlatformOwner).toBe(true);
    const me = await adminApi(gw.url, winner.token)('GET', 'auth/me');
    expect(me.body).toMatchObject({ id: winner.user.id, isPlatformOwner: true });
    expect(await gw.db.auditLog.findFirst({ where: { action: 'admin.setup' } })).toMatchObject({ actorId: winner.user.id, channel: 'api', tenantId: null });

    expect((await adminApi(gw.url)('GET', 'setup')).body).toEqual({ needsSetup: false, tokenRequired: false });
    const late = await adminApi(gw.url)('POST', 'setup', { email: 'late@example.com', password: PASSWORD });
    expect(late.status).toBe(409);
    expect(await gw.db.adminUser.count({ where: { email: 'late@example.com' } })).toBe(0);
  });

  it('signs a token out for good on logout', async () => {
    await createAdminUser(gw.db, { email: 'leaver@example.com', password: PASSWORD });
    const token = await login(gw.url, 'leaver@example.com', PASSWORD);
    const other = await login(gw.url, 'leaver@example.com', PASSWORD);
    const api = adminApi(gw.url, token);
    expect((await api('GET', 'auth/me')).status).toBe(200);
    expect((await api('POST', 'auth/logout')).status).toBe(204);
    const after = await api('GET', 'auth/me');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHENTICATED');
    // Only that token: a session elsewhere goes on.
    expect((await adminApi(gw.url, other)('GET', 'auth/me')).status).toBe(200);
    expect((await adminApi(gw.url)('POST', 'auth/logout')).status).toBe(401);
  });
});

describe('first-run setup with ADMIN_SETUP_TOKEN', () => {
  let gw: TestGateway;
  const setupToken = 'a-long-setup-token-from-the-environment';
  beforeAll(async () => {
    gw = await startTestGateway({ env: { ADMIN_SETUP_TOKEN: setupToken } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('refuses a missing or wrong token next to its field, and accepts the right one', async () => {
    expect((await adminApi(gw.url)('GET', 'setup')).body).toEqual({ needsSetup: true, tokenRequired: true });
    for (const given of [undefined, 'a-wrong-token-of-some-length']) {
      const result = await adminApi(gw.url)('POST', 'setup', { email: 'first@example.com', password: PASSWORD, ...(given ? { setupToken: given } : {}) });
      expect(result.status).toBe(403);
      expect(result.body.error).toMatchObject({ code: 'FORBIDDEN', details: { issues: [{ path: 'setupToken', message: expect.any(String) }] } });
    }
    expect(await gw.db.adminUser.count()).toBe(0);
    const ok = await adminApi(gw.url)('POST', 'setup', { email: 'first@example.com', password: PASSWORD, setupToken });
    expect(ok.status).toBe(201);
    expect(await gw.db.adminUser.count()).toBe(1);
  });
});
