import { io } from 'socket.io-client';
import { adminApi, createAdminUser, login, type AdminApi } from './admin.fixtures';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { connectAdminSocket, knowledgeEnv, startWorkerProcess, stopKnowledgeStack, testQueuePrefix, uploadFiles, type ProgressSocket, type WorkerProcess } from './knowledge.fixtures';

/**
 * Tenant isolation of the knowledge API, negatively: tenant B's admin (and owner) with every id of
 * tenant A gets 404 NOT_FOUND on every knowledge route and socket subscription, and nothing of A's
 * changes or leaks.
 */
const PASSWORD = 'correct horse battery staple';

let gw: TestGateway;
let worker: WorkerProcess;
let a: TestTenant;
let b: TestTenant;
let asAdminB: AdminApi;
let asOwnerB: AdminApi;
let tokenA: string;
let tokenB: string;
let sourceA: string;
let sourceB: string;

beforeAll(async () => {
  gw = await startTestGateway({ env: knowledgeEnv(testQueuePrefix()) });
  worker = await startWorkerProcess(gw);
  a = await createTenant(gw.db, 'Tenant A');
  b = await createTenant(gw.db, 'Tenant B');
  await createAdminUser(gw.db, { email: 'admin-a@example.com', password: PASSWORD, memberships: [{ tenantId: a.tenantId, role: 'owner' }] });
  await createAdminUser(gw.db, { email: 'admin-b@example.com', password: PASSWORD, memberships: [{ tenantId: b.tenantId, role: 'admin' }] });
  await createAdminUser(gw.db, { email: 'owner-b@example.com', password: PASSWORD, memberships: [{ tenantId: b.tenantId, role: 'owner' }] });
  tokenA = await login(gw.url, 'admin-a@example.com', PASSWORD);
  tokenB = await login(gw.url, 'admin-b@example.com', PASSWORD);
  asAdminB = adminApi(gw.url, tokenB);
  asOwnerB = adminApi(gw.url, await login(gw.url, 'owner-b@example.com', PASSWORD));

  const progressA = await connectAdminSocket(gw, tokenA);
  await progressA.subscribe(a.tenantId);
  const upload = await uploadFiles(gw.url, tokenA, a.tenantId, [{ name: 'a-secrets.txt', bytes: 'Tenant A keeps its spare keys in the blue drawer.' }]);
  sourceA = upload.body.sources[0].id;
  await progressA.next((e) => e.sourceId === sourceA && e.status === 'ready');
  progressA.close();
  const uploadB = await uploadFiles(gw.url, tokenB, b.tenantId, [{ name: 'b.txt', bytes: 'Tenant B opens at nine.' }]);
  sourceB = uploadB.body.sources[0].id;
});

afterAll(async () => {
  await stopKnowledgeStack(gw, worker);
});

async function snapshotA(): Promise<unknown> {
  const [sources, chunks, blobs, embedding, tenant] = await Promise.all([
    gw.db.knowledgeSource.findMany({ where: { tenantId: a.tenantId }, orderBy: { id: 'asc' } }),
    gw.db.chunk.findMany({ where: { tenantId: a.tenantId }, orderBy: { id: 'asc' }, select: { id: true, content: true, embeddingModel: true } }),
    gw.db.knowledgeBlob.count({ where: { tenantId: a.tenantId } }),
    gw.db.embeddingConfig.findUnique({ where: { tenantId: a.tenantId } }),
    gw.db.tenant.findUnique({ where: { id: a.tenantId }, select: { settings: true } }),
  ]);
  return JSON.parse(JSON.stringify({ sources, chunks, blobs, embedding, tenant }));
}

type Call = [method: string, path: string, body?: unknown];
const resolve = (path: string) => path.replace('{A}', a.tenantId).replace('{B}', b.tenantId).replace('{sourceA}', sourceA);

const aInPath: Call[] = [
  ['GET', 'tenants/{A}/knowledge/sources'],
  ['GET', 'tenants/{A}/knowledge/sources/{sourceA}'],
  ['DELETE', 'tenants/{A}/knowledge/sources/{sourceA}'],
  ['POST', 'tenants/{A}/knowledge/sources/{sourceA}/reindex'],
  ['POST', 'tenants/{A}/knowledge/urls', { url: 'https://example.com/' }],
  ['GET', 'tenants/{A}/knowledge/embedding'],
  ['PUT', 'tenants/{A}/knowledge/embedding', { provider: 'none' }],
  ['DELETE', 'tenants/{A}/knowledge/embedding'],
  ['GET', 'tenants/{A}/knowledge/settings'],
];

