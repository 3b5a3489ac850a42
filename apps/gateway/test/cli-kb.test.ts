import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GUIDE_MARKDOWN, makePasswordProtectedPdf, startLocalSite, type LocalSite } from '@babble-buddy/ingest/fixtures';
import { ZKnowledgeSource } from '@babble-buddy/shared';
import { ensureBuilt, runCli, type RunResult } from './cli.fixtures';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from './harness';
import { knowledgeEnv, startWorkerProcess, stopKnowledgeStack, testQueuePrefix, type WorkerProcess } from './knowledge.fixtures';

/** `bb kb add | list | rm` against the real worker process, output as a pipe sees it (plain lines). */
let gw: TestGateway;
let worker: WorkerProcess;
let site: LocalSite;
let tenant: TestTenant;
let slug: string;
let dir: string;

function run(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  return runCli(args, { DATABASE_URL: gw.config.DATABASE_URL, REDIS_URL: gw.config.REDIS_URL, QUEUE_PREFIX: gw.config.QUEUE_PREFIX, ...env });
}

beforeAll(async () => {
  ensureBuilt();
  gw = await startTestGateway({ env: knowledgeEnv(testQueuePrefix()) });
  worker = await startWorkerProcess(gw);
  site = await startLocalSite({ '/faq': '<html><head><title>FAQ</title></head><body><main><h1>FAQ</h1><p>Passwords are reset from the sign-in page.</p></main></body></html>' });
  tenant = await createTenant(gw.db, 'Cli Knowledge');
  slug = (await gw.db.tenant.findUniqueOrThrow({ where: { id: tenant.tenantId } })).slug;
  await gw.db.tenant.update({ where: { id: tenant.tenantId }, data: { settings: { knowledge: { allowedPrivateHosts: ['127.0.0.1'] } } } });
  dir = mkdtempSync(join(tmpdir(), 'bb-kb-'));
  writeFileSync(join(dir, 'guide.md'), GUIDE_MARKDOWN);
  writeFileSync(join(dir, 'locked.pdf'), await makePasswordProtectedPdf());
}, 120_000);

afterAll(async () => {
  await site?.close();
  await stopKnowledgeStack(gw, worker);
});

describe('bb kb', () => {
  let guideId: string;

  it('add: uploads files and URLs, follows them to ready with one line per step, exit 0', async () => {
    const result = await run(['kb', 'add', '--tenant', slug, join(dir, 'guide.md'), `${site.url}/faq`]);
    expect(result.stderr).toMatch(/^guide\.md: (queued|parsing|chunking|embedding|storing)/m);
    expect(result.stderr).toMatch(/^guide\.md: ready, \d+ chunks$/m);
    expect(result.stderr).toMatch(new RegExp(`^${site.url}/faq: ready, 1 chunk$`, 'm'));
    // Progress bars are for terminals only.
    expect(result.stderr).not.toContain('█');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^ready +[0-9a-f-]{36}  guide\.md$/);
    expect(lines[1]).toMatch(/^ready +[0-9a-f-]{36}  http:\/\/127\.0\.0\.1:\d+\/faq$/);
    guideId = lines[0]?.split(/\s+/)[1] ?? '';
    expect(await gw.db.chunk.count({ where: { sourceId: guideId, tenantId: tenant.tenantId } })).toBeGreaterThan(0);
    expect(await gw.db.auditLog.count({ where: { tenantId: tenant.tenantId, action: 'knowledge.upload', channel: 'cli' } })).toBe(1);
  });

  it('add: a duplicate is skipped with the existing id; a failing file makes the exit code 1 with its reason', async () => {
    const result = await run(['kb', 'add', '--tenant', slug, join(dir, 'guide.md'), join(dir, 'locked.pdf'), '--json']);
    expect(result.stderr).toContain(`guide.md: already in the knowledge base as ${guideId}; skipped`);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error: 1 of 1 sources failed/);
    const output = JSON.parse(result.stdout) as { sources: unknown[]; duplicates: unknown[] };
    expect(ZKnowledgeSource.array().parse(output.sources)).toEqual([expect.objectContaining({ filename: 'locked.pdf', status: 'failed', errorCode: 'ENCRYPTED_PDF' })]);
    expect(output.duplicates).toEqual([{ filename: 'guide.md', existingSourceId: guideId }]);
  });

  it('add --no-wait queues and returns; bad arguments are refused before anything is stored', async () => {
    const noWait = await run(['kb', 'add', '--tenant', slug, `${site.url}/faq?again=1`, '--no-wait']);
    expect(noWait.code).toBe(0);
    expect(noWait.stdout).toMatch(/^queued [0-9a-f-]{36}  http:\/\/127\.0\.0\.1:\d+\/faq\?again=1\n$/);

    const before = await gw.db.knowledgeSource.count();
    const missing = await run(['kb', 'add', '--tenant', slug, join(dir, 'nope.txt')]);
    expect(missing).toMatchObject({ code: 2, stderr: `error: ${join(dir, 'nope.txt')}: no such file\n` });
    const badCrawl = await run(['kb', 'add', '--tenant', slug, `${site.url}/`, '--max-pages', '0']);
    expect(badCrawl.code).toBe(2);
    const noRedis = await run(['kb', 'add', '--tenant', slug, join(dir, 'guide.md')], { REDIS_URL: undefined });
    expect(noRedis).toMatchObject({ code: 2, stderr: expect.stringContaining('REDIS_URL: required') });
    expect(await gw.db.knowledgeSource.count()).toBe(before);
  });

  it('list shows the sources; rm deletes one with its chunks', async () => {
    const table = await run(['kb', 'list', '--tenant', slug]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID +STATUS +PROGRESS +CHUNKS +KIND +TITLE/);
    expect(table.stdout).toMatch(new RegExp(`${guideId} +ready +100%`));
    expect(table.stdout).toMatch(/failed .*ENCRYPTED_PDF/);

    const removed = await run(['kb', 'rm', guideId]);
    expect(removed.code).toBe(0);
    expect(removed.stdout).toMatch(new RegExp(`^Deleted ${guideId} \\(guide\\.md, \\d+ chunks\\)`));
    expect(await gw.db.chunk.count({ where: { sourceId: guideId } })).toBe(0);
    const again = await run(['kb', 'rm', guideId]);
    expect(again).toMatchObject({ code: 2, stderr: 'error: Knowledge source not found\n' });
    expect((await run(['kb', 'rm', 'not-a-uuid'])).code).toBe(2);
  });
});
