import { HANDBOOK_PAGES, GUIDE_MARKDOWN, htmlPageWithNav, makePdf, startLocalSite, type LocalSite } from '@babble-buddy/ingest/fixtures';
import { ZEmbeddingConfig, ZEmbeddingConfigUpdate, ZKnowledgeSource, ZKnowledgeSourceDetail, ZSourcePage, ZUploadFilesResponse } from '@babble-buddy/shared';
import { adminApi, createAdminUser, login, type AdminApi } from './admin.fixtures';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { connectAdminSocket, knowledgeEnv, startWorkerProcess, stopKnowledgeStack, testQueuePrefix, uploadFiles, type ProgressSocket, type WorkerProcess } from './knowledge.fixtures';

/**
 * The knowledge admin API end to end: the gateway queues, the real worker process ingests, progress
 * comes back over REST and the admin socket.
 */
const PASSWORD = 'correct horse battery staple';

let gw: TestGateway;
let worker: WorkerProcess;
let site: LocalSite;
let tenant: TestTenant;
let adminToken: string;
let asAdmin: AdminApi;
let asOwner: AdminApi;
let asViewer: AdminApi;
let asAgent: AdminApi;
let progress: ProgressSocket;

beforeAll(async () => {
  gw = await startTestGateway({ env: knowledgeEnv(testQueuePrefix()) });
  worker = await startWorkerProcess(gw);
  site = await startLocalSite({
    '/': htmlPageWithNav({ title: 'Docs home', links: ['/guide'] }),
    '/guide': htmlPageWithNav({ title: 'Guide', links: ['/'], body: '<h1>Guide</h1><p>The guide explains how to reset a password from the sign-in page.</p>' }),
  });
  tenant = await createTenant(gw.db, 'Knowledge Co');
  await createAdminUser(gw.db, { email: 'platform@example.com', password: PASSWORD, isPlatformOwner: true });
  await createAdminUser(gw.db, { email: 'admin@example.com', password: PASSWORD, memberships: [{ tenantId: tenant.tenantId, role: 'admin' }] });
  await createAdminUser(gw.db, { email: 'viewer@example.com', password: PASSWORD, memberships: [{ tenantId: tenant.tenantId, role: 'viewer' }] });
  await createAdminUser(gw.db, { email: 'agent@example.com', password: PASSWORD, memberships: [{ tenantId: tenant.tenantId, role: 'agent' }] });
  adminToken = await login(gw.url, 'admin@example.com', PASSWORD);
  asAdmin = adminApi(gw.url, adminToken);
  asOwner = adminApi(gw.url, await login(gw.url, 'platform@example.com', PASSWORD));
  asViewer = adminApi(gw.url, await login(gw.url, 'viewer@example.com', PASSWORD));
  asAgent = adminApi(gw.url, await login(gw.url, 'agent@example.com', PASSWORD));
  progress = await connectAdminSocket(gw, adminToken);
  expect(await progress.subscribe(tenant.tenantId)).toEqual({ ok: true });
});

afterAll(async () => {
  progress?.close();
  await site?.close();
  await stopKnowledgeStack(gw, worker);
});

const path = (rest: string) => `tenants/${tenant.tenantId}/knowledge/${rest}`;
const ready = (sourceId: string) => progress.next((event) => event.sourceId === sourceId && (event.status === 'ready' || event.status === 'failed'));

