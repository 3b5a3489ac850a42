import { makePasswordProtectedPdf, makePdf, startLocalSite, type LocalSite } from '@babble-buddy/ingest/fixtures';
import { chunksOf, startStack, type TestStack } from './harness';

/** Every failure reason reaches the source row as a code and a sentence an operator can act on. */
let stack: TestStack;
let site: LocalSite;
let tenantId: string;
let blockedTenantId: string;

beforeAll(async () => {
  stack = await startStack();
  await stack.startWorker({ FETCH_MAX_BYTES: '4096', FETCH_TIMEOUT_MS: '1500' });
  site = await startLocalSite({
    '/ok': '<html><head><title>Fine</title></head><body><p>The canteen serves lunch from noon until two.</p></body></html>',
    '/huge': { body: 'y'.repeat(20_000), contentType: 'text/plain' },
    '/slow': { body: 'late', delayMs: 10_000 },
    '/gone': { status: 404, body: 'not here' },
    '/image': { body: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]), contentType: 'image/png' },
    '/robots.txt': { contentType: 'text/plain', body: 'User-agent: *\nDisallow: /private\n' },
    '/private/page': '<p>secret</p>',
  });
  tenantId = await stack.createTenant('Failures', { allowedPrivateHosts: ['127.0.0.1'] });
  blockedTenantId = await stack.createTenant('No allow-list');
});
afterAll(async () => {
  await site?.close();
  await stack?.close();
});

async function expectFailure(sourceId: string, code: string, message: RegExp): Promise<void> {
  const source = await stack.settled(sourceId);
  expect(source).toMatchObject({ status: 'failed', stage: 'failed', errorCode: code });
  expect(source.errorMessage).toMatch(message);
  expect(await chunksOf(stack.db, sourceId)).toEqual([]);
  expect(stack.watcher.of(sourceId).at(-1)).toMatchObject({ status: 'failed', errorCode: code, errorMessage: source.errorMessage });
}

describe('failure reasons', () => {
  it('UNSUPPORTED_TYPE: an image, a JSON file', async () => {
    await expectFailure(await stack.addFile(tenantId, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0, 0]), 'photo.jpg', 'image/jpeg'), 'UNSUPPORTED_TYPE', /JPEG image.*Supported: PDF, DOCX, CSV, TXT, Markdown and HTML/);
    await expectFailure(await stack.addFile(tenantId, Buffer.from('{"a": 1}'), 'data.json', 'application/json'), 'UNSUPPORTED_TYPE', /Unsupported file type/);
  });

  it('ENCRYPTED_PDF', async () => {
    await expectFailure(await stack.addFile(tenantId, await makePasswordProtectedPdf(), 'salaries.pdf'), 'ENCRYPTED_PDF', /password-protected/);
  });

  it('EMPTY_DOCUMENT: a PDF of blank pages, a whitespace file', async () => {
    await expectFailure(await stack.addFile(tenantId, await makePdf([[], []]), 'scan.pdf'), 'EMPTY_DOCUMENT', /No text was found.*scanned PDF/);
    await expectFailure(await stack.addFile(tenantId, Buffer.from('  \n\t\n'), 'blank.txt'), 'EMPTY_DOCUMENT', /No text was found/);
  });

  it('PARSE_FAILED: a damaged PDF', async () => {
    await expectFailure(await stack.addFile(tenantId, Buffer.from('%PDF-1.7\nnot really'), 'damaged.pdf'), 'PARSE_FAILED', /could not be read/);
  });

  it('URL_UNREACHABLE: 404, a closed port (retried first), a server that does not answer in time', async () => {
    await expectFailure(await stack.addUrl(tenantId, `${site.url}/gone`), 'URL_UNREACHABLE', /answered HTTP 404/);

    const closed = await startLocalSite();
    await closed.close();
    const refused = await stack.addUrl(tenantId, `${closed.url}/page`);
    await expectFailure(refused, 'URL_UNREACHABLE', /ECONNREFUSED/);
    // The first attempt announced a retry before the last one failed.
    expect(stack.watcher.of(refused).some((e) => e.stage === 'retrying' && /Attempt 1 of 2 failed/.test(e.errorMessage ?? ''))).toBe(true);

    await expectFailure(await stack.addUrl(tenantId, `${site.url}/slow`), 'URL_UNREACHABLE', /did not answer within/);
  });

  it('TOO_LARGE: a page over FETCH_MAX_BYTES', async () => {
    await expectFailure(await stack.addUrl(tenantId, `${site.url}/huge`), 'TOO_LARGE', /larger than 4 KB/);
  });

  it('UNSUPPORTED_TYPE from a URL serving an image', async () => {
    await expectFailure(await stack.addUrl(tenantId, `${site.url}/image`), 'UNSUPPORTED_TYPE', /PNG image/);
  });

  it('BLOCKED_ADDRESS: loopback without the allow-list, link-local metadata even with one', async () => {
    const before = site.requests.length;
    await expectFailure(await stack.addUrl(blockedTenantId, `${site.url}/ok`), 'BLOCKED_ADDRESS', /loopback or link-local.*allow this host/);
    await expectFailure(await stack.addUrl(blockedTenantId, `http://localhost:${site.port}/ok`), 'BLOCKED_ADDRESS', /localhost \(/);
    await expectFailure(await stack.addUrl(tenantId, 'http://169.254.169.254/latest/meta-data/'), 'BLOCKED_ADDRESS', /169\.254\.169\.254/);
    expect(site.requests.length).toBe(before);
  });

  it('ROBOTS_DISALLOWED: a crawl starting where robots.txt forbids', async () => {
    await expectFailure(await stack.addUrl(tenantId, `${site.url}/private/page`, { maxPages: 5, maxDepth: 1 }), 'ROBOTS_DISALLOWED', /robots\.txt does not allow/);
  });

  it('EMBEDDING_FAILED when the model is down on every attempt; the same file succeeds once it is back', async () => {
    const bytes = Buffer.from('The gym opens at six in the morning.');
    stack.fake.setDown(true);
    try {
      const sourceId = await stack.addFile(tenantId, bytes, 'gym.txt');
      await expectFailure(sourceId, 'EMBEDDING_FAILED', /ollama:nomic-embed-text at http:\/\/127\.0\.0\.1:\d+ failed/);
    } finally {
      stack.fake.setDown(false);
    }
    const retry = await stack.db.knowledgeSource.findFirstOrThrow({ where: { tenantId, filename: 'gym.txt' } });
    await stack.enqueue({ tenantId, sourceId: retry.id, mode: 'full', reason: 'reindex' });
    const done = await stack.watcher.next((e) => e.sourceId === retry.id && e.status === 'ready', 30_000, false);
    expect(done).toMatchObject({ chunkCount: 1, errorCode: null, errorMessage: null });
  });

  it('a single allowed page still works next to all of this', async () => {
    const sourceId = await stack.addUrl(tenantId, `${site.url}/ok`);
    expect(await stack.settled(sourceId)).toMatchObject({ status: 'ready', title: 'Fine', chunkCount: 1 });
    expect((await chunksOf(stack.db, sourceId))[0]?.metadata).toMatchObject({ url: `${site.url}/ok`, type: 'html' });
    expect(site.requests.find((r) => r.path === '/ok')?.userAgent).toMatch(/^BabbleBuddyBot\//);
  });
});
