import { gzipSync } from 'node:zlib';
import { startLocalSite, type LocalSite } from '../fixtures';
import { isBlockedAddress } from './address-policy';
import { DEFAULT_FETCH_POLICY, safeFetch, type FetchPolicy } from './safe-fetch';

let site: LocalSite;
const allowed: FetchPolicy = { ...DEFAULT_FETCH_POLICY, allowedPrivateHosts: ['127.0.0.1'], timeoutMs: 3000 };

beforeAll(async () => {
  site = await startLocalSite({
    '/page': '<p>hello</p>',
    '/zipped': { body: gzipSync(Buffer.from('<p>compressed hello</p>')), headers: { 'content-encoding': 'gzip' } },
    '/hop': { status: 302, headers: { location: '/page' } },
    '/to-localhost': { status: 301, headers: { location: '' } },
    '/to-metadata': { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } },
    '/loop': { status: 302, headers: { location: '/loop' } },
    '/big': { body: 'x'.repeat(5000) },
    '/endless': { endless: true },
    '/slow': { body: 'late', delayMs: 5000 },
    '/missing-later': { status: 503 },
  });
  site.route('/to-localhost', { status: 301, headers: { location: `http://localhost:${site.port}/page` } });
});
afterAll(() => site.close());

describe('address policy', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1',
    '::1', '::', 'fe80::1', 'fd00::1', 'fc12::3', '::ffff:127.0.0.1', '::ffff:7f00:1', '64:ff9b::a00:1', '2002:a00:1::1', 'not-an-ip',
  ])('blocks %s', (address) => expect(isBlockedAddress(address)).toBe(true));

  it.each(['93.184.215.14', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => expect(isBlockedAddress(address)).toBe(false));
});

describe('safeFetch', () => {
  it('refuses loopback without an allow-list entry, and says how to allow it', async () => {
    await expect(safeFetch(`${site.url}/page`, DEFAULT_FETCH_POLICY)).rejects.toMatchObject({
      code: 'BLOCKED_ADDRESS',
      message: expect.stringContaining('allow this host'),
    });
    // A name that resolves to loopback is refused after DNS, before any connection.
    const before = site.requests.length;
    await expect(safeFetch(`http://localhost:${site.port}/page`, DEFAULT_FETCH_POLICY)).rejects.toMatchObject({ code: 'BLOCKED_ADDRESS' });
    expect(site.requests.length).toBe(before);
  });

  it('fetches an allow-listed host with a clear User-Agent, following redirects and decompressing', async () => {
    const page = await safeFetch(`${site.url}/hop`, allowed);
    expect(page).toMatchObject({ url: `${site.url}/page`, status: 200, contentType: 'text/html; charset=utf-8' });
    expect(page.bytes.toString()).toBe('<p>hello</p>');
    expect(site.requests.at(-1)?.userAgent).toMatch(/^BabbleBuddyBot\/\d/);
    expect((await safeFetch(`${site.url}/zipped`, allowed)).bytes.toString()).toBe('<p>compressed hello</p>');
  });

  it('checks every redirect: an allowed host cannot bounce the fetch to a private one', async () => {
    await expect(safeFetch(`${site.url}/to-localhost`, allowed)).rejects.toMatchObject({ code: 'BLOCKED_ADDRESS', message: expect.stringContaining('localhost') });
    await expect(safeFetch(`${site.url}/to-metadata`, allowed)).rejects.toMatchObject({ code: 'BLOCKED_ADDRESS', message: expect.stringContaining('169.254.169.254') });
    await expect(safeFetch(`${site.url}/loop`, allowed)).rejects.toMatchObject({ code: 'URL_UNREACHABLE', message: expect.stringContaining('redirects more than') });
  });

  it('caps size, declared or streamed, and time', async () => {
    await expect(safeFetch(`${site.url}/big`, { ...allowed, maxBytes: 1000 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(safeFetch(`${site.url}/endless`, { ...allowed, maxBytes: 200_000 })).rejects.toMatchObject({ code: 'TOO_LARGE' });
    await expect(safeFetch(`${site.url}/slow`, { ...allowed, timeoutMs: 200 })).rejects.toMatchObject({ code: 'URL_UNREACHABLE', retryable: true, message: expect.stringContaining('did not answer') });
  });

  it('reports unreachable hosts and refuses other schemes', async () => {
    const closed = await startLocalSite();
    const closedUrl = closed.url;
    await closed.close();
    await expect(safeFetch(`${closedUrl}/x`, allowed)).rejects.toMatchObject({ code: 'URL_UNREACHABLE', retryable: true, message: expect.stringContaining('ECONNREFUSED') });
    await expect(safeFetch('http://no-such-host.invalid/', DEFAULT_FETCH_POLICY)).rejects.toMatchObject({ code: 'URL_UNREACHABLE', retryable: false });
    await expect(safeFetch('file:///etc/passwd', allowed)).rejects.toMatchObject({ code: 'BLOCKED_ADDRESS' });
    // HTTP errors are answers, not exceptions: the caller decides.
    expect((await safeFetch(`${site.url}/missing-later`, allowed)).status).toBe(503);
  });
});