const aUnderB: Call[] = [
  ['GET', 'tenants/{B}/knowledge/sources/{sourceA}'],
  ['DELETE', 'tenants/{B}/knowledge/sources/{sourceA}'],
  ['POST', 'tenants/{B}/knowledge/sources/{sourceA}/reindex'],
];

describe('knowledge tenant isolation', () => {
  it.each(aInPath)("B's admin: %s %s → 404", async (...[method, path, body]: Call) => {
    const before = await snapshotA();
    const result = await asAdminB(method, resolve(path), body);
    expect(result.status).toBe(404);
    expect(result.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'Tenant not found' });
    expect(await snapshotA()).toEqual(before);
  });

  it.each(aUnderB)("B's owner, A's source under B's path: %s %s → 404", async (...[method, path, body]: Call) => {
    const before = await snapshotA();
    const result = await asOwnerB(method, resolve(path), body);
    expect(result.status).toBe(404);
    expect(result.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'Knowledge source not found' });
    expect(await snapshotA()).toEqual(before);
  });

  it("B's owner cannot change A's allow-list (platform owners only), and learns nothing about A", async () => {
    const before = await snapshotA();
    for (const tenantId of [a.tenantId, b.tenantId]) {
      const result = await asOwnerB('PUT', `tenants/${tenantId}/knowledge/settings`, { allowedPrivateHosts: ['10.0.0.1'] });
      expect(result.status).toBe(403);
      expect(result.body.error.code).toBe('FORBIDDEN');
    }
    expect(await snapshotA()).toEqual(before);
  });

  it("B's admin cannot upload into A", async () => {
    const before = await snapshotA();
    const result = await uploadFiles(gw.url, tokenB, a.tenantId, [{ name: 'planted.txt', bytes: 'B was here.' }]);
    expect(result.status).toBe(404);
    expect(result.body.error.code).toBe('NOT_FOUND');
    expect(await snapshotA()).toEqual(before);
  });

  it("B's file with A's content is not a duplicate of A's (checksums are per tenant)", async () => {
    const result = await uploadFiles(gw.url, tokenB, b.tenantId, [{ name: 'same-bytes.txt', bytes: 'Tenant A keeps its spare keys in the blue drawer.' }]);
    expect(result.status).toBe(201);
    expect(result.body.duplicates).toEqual([]);
  });

  it("B's listing shows none of A's sources", async () => {
    const list = await asAdminB('GET', `tenants/${b.tenantId}/knowledge/sources`);
    expect(list.status).toBe(200);
    expect(list.body.sources.map((s: { id: string }) => s.id)).toContain(sourceB);
    expect(list.body.sources.every((s: { tenantId: string }) => s.tenantId === b.tenantId)).toBe(true);
  });

  it("the admin socket: B cannot subscribe to A, and B's subscription carries none of A's events", async () => {
    const progressB: ProgressSocket = await connectAdminSocket(gw, tokenB);
    try {
      expect(await progressB.subscribe(a.tenantId)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'Tenant not found' } });
      expect(await progressB.subscribe('not-a-uuid')).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect(await progressB.subscribe(b.tenantId)).toEqual({ ok: true });
      // A works on its knowledge while B listens; then B does something, so B's own event marks the end.
      const progressA = await connectAdminSocket(gw, tokenA);
      await progressA.subscribe(a.tenantId);
      const aReady = progressA.next((e) => e.sourceId === sourceA && e.status === 'ready');
      await adminApi(gw.url, tokenA)('POST', `tenants/${a.tenantId}/knowledge/sources/${sourceA}/reindex`);
      await aReady;
      progressA.close();
      await asAdminB('POST', `tenants/${b.tenantId}/knowledge/sources/${sourceB}/reindex`);
      await progressB.next((e) => e.sourceId === sourceB && e.status === 'ready');
      expect(progressB.events.length).toBeGreaterThan(0);
      expect(progressB.events.every((e) => e.tenantId === b.tenantId)).toBe(true);
    } finally {
      progressB.close();
    }
  });

  it('the admin socket refuses connections without a valid admin token', async () => {
    for (const auth of [{}, { token: 'nonsense' }, { token: a.secretKey }]) {
      const socket = io(`${gw.url}/admin`, { auth, transports: ['websocket'], reconnection: false });
      const error = await new Promise<Error & { data?: { code: string } }>((resolve) => socket.on('connect_error', resolve));
      socket.close();
      expect(error.data?.code).toBe('UNAUTHENTICATED');
    }
  });

  it('unauthenticated REST calls are refused', async () => {
    const result = await adminApi(gw.url)('GET', `tenants/${a.tenantId}/knowledge/sources`);
    expect(result.status).toBe(401);
    const upload = await uploadFiles(gw.url, undefined, a.tenantId, [{ name: 'x.txt', bytes: 'x' }]);
    expect(upload.status).toBe(401);
  });
});
