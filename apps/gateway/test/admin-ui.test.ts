import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from './harness';
import { adminUiDir } from '../src/admin-ui/admin-ui';

/** A stand-in for apps/admin/dist. */
function fakeDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bb-admin-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Babble Buddy admin</title><script src="./config.js"></script>');
  writeFileSync(join(dir, 'config.js'), 'window.BABBLE_BUDDY_ADMIN = { apiUrl: "" };');
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  return dir;
}

describe('the gateway serving the admin app', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ env: { ADMIN_UI_DIR: fakeDist() } });
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('serves index.html at /admin/ with a strict CSP, revalidated on every load', async () => {
    const response = await fetch(`${gw.url}/admin/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Babble Buddy admin');
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const config = await fetch(`${gw.url}/admin/config.js`);
    expect(config.headers.get('cache-control')).toBe('no-cache');
  });

  it('caches hashed assets for good', async () => {
    const response = await fetch(`${gw.url}/admin/assets/index-abc123.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('redirects / and /admin to /admin/, and leaves the API alone', async () => {
    for (const path of ['/', '/admin']) {
      const response = await fetch(`${gw.url}${path}`, { redirect: 'manual' });
      expect({ path, status: response.status, location: response.headers.get('location') }).toEqual({ path, status: 302, location: '/admin/' });
    }
    expect((await fetch(`${gw.url}/health`)).status).toBe(200);
    const missing = await fetch(`${gw.url}/admin/nope.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    const api = await fetch(`${gw.url}/api/v1/admin/setup`);
    expect(await api.json()).toEqual({ needsSetup: true, tokenRequired: false });
  });
});

describe('where the admin app comes from', () => {
  it('is off when asked, or when the directory has no build', () => {
    expect(adminUiDir({ ADMIN_UI_DIR: 'off' })).toBeNull();
    expect(adminUiDir({ ADMIN_UI_DIR: mkdtempSync(join(tmpdir(), 'bb-empty-')) })).toBeNull();
    const dist = fakeDist();
    expect(adminUiDir({ ADMIN_UI_DIR: dist })).toBe(dist);
  });

  it('is not served when turned off', async () => {
    const gw = await startTestGateway({ env: { ADMIN_UI_DIR: 'off' } });
    try {
      expect((await fetch(`${gw.url}/admin/`)).status).toBe(404);
      expect((await fetch(`${gw.url}/`, { redirect: 'manual' })).status).toBe(404);
    } finally {
      await gw.close();
    }
  });
});