describe('uploading files', () => {
  let pdfId: string;
  let pdf: Uint8Array;

  it('stores several files, answers them queued, and the socket and REST follow them to ready', async () => {
    pdf = await makePdf(HANDBOOK_PAGES, { title: 'Acme Cloud Handbook' });
    const upload = await uploadFiles(gw.url, adminToken, tenant.tenantId, [
      { name: 'handbook.pdf', bytes: pdf, type: 'application/pdf' },
      { name: 'install guide.md', bytes: GUIDE_MARKDOWN, type: 'text/markdown' },
    ]);
    expect(upload.status).toBe(201);
    const body = ZUploadFilesResponse.parse(upload.body);
    expect(body.duplicates).toEqual([]);
    expect(body.sources.map((s) => [s.filename, s.status, s.kind, s.sizeBytes])).toEqual([
      ['handbook.pdf', 'queued', 'file', pdf.byteLength],
      ['install guide.md', 'queued', 'file', Buffer.byteLength(GUIDE_MARKDOWN)],
    ]);
    pdfId = body.sources[0]?.id ?? '';
    const mdId = body.sources[1]?.id ?? '';

    const [pdfDone, mdDone] = await Promise.all([ready(pdfId), ready(mdId)]);
    expect(pdfDone).toMatchObject({ status: 'ready', progress: 100, pageCount: 4, tenantId: tenant.tenantId });
    expect(mdDone).toMatchObject({ status: 'ready' });
    // The socket saw the stages on the way.
    const stages = progress.events.filter((e) => e.sourceId === pdfId).map((e) => e.status);
    expect(stages).toEqual(expect.arrayContaining(['parsing', 'embedding', 'ready']));

    const detail = await asViewer('GET', path(`sources/${pdfId}`));
    expect(detail.status).toBe(200);
    expect(ZKnowledgeSourceDetail.parse(detail.body)).toMatchObject({ status: 'ready', title: 'Acme Cloud Handbook', chunkCount: pdfDone.chunkCount, pageCount: 4, embeddingModel: 'ollama:nomic-embed-text', pages: [] });
    expect(await gw.db.chunk.count({ where: { sourceId: pdfId, tenantId: tenant.tenantId } })).toBe(pdfDone.chunkCount);
  });

  it('a question answered by the ingested handbook gets it cited, with its page', async () => {
    gw.fake.script({ chunks: ['Refunds are prorated', ' and processed within fourteen days [1].'] });
    const res = await fetch(`${gw.url}/api/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tenant.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'How long do refunds for annual plans take?' }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { citations: { index: number; sourceId: string; title: string; page?: number }[] };
    expect(body.citations).toEqual([expect.objectContaining({ index: 1, sourceId: pdfId, title: 'Acme Cloud Handbook', page: 2 })]);
    // The passage the model was given came from the handbook's billing page.
    const sent = gw.fake.chatRequests().at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(sent.messages[0]?.content).toContain('processed within fourteen days');
  });

  it('answers a duplicate with 409 and the existing source; a mixed upload stores the new file and lists the duplicate', async () => {
    const again = await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'handbook-copy.pdf', bytes: pdf }]);
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'CONFLICT', details: { existingSourceId: pdfId, duplicates: [{ filename: 'handbook-copy.pdf', existingSourceId: pdfId }] } });

    const mixed = await uploadFiles(gw.url, adminToken, tenant.tenantId, [
      { name: 'handbook-again.pdf', bytes: pdf },
      { name: 'notes.txt', bytes: 'Deliveries arrive at the loading bay behind building C.' },
      { name: 'notes-copy.txt', bytes: 'Deliveries arrive at the loading bay behind building C.' },
    ]);
    expect(mixed.status).toBe(201);
    const body = ZUploadFilesResponse.parse(mixed.body);
    expect(body.sources.map((s) => s.filename)).toEqual(['notes.txt']);
    expect(body.duplicates).toEqual([
      { filename: 'handbook-again.pdf', existingSourceId: pdfId },
      { filename: 'notes-copy.txt', existingSourceId: body.sources[0]?.id },
    ]);
    await ready(body.sources[0]?.id ?? '');
  });

  it('refuses oversized, non-multipart, empty and misnamed uploads with clear codes, storing nothing', async () => {
    const before = await gw.db.knowledgeSource.count({ where: { tenantId: tenant.tenantId } });
    const big = await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'big.txt', bytes: 'x'.repeat(300_001) }]);
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: '"big.txt" is larger than the 293 KB limit per file; nothing was stored' });

    const json = await asAdmin('POST', path('files'), { files: ['nope'] });
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const noAgent = await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'a.txt', bytes: 'for an agent' }], { agentId: tenant.tenantId });
    expect(noAgent.status).toBe(404);
    expect(noAgent.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'Agent not found' });
    const unknownField = await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'a.txt', bytes: 'x' }], { owner: 'me' });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.code).toBe('VALIDATION_FAILED');
    const empty = await uploadFiles(gw.url, adminToken, tenant.tenantId, []);
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('No files') });

    const wrongField = await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'a.txt', bytes: 'hello' }], {}, 'document');
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.message).toContain('Files go in the "files" field');

    const tooMany = await uploadFiles(gw.url, adminToken, tenant.tenantId, Array.from({ length: 6 }, (_, i) => ({ name: `${i}.txt`, bytes: `file ${i}` })));
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.message).toBe('At most 5 files per upload');
    expect(await gw.db.knowledgeSource.count({ where: { tenantId: tenant.tenantId } })).toBe(before);
  });

  it('an unsupported file is stored, then fails with UNSUPPORTED_TYPE on the source', async () => {
    const upload = await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'logo.png', bytes: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0]) }]);
    expect(upload.status).toBe(201);
    const id = upload.body.sources[0].id as string;
    expect(await ready(id)).toMatchObject({ status: 'failed', errorCode: 'UNSUPPORTED_TYPE' });
    const row = await asAdmin('GET', path(`sources/${id}`));
    expect(row.body).toMatchObject({ status: 'failed', errorCode: 'UNSUPPORTED_TYPE', errorMessage: expect.stringContaining('PNG image') });
  });
});

describe('URLs and crawls', () => {
  it('refuses loopback until a platform owner allow-lists the host; tenant admins cannot', async () => {
    const refused = await asAdmin('POST', path('urls'), { url: `${site.url}/guide` });
    expect(refused.status).toBe(201);
    expect(await ready(refused.body.id)).toMatchObject({ status: 'failed', errorCode: 'BLOCKED_ADDRESS' });

    expect((await asAdmin('PUT', path('settings'), { allowedPrivateHosts: ['127.0.0.1'] })).status).toBe(403);
    const allowed = await asOwner('PUT', path('settings'), { allowedPrivateHosts: ['127.0.0.1', '127.0.0.1'] });
    expect(allowed).toEqual({ status: 200, body: { allowedPrivateHosts: ['127.0.0.1'] } });
    expect((await asViewer('GET', path('settings'))).body).toEqual({ allowedPrivateHosts: ['127.0.0.1'] });

    const reindexed = await asAdmin('POST', path(`sources/${refused.body.id}/reindex`));
    expect(reindexed.status).toBe(202);
    expect(ZKnowledgeSource.parse(reindexed.body)).toMatchObject({ status: 'queued', errorCode: null });
    expect(await progress.next((e) => e.sourceId === refused.body.id && e.status === 'ready')).toMatchObject({ chunkCount: 1 });
  });

  it('crawls a site within its bounds; the crawl lists its pages', async () => {
    const crawl = await asAdmin('POST', path('urls'), { url: `${site.url}/`, crawl: { maxPages: 5, maxDepth: 1 } });
    expect(crawl.status).toBe(201);
    expect(crawl.body).toMatchObject({ kind: 'url', crawl: { maxPages: 5, maxDepth: 1 }, status: 'queued' });
    expect(await ready(crawl.body.id)).toMatchObject({ status: 'ready', pageCount: 2 });
    const detail = ZKnowledgeSourceDetail.parse((await asAdmin('GET', path(`sources/${crawl.body.id}`))).body);
    expect(detail.pages.map((p) => [new URL(p.url ?? '').pathname, p.status, p.parentId])).toEqual([
      ['/', 'ready', crawl.body.id],
      ['/guide', 'ready', crawl.body.id],
    ]);
    // The listing shows the crawl, not its pages.
    const list = ZSourcePage.parse((await asAdmin('GET', path('sources?limit=200'))).body);
    expect(list.sources.some((s) => s.id === crawl.body.id)).toBe(true);
    expect(list.sources.some((s) => s.parentId !== null)).toBe(false);
  });

  it('validates URL requests', async () => {
    const bad = [{ url: 'ftp://example.com/file' }, { url: `${site.url}/`, crawl: { maxPages: 501 } }, { url: `${site.url}/`, crawl: { maxDepth: 9 } }, { url: `${site.url}/`, extra: true }];
    for (const body of bad) {
      const result = await asAdmin('POST', path('urls'), body);
      expect(result.status).toBe(400);
      expect(result.body.error.code).toBe('VALIDATION_FAILED');
    }
  });
});

describe('delete, reindex and listing', () => {
  it('deletes a source with its chunks and stored file', async () => {
    const upload = await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'temp.txt', bytes: 'Temporary note about the spring party on the roof terrace.' }]);
    const id = upload.body.sources[0].id as string;
    await ready(id);
    expect(await gw.db.chunk.count({ where: { sourceId: id } })).toBe(1);
    expect((await asViewer('DELETE', path(`sources/${id}`))).status).toBe(403);
    expect((await asAdmin('DELETE', path(`sources/${id}`))).status).toBe(204);
    expect(await gw.db.chunk.count({ where: { sourceId: id } })).toBe(0);
    expect(await gw.db.knowledgeBlob.count({ where: { sourceId: id } })).toBe(0);
    expect((await asAdmin('GET', path(`sources/${id}`))).body.error).toMatchObject({ code: 'NOT_FOUND', message: 'Knowledge source not found' });
    expect((await asAdmin('DELETE', path(`sources/${id}`))).status).toBe(404);
    // Deleting frees the checksum: the same file may be uploaded again.
    expect((await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'temp.txt', bytes: 'Temporary note about the spring party on the roof terrace.' }])).status).toBe(201);
  });

  it('reindex rebuilds the chunks', async () => {
    const upload = await uploadFiles(gw.url, adminToken, tenant.tenantId, [{ name: 'desk.txt', bytes: 'Hot desks can be booked one week ahead.' }]);
    const id = upload.body.sources[0].id as string;
    await ready(id);
    const before = await gw.db.chunk.findMany({ where: { sourceId: id }, select: { id: true } });
    const seen = progress.events.length;
    expect((await asAdmin('POST', path(`sources/${id}/reindex`))).status).toBe(202);
    await progress.next((e) => e.sourceId === id && e.status === 'ready' && progress.events.indexOf(e) >= seen);
    const after = await gw.db.chunk.findMany({ where: { sourceId: id }, select: { id: true } });
    expect(after).toHaveLength(before.length);
    expect(after[0]?.id).not.toBe(before[0]?.id);
  });

  it('pages through sources newest first with a cursor, and filters by status', async () => {
    const first = ZSourcePage.parse((await asViewer('GET', path('sources?limit=2'))).body);
    expect(first.sources).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = ZSourcePage.parse((await asViewer('GET', path(`sources?limit=2&cursor=${first.nextCursor}`))).body);
    expect(second.sources.map((s) => s.id)).not.toContain(first.sources[0]?.id);
    expect(Date.parse(second.sources[0]?.createdAt ?? '')).toBeLessThanOrEqual(Date.parse(first.sources[1]?.createdAt ?? ''));
    const failed = ZSourcePage.parse((await asViewer('GET', path('sources?status=failed'))).body);
    expect(failed.sources.length).toBeGreaterThan(0);
    expect(failed.sources.every((s) => s.status === 'failed')).toBe(true);
    expect((await asViewer('GET', path('sources?cursor=garbage'))).status).toBe(400);
    expect((await asViewer('GET', path('sources?limit=5000'))).status).toBe(400);
  });
});

describe('the embedding model', () => {
  it('defaults to the deployment model; changing it re-embeds every source with the new dimensions', async () => {
    const current = ZEmbeddingConfig.parse((await asViewer('GET', path('embedding'))).body);
    expect(current).toMatchObject({ source: 'default', provider: 'ollama', model: 'nomic-embed-text', label: 'ollama:nomic-embed-text', hasApiKey: false });

    expect((await asAgent('PUT', path('embedding'), { provider: 'ollama', model: 'all-minilm' })).status).toBe(403);
    const seen = progress.events.length;
    const changed = await asAdmin('PUT', path('embedding'), { provider: 'ollama', model: 'all-minilm' });
    expect(changed.status).toBe(200);
    expect(ZEmbeddingConfigUpdate.parse(changed.body)).toMatchObject({ reindexing: true, config: { source: 'tenant', label: 'ollama:all-minilm' } });

    // Every source holding chunks (files, single pages, crawl pages) is re-embedded and announced ready again.
    const sources = await gw.db.chunk.findMany({ where: { tenantId: tenant.tenantId }, distinct: ['sourceId'], select: { sourceId: true } });
    expect(sources.length).toBeGreaterThan(4);
    await Promise.all(sources.map((s) => progress.next((e) => e.sourceId === s.sourceId && e.status === 'ready' && progress.events.indexOf(e) >= seen)));
    const dims = await gw.db.$queryRaw<{ embedding_model: string; embedding_dims: number; n: bigint }[]>`
      SELECT embedding_model, embedding_dims, count(*) AS n FROM chunks WHERE tenant_id = ${tenant.tenantId}::uuid GROUP BY 1, 2`;
    expect(dims.map((row) => [row.embedding_model, row.embedding_dims])).toEqual([['ollama:all-minilm', 384]]);

    // Same model again: nothing to redo.
    expect((await asAdmin('PUT', path('embedding'), { provider: 'ollama', model: 'all-minilm', baseUrl: gw.fake.url })).body.reindexing).toBe(false);
    const reset = await asAdmin('DELETE', path('embedding'));
    expect(reset.body).toMatchObject({ reindexing: true, config: { source: 'default', label: 'ollama:nomic-embed-text' } });
    expect((await asAdmin('PUT', path('embedding'), { provider: 'openai' })).body.error.code).toBe('VALIDATION_FAILED');
  });
});

describe('audit', () => {
  it('records every change with its actor', async () => {
    const entries = await gw.db.auditLog.findMany({ where: { tenantId: tenant.tenantId, action: { startsWith: 'knowledge.' } } });
    const actions = new Set(entries.map((e) => e.action));
    for (const action of ['knowledge.upload', 'knowledge.add_url', 'knowledge.delete', 'knowledge.reindex', 'knowledge.embedding_update', 'knowledge.embedding_reset', 'knowledge.settings_update']) {
      expect(actions).toContain(action);
    }
    expect(entries.every((e) => e.channel === 'api' && e.actorId !== null)).toBe(true);
  });
});
