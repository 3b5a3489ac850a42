import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { GUIDE_MARKDOWN, HANDBOOK_PAGES, htmlPageWithNav, makePdf, startLocalSite, type LocalSite } from '@babble-buddy/ingest/fixtures';
import { artifactPath, axeViolations, launchChromium, type AxeViolation } from '@babble-buddy/testing';
import { startTestGateway, type TestGateway } from '../../gateway/test/harness';
import { seedConversation } from '../../gateway/test/admin.fixtures';
import { knowledgeEnv, startWorkerProcess, stopKnowledgeStack, testQueuePrefix, type WorkerProcess } from '../../gateway/test/knowledge.fixtures';

/**
 * The admin app in real Chromium, served by the real gateway (the same factory main.ts uses) from
 * apps/admin/dist, on a fresh database with real Redis, the real ingestion worker and the fake LLM.
 */
const DIST = resolve(__dirname, '..', 'dist');
const OWNER = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'owner-password-123' };
const VIEWER = { email: 'victor@example.com', password: 'viewer-password-123' };
const SUITE = 'admin';

let gw: TestGateway;
let worker: WorkerProcess;
let site: LocalSite;
let browser: Browser;
let owner: BrowserContext;
let page: Page;
let tenantId = '';
let secretKey = '';
let publishableKey = '';
let keptConversationId = '';

async function openContext(width = 1280, height = 900): Promise<{ context: BrowserContext; page: Page }> {
  // bypassCSP: axe-core is injected as an inline script, which the admin's CSP (rightly) refuses.
  const context = await browser.newContext({ viewport: { width, height }, acceptDownloads: true, bypassCSP: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: gw.url });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** The owner's current token, read from the signed-in page. */
async function ownerToken(): Promise<string> {
  return page.evaluate(() => (JSON.parse(localStorage.getItem('babble-buddy-admin.session') ?? '{}') as { token: string }).token);
}

/** An API call from the page, with its signed-in operator's token: the status and error code of the answer. */
async function callAs(p: Page, method: string, path: string, body: unknown): Promise<{ status: number; code: string | undefined }> {
  return p.evaluate(
    async ([method, path, body]) => {
      const session = JSON.parse(localStorage.getItem('babble-buddy-admin.session') ?? '{}') as { token: string };
      const response = await fetch(path, { method, headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, code: ((await response.json()) as { error?: { code: string } }).error?.code };
    },
    [method, path, body] as const,
  );
}

/** Resolves once `check` is true (checked every 100 ms; Jest's own timeout bounds it). */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((done) => setTimeout(done, 100));
}

const url = (hash = '/') => `${gw.url}/admin/#${hash}`;

async function heading(p: Page, name: string | RegExp): Promise<void> {
  await p.getByRole('heading', { level: 1, name }).waitFor();
  // Nothing is still loading.
  await p.locator('[role=status]:has-text("Loading")').waitFor({ state: 'detached' });
}

async function signIn(p: Page, who: { email: string; password: string }): Promise<void> {
  await p.getByLabel('E-mail').fill(who.email);
  await p.getByLabel('Password', { exact: true }).fill(who.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

async function shot(p: Page, name: string): Promise<void> {
  await p.screenshot({ path: artifactPath(SUITE, `${name}.png`), fullPage: true });
}

/** Serious and critical axe-core violations, reported with the page name. */
async function axe(p: Page, name: string): Promise<(AxeViolation & { page: string })[]> {
  return (await axeViolations(p)).map((v) => ({ ...v, page: name }));
}

beforeAll(async () => {
  gw = await startTestGateway({ env: { ADMIN_UI_DIR: DIST, ...knowledgeEnv(testQueuePrefix()) } });
  worker = await startWorkerProcess(gw);
  site = await startLocalSite({
    '/': htmlPageWithNav({ title: 'Help centre', links: ['/returns'] }),
    '/returns': htmlPageWithNav({ title: 'Returns', links: ['/'], body: '<h1>Returns</h1><p>Parcels can be returned within thirty days with the printed label.</p>' }),
  });
  browser = await launchChromium();
  ({ context: owner, page } = await openContext());
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await stopKnowledgeStack(gw, worker);
});

describe('admin app', () => {
  it('sends the first visitor to first-run setup and creates the platform owner', async () => {
    await page.goto(`${gw.url}/admin/`);
    await heading(page, 'Welcome to Babble Buddy');
    await shot(page, 'setup-1280');
    expect(await axe(page, 'setup')).toEqual([]);

    // The shared schema's rule shows next to the field before anything is sent.
    await page.getByLabel('E-mail').fill(OWNER.email);
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByLabel('Repeat the password').fill('short');
    await page.getByRole('button', { name: 'Create the owner account' }).click();
    await page.getByText('at least 8 characters').waitFor();
    expect(await gw.db.adminUser.count()).toBe(0);

    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Password', { exact: true }).fill(OWNER.password);
    await page.getByLabel('Repeat the password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create the owner account' }).click();
    await heading(page, 'Tenants');
    await page.getByText('No tenants yet').first().waitFor();
    expect(await gw.db.adminUser.findFirst({ where: { email: OWNER.email } })).toMatchObject({ isPlatformOwner: true, name: OWNER.name });
  });

  it('creates a tenant and keys: each secret is shown once, with a copy button', async () => {
    await page.getByRole('button', { name: 'New tenant' }).click();
    const dialog = page.getByRole('dialog', { name: 'New tenant' });
    await dialog.getByLabel('Name').fill('Acme Shop');
    await dialog.getByLabel('Widget origins').fill('https://shop.example.com/path');
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    // ZOrigin (the API's own rule) refuses a path, next to the field.
    await dialog.getByText(/Entry 1: an origin like/).waitFor();
    await dialog.getByLabel('Widget origins').fill('https://shop.example.com');
    await shot(page, 'tenant-create-dialog-1280');
    await dialog.getByRole('button', { name: 'Create tenant' }).click();

    const ready = page.getByRole('dialog', { name: 'Acme Shop is ready' });
    await ready.waitFor();
    const secrets = await ready.locator('[data-secret]').allTextContents();
    expect(secrets[0]).toMatch(/^pk_/);
    expect(secrets[1]).toMatch(/^sk_/);
    secretKey = secrets[1] ?? '';
    publishableKey = secrets[0] ?? '';
    await ready.getByRole('button', { name: 'Copy key' }).nth(1).click();
    await ready.getByText('Copied', { exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secretKey);
    await shot(page, 'tenant-keys-shown-once-1280');
    await ready.getByRole('button', { name: 'I have copied the keys' }).click();

    const tenant = await gw.db.tenant.findFirstOrThrow({ where: { name: 'Acme Shop' } });
    tenantId = tenant.id;
    await page.getByRole('link', { name: 'Acme Shop' }).first().waitFor();
    // The key shown really works.
    const chat = await fetch(`${gw.url}/api/v1/chat`, { method: 'POST', headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'Hello there' }) });
    expect(chat.status).toBe(200);

    await page.goto(url(`/t/${tenantId}/keys`));
    await heading(page, 'API keys');
    await page.getByRole('button', { name: 'New key' }).click();
    const create = page.getByRole('dialog', { name: 'New API key' });
    await create.getByLabel('Kind').selectOption('secret');
    await create.getByLabel('Name').fill('Backend');
    await create.getByRole('button', { name: 'Create key' }).click();
    const copy = page.getByRole('dialog', { name: 'Copy your new key' });
    const backendKey = (await copy.locator('[data-secret]').textContent()) ?? '';
    expect(backendKey).toMatch(/^sk_/);
    await copy.getByRole('button', { name: 'Done' }).click();
    const row = page.getByRole('row').filter({ hasText: 'Backend' });
    await row.getByText('active').filter({ visible: true }).waitFor();
    // Shown once: the list has only its prefix.
    expect(await page.locator('main').textContent()).not.toContain(backendKey);

    await row.getByRole('button', { name: /Revoke/ }).click();
    await page.getByRole('dialog', { name: /Revoke/ }).getByRole('button', { name: 'Revoke key' }).click();
    await row.getByText('revoked').filter({ visible: true }).waitFor();
    expect((await gw.db.apiKey.findFirstOrThrow({ where: { tenantId, name: 'Backend' } })).revokedAt).not.toBeNull();

    // The widget key gets a second site, without changing the key.
    await page.getByRole('row').filter({ hasText: 'Widget' }).getByRole('button', { name: /Edit/ }).click();
    const editDialog = page.getByRole('dialog', { name: /Edit pk_/ });
    await editDialog.getByLabel('Allowed origins').fill('https://shop.example.com\nhttps://www.shop.example.com');
    await editDialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row').filter({ hasText: 'Widget' }).getByText('https://www.shop.example.com').waitFor();
    expect((await gw.db.apiKey.findFirstOrThrow({ where: { tenantId, kind: 'publishable' } })).allowedOrigins).toEqual(['https://shop.example.com', 'https://www.shop.example.com']);
  });

  it('configures the model and shows the connection test succeed, then fail with the exact error', async () => {
    await page.goto(url(`/t/${tenantId}/model`));
    await heading(page, 'Model settings');
    const primary = page.getByRole('form', { name: 'Primary model' });
    await primary.getByLabel('Provider').selectOption('ollama');
    await primary.getByLabel('Base URL').fill(gw.fake.url);
    await primary.getByLabel('Model', { exact: true }).fill('llama3.2');
    await primary.getByLabel('Temperature').fill('7');
    await primary.getByRole('button', { name: 'Save' }).click();
    await primary.getByText('Too big: expected number to be <=2').waitFor();
    await primary.getByLabel('Temperature').fill('0.4');
    await primary.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Primary model saved').waitFor();
    expect(await gw.db.llmConfig.findFirst({ where: { tenantId, priority: 0 } })).toMatchObject({ provider: 'ollama', model: 'llama3.2', baseUrl: gw.fake.url, temperature: 0.4 });

    const saved = page.getByRole('form', { name: 'Primary model' });
    await saved.getByRole('button', { name: 'Test connection' }).click();
    const ok = saved.locator('[data-test-result=connected]');
    await ok.waitFor();
    expect(await ok.textContent()).toMatch(/Connected in \d+ ms.*"llama3\.2" is available/);
    // The provider's models fill the model field's suggestions.
    expect(await saved.locator('datalist option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toContain('llama3.2:latest');
    await shot(page, 'model-test-connected-1280');

    gw.fake.setDown(true);
    try {
      await saved.getByRole('button', { name: 'Test connection' }).click();
      const failed = saved.locator('[data-test-result=unreachable]');
      await failed.waitFor();
      expect(await failed.textContent()).toMatch(/Connection failed.*(ECONNRESET|socket|closed|fetch failed|terminated)/i);
      await shot(page, 'model-test-failed-1280');
    } finally {
      gw.fake.setDown(false);
    }

    await saved.getByLabel('Base URL').fill(`http://127.0.0.1:${await closedPort()}`);
    await saved.getByRole('button', { name: 'Test connection' }).click();
    await saved.getByText('Testing the connection…').waitFor({ state: 'detached' });
    expect(await saved.locator('[data-test-result=unreachable]').textContent()).toMatch(/Connection failed.*(ECONNREFUSED|refused)/i);
  });

  it('uploads dropped files with a progress bar each; the PDF reaches ready, an unsupported file fails with its reason', async () => {
    await page.goto(url(`/t/${tenantId}/knowledge`));
    await heading(page, 'Knowledge base');
    await page.getByText('No sources yet').waitFor();
    const pdf = await makePdf(HANDBOOK_PAGES, { title: 'Acme Cloud Handbook' });
    const files = [
      { name: 'handbook.pdf', type: 'application/pdf', base64: Buffer.from(pdf).toString('base64') },
      { name: 'guide.md', type: 'text/markdown', base64: Buffer.from(GUIDE_MARKDOWN).toString('base64') },
      { name: 'installer.exe', type: 'application/octet-stream', base64: Buffer.from('MZ not a document').toString('base64') },
    ];
    // A real drop event carrying real File objects, as the browser makes it from a desktop drag.
    const dataTransfer = await page.evaluateHandle((list) => {
      const transfer = new DataTransfer();
      for (const file of list) transfer.items.add(new File([Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0))], file.name, { type: file.type }));
      return transfer;
    }, files);
    await page.locator('[data-dropzone]').dispatchEvent('dragover', { dataTransfer });
    await page.locator('[data-dropzone]').dispatchEvent('drop', { dataTransfer });

    const uploads = page.getByRole('list', { name: 'Uploads' });
    for (const file of files) {
      const item = uploads.locator(`[data-upload="${file.name}"]`);
      await item.and(page.locator('[data-state=stored]')).waitFor();
      expect(await item.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    }
    const sources = page.getByRole('region', { name: 'Knowledge sources' });
    const pdfRow = sources.getByRole('row').filter({ hasText: 'handbook.pdf' });
    await pdfRow.locator('[data-source-status=ready]').waitFor({ timeout: 60_000 });
    await sources.getByRole('row').filter({ hasText: 'guide.md' }).locator('[data-source-status=ready]').waitFor({ timeout: 60_000 });
    const failed = sources.getByRole('row').filter({ hasText: 'installer.exe' });
    await failed.locator('[data-source-status=failed]').waitFor({ timeout: 60_000 });
    expect(await failed.textContent()).toContain('UNSUPPORTED_TYPE');
    const stored = await gw.db.knowledgeSource.findFirstOrThrow({ where: { tenantId, filename: 'handbook.pdf' } });
    expect(stored).toMatchObject({ status: 'ready', pageCount: HANDBOOK_PAGES.length });
    expect(stored.chunkCount).toBeGreaterThan(0);
    expect(await pdfRow.textContent()).toContain(`${HANDBOOK_PAGES.length} pages`);
    await shot(page, 'knowledge-uploaded-1280');

    // The same PDF again is a duplicate, said so on its own line, and nothing new is stored.
    await page.getByLabel('Files to upload').setInputFiles({ name: 'handbook-copy.pdf', mimeType: 'application/pdf', buffer: Buffer.from(pdf) });
    await uploads.locator('[data-upload="handbook-copy.pdf"][data-state=duplicate]').getByText('Already in the knowledge base').waitFor();
    expect(await gw.db.knowledgeSource.count({ where: { tenantId, parentId: null } })).toBe(3);

    // Reindex reads the file again and comes back to ready; delete asks first, then really deletes.
    await pdfRow.getByRole('button', { name: /Reindex/ }).click();
    await page.getByText('Acme Cloud Handbook queued for indexing').waitFor();
    await pdfRow.locator('[data-source-status=ready]').waitFor({ timeout: 60_000 });
    await until(async () => ((await gw.db.knowledgeSource.findUniqueOrThrow({ where: { id: stored.id } })).indexedAt?.getTime() ?? 0) > (stored.indexedAt?.getTime() ?? 0));
    await pdfRow.locator('[data-source-status=ready]').waitFor({ timeout: 60_000 });
    await failed.getByRole('button', { name: /Delete/ }).click();
    const confirm = page.getByRole('dialog', { name: /Delete installer\.exe/ });
    await confirm.getByRole('button', { name: 'Delete source' }).click();
    await failed.waitFor({ state: 'detached' });
    expect(await gw.db.knowledgeSource.count({ where: { tenantId, filename: 'installer.exe' } })).toBe(0);
  });

  it('adds a web page and a crawl of a local site (allowed for this tenant) and shows both reach ready', async () => {
    const token = await ownerToken();
    await page.goto(url(`/t/${tenantId}/knowledge`));
    await heading(page, 'Knowledge base');
    const form = page.getByRole('form', { name: 'Add a web page' });
    await form.getByLabel('URL').fill(`${site.url}/returns`);
    await form.getByRole('button', { name: 'Add page' }).click();
    // 127.0.0.1 is a private address: the worker refuses it, and the list says why.
    const sources = page.getByRole('region', { name: 'Knowledge sources' });
    const pageRow = sources.getByRole('row').filter({ hasText: `${site.url}/returns` });
    await pageRow.locator('[data-source-status=failed]').waitFor({ timeout: 60_000 });
    expect(await pageRow.textContent()).toContain('BLOCKED_ADDRESS');
    // A platform owner allows the host for this tenant; reindexing the page then succeeds.
    const allowed = await fetch(`${gw.url}/api/v1/admin/tenants/${tenantId}/knowledge/settings`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ allowedPrivateHosts: ['127.0.0.1'] }),
    });
    expect(allowed.status).toBe(200);
    await pageRow.getByRole('button', { name: /Reindex/ }).click();
    await pageRow.locator('[data-source-status=ready]').waitFor({ timeout: 60_000 });
    expect(await pageRow.textContent()).not.toContain('BLOCKED_ADDRESS');

    await form.getByLabel('URL').fill(`${site.url}/`);
    await form.getByLabel('Crawl the site from this page').check();
    await form.getByLabel('Pages at most').fill('900');
    await form.getByRole('button', { name: 'Start crawl' }).click();
    await form.getByText(/Too big/).waitFor();
    await form.getByLabel('Pages at most').fill('5');
    await form.getByLabel('Link depth').fill('1');
    await form.getByRole('button', { name: 'Start crawl' }).click();
    const crawl = sources.getByRole('row').filter({ hasText: 'up to 5 pages' });
    await crawl.locator('[data-source-status=ready]').waitFor({ timeout: 60_000 });
    expect(await crawl.textContent()).toMatch(/2 pages/);
    const stored = await gw.db.knowledgeSource.findFirstOrThrow({ where: { tenantId, url: `${site.url}/`, parentId: null } });
    expect(stored).toMatchObject({ status: 'ready', pageCount: 2 });
    await shot(page, 'knowledge-urls-1280');
  });

  it('searches the knowledge base from its search box: the PDF’s chunk comes back with its scores', async () => {
    await page.goto(url(`/t/${tenantId}/knowledge`));
    await heading(page, 'Knowledge base');
    const search = page.getByRole('search', { name: 'Search the knowledge base' });
    await search.getByLabel('Question').fill('How are refunds for annual plans processed?');
    await search.getByLabel('Search as').selectOption({ label: 'Assistant (default)' });
    await search.getByRole('button', { name: 'Search' }).click();
    const results = page.getByRole('list', { name: 'Search results' });
    const chunk = results.getByRole('listitem').filter({ hasText: 'Refunds for annual plans are prorated' });
    await chunk.waitFor();
    expect(await chunk.textContent()).toContain('Acme Cloud Handbook');
    expect(await chunk.textContent()).toContain('page 2');
    // Every score the API gave, as numbers.
    const scores = await chunk.getByRole('list', { name: /Scores of/ }).getByRole('listitem').allTextContents();
    expect(scores).toEqual([expect.stringMatching(/^fused 0\.\d{4}$/), expect.stringMatching(/^vector -?[01]\.\d{4} · #\d+$/), expect.stringMatching(/^full text \d\.\d{4} · #\d+$/)]);
    expect(await page.locator('[data-search-summary]').textContent()).toMatch(/results? for “How are refunds for annual plans processed\?” · vector \+ full text · ollama:nomic-embed-text · \d+ ms/);
    await shot(page, 'knowledge-search-1280');

    await search.getByLabel('Question').fill('zzyzx qwertyuiop');
    await search.getByRole('button', { name: 'Search' }).click();
    // Vectors always find something nearest; words nobody wrote match no text.
    await until(async () => !(await page.locator('[data-search-summary]').textContent())?.includes('How are refunds'));
    expect(await page.locator('[data-search-summary]').textContent()).toContain('“zzyzx qwertyuiop”');
  });

  it('chats in the playground: the answer streams with a citation to the PDF; the debug panel shows chunks, scores, prompt, tokens, TTFT and cost', async () => {
    // Prices for the model, so the playground can say what a turn cost.
    await page.goto(url(`/t/${tenantId}/model`));
    await heading(page, 'Model settings');
    const primary = page.getByRole('form', { name: 'Primary model' });
    await primary.getByLabel('Input price (USD per 1M tokens)').fill('2');
    await primary.getByLabel('Output price (USD per 1M tokens)').fill('10');
    await primary.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Primary model saved').waitFor();

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playground' }).click();
    await heading(page, 'Playground');
    await page.getByText('Ask something').waitFor();
    expect(await page.getByLabel('Agent').evaluate((el) => (el as HTMLSelectElement).selectedOptions[0]?.textContent)).toBe('Assistant (default)');
    await shot(page, 'playground-empty-1280');
    gw.fake.script({ chunks: ['Refunds for annual plans ', 'are prorated ', 'and processed within ', 'fourteen days [1].'], tokenDelayMs: 250, usage: { promptTokens: 1200, completionTokens: 300 } });
    await page.getByRole('textbox', { name: 'Message' }).fill('How are refunds for annual plans processed?');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');

    // Streams: part of the answer is shown while the rest is still being written.
    const answer = page.getByRole('group', { name: 'Assistant answer' });
    await answer.and(page.locator('[data-turn-state=streaming]')).getByText('Refunds for annual plans', { exact: false }).waitFor();
    expect(await answer.locator('[data-answer]').textContent()).not.toContain('fourteen days');
    await answer.and(page.locator('[data-turn-state=complete]')).waitFor();
    expect(await answer.locator('[data-answer]').textContent()).toBe('Refunds for annual plans are prorated and processed within fourteen days [1].');
    const citation = answer.getByRole('list', { name: 'Sources' }).getByRole('listitem');
    expect(await citation.count()).toBe(1);
    expect(await citation.textContent()).toMatch(/\[1\] Acme Cloud Handbook.*page 2/);

    const debug = page.getByRole('region', { name: 'Debug of the selected answer' });
    const chunks = debug.getByRole('list', { name: 'Retrieved chunks' });
    const first = chunks.getByRole('listitem').filter({ hasText: 'Refunds for annual plans are prorated' }).first();
    expect(await first.textContent()).toMatch(/^\[1\]\s*Acme Cloud Handbook/);
    expect(await first.getByRole('list', { name: /Scores of/ }).textContent()).toMatch(/fused 0\.\d{4}.*vector -?[01]\.\d{4} · #\d+.*full text \d\.\d{4} · #\d+/);
    // The prompt as the model received it: the passage is in the system message.
    const system = debug.getByRole('list', { name: 'Prompt messages' }).getByRole('listitem').filter({ hasText: 'System' });
    await system.locator('summary').click();
    const systemText = (await system.locator('[data-prompt-role=system]').textContent()) ?? '';
    expect(systemText).toContain('Refunds for annual plans are prorated and processed within fourteen days of the cancellation');
    const sent = gw.fake.chatRequests().at(-1)?.body as { messages: { role: string; content: string }[] };
    expect(systemText).toBe(sent.messages[0]?.content);
    const figure = async (name: string) => (await debug.locator(`[data-figure=${name}] dd`).first().textContent()) ?? '';
    expect(await figure('model')).toBe('ollama · llama3.2');
    expect(await figure('tokens')).toBe('1,200 in · 300 out');
    expect(await figure('ttft')).toMatch(/^\d[\d,]* ms$/);
    expect(await figure('latency')).toMatch(/^\d[\d,]* ms$/);
    // 1,200 × $2/M + 300 × $10/M.
    expect(await figure('cost')).toBe('$0.00540');
    await shot(page, 'playground-answer-1280');
    await page.setViewportSize({ width: 390, height: 844 });
    await debug.scrollIntoViewIfNeeded();
    await shot(page, 'playground-answer-390');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Stored like any conversation, marked as the playground's.
    const stored = await gw.db.conversation.findFirstOrThrow({ where: { tenantId, origin: 'playground' }, include: { messages: true } });
    expect(stored.messages.map((m) => m.content).sort()).toEqual(['How are refunds for annual plans processed?', 'Refunds for annual plans are prorated and processed within fourteen days [1].']);

    // A follow-up continues the conversation; "New conversation" starts another.
    gw.fake.script({ text: 'Yes, by card or bank transfer.' });
    await page.getByRole('textbox', { name: 'Message' }).fill('Can invoices be paid by card?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('group', { name: 'Assistant answer' }).nth(1).and(page.locator('[data-turn-state=complete]')).waitFor();
    expect(await gw.db.message.count({ where: { conversationId: stored.id } })).toBe(4);
    await page.getByRole('button', { name: 'New conversation' }).click();
    await page.getByText('Ask something').waitFor();
    expect(await page.getByRole('textbox', { name: 'Message' }).evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('finds the playground conversation on the Conversations page, exports it and deletes it', async () => {
    await page.goto(url(`/t/${tenantId}/conversations`));
    await heading(page, 'Conversations');
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('prorated');
    const match = page.locator('main li mark', { hasText: 'prorated' });
    await match.waitFor();
    expect(await page.locator('main ul > li').count()).toBe(1);
    // Marked, so it is not mistaken for a visitor's.
    await page.locator('main ul > li').getByText('playground', { exact: true }).waitFor();
    await shot(page, 'conversations-playground-1280');
    await match.click();
    await heading(page, /Conversation/);
    await page.getByText('Origin: playground').waitFor();
    await page.getByRole('listitem', { name: 'Assistant message' }).first().getByText('Acme Cloud Handbook').waitFor();
    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const exported = JSON.parse(readFileSync(await json.path(), 'utf8')) as { messages: { role: string; content: string }[] };
    expect(exported.messages.map((m) => m.content)).toEqual([
      'How are refunds for annual plans processed?',
      'Refunds for annual plans are prorated and processed within fourteen days [1].',
      'Can invoices be paid by card?',
      'Yes, by card or bank transfer.',
    ]);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog', { name: 'Delete this conversation?' }).getByRole('button', { name: 'Delete for good' }).click();
    await page.getByText('The conversation and its messages were deleted').waitFor();
    expect(await gw.db.conversation.count({ where: { tenantId, origin: 'playground' } })).toBe(0);
  });

  it('customises the widget: the live preview (the real widget) follows the form, the snippet copies', async () => {
    await page.goto(url(`/t/${tenantId}/widget`));
    await heading(page, 'Widget');
    const preview = page.frameLocator('iframe[title="Widget preview"]');
    // Inside the widget's open shadow root (Playwright's CSS pierces it).
    const launcher = preview.locator('babble-buddy-widget .ln');
    const frame = preview.locator('babble-buddy-widget .bb');
    await launcher.waitFor();
    const launcherColour = () => launcher.evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await launcherColour()).toBe('rgb(79, 70, 229)');

    const form = page.getByRole('form', { name: 'Widget settings' });
    await form.getByLabel('Main colour', { exact: true }).fill('#0a7c4a');
    await form.getByLabel('Greeting').fill('Hi! Ask me about your parcel.');
    await form.getByLabel('Position').selectOption('bottom-left');
    await form.getByLabel('Theme').selectOption('dark');
    await until(async () => (await launcherColour()) === 'rgb(10, 124, 74)');
    expect(await frame.getAttribute('data-pos')).toBe('left');
    expect(await frame.getAttribute('data-theme')).toBe('dark');
    // Opened from its own launcher, the panel greets as set, and stays open while the form changes.
    await launcher.click();
    await preview.getByText('Hi! Ask me about your parcel.').waitFor();
    // Typed key by key: each redraw of the open panel leaves the focus in the form.
    await form.getByLabel('Greeting').fill('');
    await form.getByLabel('Greeting').pressSequentially('Hello! Where is your parcel going?');
    await preview.getByText('Hello! Where is your parcel going?').waitFor();
    expect(await form.getByLabel('Greeting').evaluate((el) => el === document.activeElement)).toBe(true);
    await form.getByLabel('Greeting').fill('Hi! Ask me about your parcel.');
    await preview.getByText('Hi! Ask me about your parcel.').waitFor();
    await shot(page, 'widget-preview-1280');

    // The API's own rule, next to the field, before anything is sent.
    await form.getByLabel('Main colour', { exact: true }).fill('green');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('a colour like #4f46e5').waitFor();
    await form.getByLabel('Main colour', { exact: true }).fill('#0A7C4A');
    await form.getByLabel('Sending a message').selectOption('mod-enter');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Widget settings saved').waitFor();
    const saved = await fetch(`${gw.url}/api/v1/admin/tenants/${tenantId}/widget`, { headers: { authorization: `Bearer ${await ownerToken()}` } });
    expect(await saved.json()).toMatchObject({ primaryColor: '#0a7c4a', greeting: 'Hi! Ask me about your parcel.', position: 'bottom-left', theme: 'dark', sendOn: 'mod-enter' });
    // What visitors' widgets fetch says the same.
    const visitor = await fetch(`${gw.url}/api/v1/widget/config?key=${publishableKey}`, { headers: { origin: 'https://shop.example.com' } });
    expect(await visitor.json()).toMatchObject({ primaryColor: '#0a7c4a', position: 'bottom-left' });

    // The embed snippet, with the full key pasted, copies as it is shown.
    const snippet = page.locator('[data-snippet]');
    expect(await snippet.textContent()).toMatch(/data-key="pk_[^"]*…"/);
    await page.getByLabel('Publishable key', { exact: true }).fill(publishableKey);
    const expected = `<script src="${gw.url}/widget.js" data-key="${publishableKey}" async></script>`;
    expect(await snippet.textContent()).toBe(expected);
    await page.getByRole('button', { name: 'Copy snippet' }).click();
    await page.getByText('Copied', { exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(expected);
  });

  it('finds a conversation by its words, shows the transcript, exports it and deletes it for good', async () => {
    const asked = await fetch(`${gw.url}/api/v1/chat`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'I need a refund for my broken kettle' }),
    });
    expect(asked.status).toBe(200);
    const { sessionId } = (await asked.json()) as { sessionId: string };
    keptConversationId = (
      await seedConversation(gw.db, tenantId, {
        sessionKey: 'seeded-session',
        at: new Date(Date.now() - 3_600_000),
        email: 'visitor@example.com',
        messages: [
          { role: 'user', content: 'How long do deliveries take?' },
          {
            role: 'assistant',
            content: 'Deliveries take two to three days [1].',
            citations: [{ index: 1, sourceId: 'src-1', title: 'Shipping policy', url: 'https://shop.example.com/shipping', page: 2, snippet: 'We ship within 2–3 days.' }],
            toolCalls: [{ name: 'track_order', arguments: { orderId: 42 }, result: { status: 'in transit' }, status: 'finished', durationMs: 41 }],
            promptTokens: 210,
            completionTokens: 12,
            latencyMs: 840,
            ttftMs: 95,
            provider: 'ollama',
            model: 'llama3.2',
            feedback: 1,
            request: { provider: 'ollama', model: 'llama3.2', promptTokens: 210, completionTokens: 12, costUsd: '0.000420', latencyMs: 840, ttftMs: 95 },
          },
        ],
      })
    ).conversationId;

    await page.goto(url(`/t/${tenantId}/conversations`));
    await heading(page, 'Conversations');
    await page.getByRole('searchbox', { name: 'Search messages' }).fill('kettl');
    const match = page.locator('main li mark', { hasText: 'kettle' });
    await match.waitFor();
    expect(await page.locator('main ul > li').count()).toBe(1);
    await shot(page, 'conversations-search-1280');
    await match.click();

    await heading(page, /Conversation/);
    await page.getByText(`session ${sessionId}`).waitFor();
    await page.getByText('I need a refund for my broken kettle').waitFor();
    const answer = page.getByRole('listitem', { name: 'Assistant message' });
    expect(await answer.textContent()).toMatch(/\d+ in · \d+ out · .*ms total/);

    const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    expect(json.suggestedFilename()).toMatch(/^conversation-.*\.json$/);
    const exported = JSON.parse(readFileSync(await json.path(), 'utf8')) as { messages: { role: string; content: string }[] };
    expect(exported.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(exported.messages[0]?.content).toBe('I need a refund for my broken kettle');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(csv.suggestedFilename()).toMatch(/\.csv$/);
    const csvText = readFileSync(await csv.path(), 'utf8');
    expect(csvText).toContain('created_at,role,status,content');
    expect(csvText).toContain('I need a refund for my broken kettle');

    await page.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this conversation?' });
    await shot(page, 'conversation-delete-confirm-1280');
    await confirm.getByRole('button', { name: 'Delete for good' }).click();
    await heading(page, 'Conversations');
    await page.getByText('The conversation and its messages were deleted').waitFor();
    expect(await gw.db.conversation.count({ where: { sessionKey: sessionId } })).toBe(0);
    expect(await gw.db.message.count({ where: { content: { contains: 'kettle' } } })).toBe(0);

    // The seeded conversation shows citations and tool calls.
    await page.goto(url(`/t/${tenantId}/conversations/${keptConversationId}`));
    await heading(page, /Conversation/);
    await page.getByRole('link', { name: /Shipping policy/ }).waitFor();
    await page.getByText('track_order').click();
    await page.getByText('"in transit"').waitFor();
    await shot(page, 'conversation-transcript-1280');
  });

  it('shows usage per tenant and model, and downloads it as CSV', async () => {
    await page.goto(url('/usage'));
    await heading(page, 'Usage & cost');
    const table = page.getByRole('region', { name: 'Usage breakdown' });
    await table.getByRole('cell', { name: 'Acme Shop' }).waitFor();
    await page.getByLabel('Group by').selectOption('model');
    await table.getByRole('cell', { name: 'ollama/llama3.2', exact: true }).waitFor();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV' }).click()]);
    const lines = readFileSync(await file.path(), 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('date,tenant,model,requests,errors,prompt_tokens,completion_tokens,cost_usd,avg_latency_ms');
    expect(lines.some((line) => line.startsWith(',,ollama/llama3.2,'))).toBe(true);
  });

  it('edits agents and their prompts, and sets the default', async () => {
    await page.goto(url(`/t/${tenantId}/agents`));
    await heading(page, 'Agents & system prompts');
    await page.getByRole('button', { name: 'New agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'New agent' });
    await dialog.getByLabel('Name').fill('Sales');
    await dialog.getByLabel('System prompt').fill('You sell kettles. Be brief.');
    await dialog.getByRole('button', { name: 'Save agent' }).click();
    const sales = page.getByRole('listitem').filter({ hasText: 'Sales' });
    await sales.getByText('You sell kettles. Be brief.').waitFor();
    await sales.getByRole('button', { name: 'Make default' }).click();
    await sales.getByText('default', { exact: true }).waitFor();
    const defaults = await gw.db.agent.findMany({ where: { tenantId, isDefault: true } });
    expect(defaults.map((a) => a.name)).toEqual(['Sales']);

    await sales.getByRole('button', { name: 'Edit Sales' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit Sales' });
    await edit.getByLabel('System prompt').fill('You sell kettles and teapots.');
    await edit.getByRole('button', { name: 'Save agent' }).click();
    await sales.getByText('You sell kettles and teapots.').waitFor();
    expect((await gw.db.agent.findFirstOrThrow({ where: { tenantId, name: 'Sales' } })).systemPrompt).toBe('You sell kettles and teapots.');
  });

  it('renames, limits, suspends and deletes a tenant, each with a confirmation', async () => {
    const temp = await fetch(`${gw.url}/api/v1/admin/tenants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await ownerToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Temp Co' }),
    });
    expect(temp.status).toBe(201);
    // Made elsewhere (the API): a fresh load shows it.
    await page.goto(url('/tenants'));
    await page.reload();
    await heading(page, 'Tenants');
    const row = page.getByRole('row').filter({ hasText: 'Temp Co' });
    await row.getByRole('button', { name: 'Edit Temp Co' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit Temp Co' });
    await dialog.getByLabel('Name').fill('Temp Company');
    await dialog.getByLabel('Plan').fill('pro');
    await dialog.getByLabel('Rate limit').fill('60');
    await dialog.getByRole('button', { name: 'Save' }).click();
    const renamed = page.getByRole('row').filter({ hasText: 'Temp Company' });
    await renamed.getByText('60/min').waitFor();

    await renamed.getByRole('button', { name: 'Suspend' }).click();
    await page.getByRole('dialog', { name: 'Suspend Temp Company?' }).getByRole('button', { name: 'Suspend' }).click();
    await renamed.getByText('suspended').waitFor();
    expect((await gw.db.tenant.findFirstOrThrow({ where: { name: 'Temp Company' } })).status).toBe('suspended');

    await renamed.getByRole('button', { name: 'Delete Temp Company' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete Temp Company?' });
    const deleteButton = confirm.getByRole('button', { name: 'Delete for good' });
    expect(await deleteButton.isDisabled()).toBe(true);
    await confirm.getByLabel(/Type .* to confirm/).fill('temp-co');
    await deleteButton.click();
    await renamed.waitFor({ state: 'detached' });
    expect(await gw.db.tenant.count({ where: { slug: 'temp-co' } })).toBe(0);
  });

  it('adds a viewer on the Team page; the viewer sees settings but cannot change them', async () => {
    await page.goto(url(`/t/${tenantId}/team`));
    await heading(page, 'Team');
    await page.getByRole('button', { name: 'Add member' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a member' });
    await dialog.getByLabel('E-mail').fill(VIEWER.email);
    await dialog.getByLabel('Role').selectOption('viewer');
    await dialog.getByLabel('First password').fill(VIEWER.password);
    await dialog.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('cell', { name: VIEWER.email, exact: true }).waitFor();

    const { context, page: viewer } = await openContext();
    try {
      await viewer.goto(url(`/t/${tenantId}/model`));
      await heading(viewer, 'Sign in');
      await signIn(viewer, VIEWER);
      // Back to the page asked for, read-only.
      await heading(viewer, 'Model settings');
      await viewer.getByText('You have the viewer role here').waitFor();
      const form = viewer.getByRole('form', { name: 'Primary model' });
      expect(await form.getByLabel('Model', { exact: true }).isDisabled()).toBe(true);
      expect(await viewer.getByRole('button', { name: /Save|Test connection|Add a fallback/ }).count()).toBe(0);
      await shot(viewer, 'viewer-model-read-only-1280');

      await viewer.goto(url(`/t/${tenantId}/keys`));
      await heading(viewer, 'API keys');
      expect(await viewer.getByRole('button', { name: /New key|Revoke|Edit/ }).count()).toBe(0);
      await viewer.goto(url('/tenants'));
      await heading(viewer, 'Tenants');
      expect(await viewer.getByRole('button', { name: /New tenant|Edit|Suspend|Delete/ }).count()).toBe(0);
      expect(await viewer.getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      await viewer.goto(url(`/t/${tenantId}/conversations/${keptConversationId}`));
      await heading(viewer, /Conversation/);
      expect(await viewer.getByRole('button', { name: 'Delete' }).count()).toBe(0);
      // No playground for viewers: not in the menu, and its address says why.
      expect(await viewer.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Playground' }).count()).toBe(0);
      await viewer.goto(url(`/t/${tenantId}/playground`));
      await heading(viewer, 'Not available with your role');
      await viewer.getByText('This page needs the agent role or higher; you have the viewer role in Acme Shop.').waitFor();
      expect(await viewer.getByRole('textbox', { name: 'Message' }).count()).toBe(0);
      await shot(viewer, 'viewer-playground-refused-1280');
      expect(await callAs(viewer, 'POST', `/api/v1/admin/tenants/${tenantId}/playground/chat`, { message: 'Let me try' })).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect(await gw.db.message.count({ where: { tenantId, content: 'Let me try' } })).toBe(0);

      // And the API refuses what the UI hides.
      expect(await callAs(viewer, 'PUT', `/api/v1/admin/tenants/${tenantId}/llm/0`, { provider: 'openai', model: 'x' })).toEqual({ status: 403, code: 'FORBIDDEN' });
      expect((await gw.db.llmConfig.findFirstOrThrow({ where: { tenantId, priority: 0 } })).model).toBe('llama3.2');
    } finally {
      await context.close();
    }
  });

  it('sends an expired session back to sign in with a message, then back to the page', async () => {
    await page.goto(url(`/t/${tenantId}/agents`));
    await heading(page, 'Agents & system prompts');
    // The token is no longer accepted (as after expiry or a sign-out elsewhere).
    await page.evaluate(() => {
      const session = JSON.parse(localStorage.getItem('babble-buddy-admin.session') ?? '{}') as Record<string, string>;
      localStorage.setItem('babble-buddy-admin.session', JSON.stringify({ ...session, token: 'expired.token.value' }));
    });
    await page.goto(url('/audit'));
    await heading(page, 'Sign in');
    await page.getByText('Your session has expired').waitFor();
    await shot(page, 'login-session-expired-1280');
    expect(await axe(page, 'login-expired')).toEqual([]);
    await signIn(page, OWNER);
    await heading(page, 'Audit log');
    expect(page.url()).toContain('#/audit');
  });

  it('signs out: the token stops working at once', async () => {
    const token = await ownerToken();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are signed out').waitFor();
    const me = await fetch(`${gw.url}/api/v1/admin/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    await signIn(page, OWNER);
    await heading(page, 'Dashboard');
  });

  it('works from another static server and path, with the API URL in config.js', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bb-admin-static-'));
    cpSync(DIST, dir, { recursive: true });
    writeFileSync(join(dir, 'config.js'), `window.BABBLE_BUDDY_ADMIN = { apiUrl: ${JSON.stringify(gw.url)} };\n`);
    const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
    // A plain static server: no rewrites, no API, another origin, and a sub-path.
    const server: Server = createHttpServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (!path.startsWith('/ops/')) return void res.writeHead(404).end();
      const file = join(dir, path.slice('/ops/'.length) || 'index.html');
      try {
        const body = readFileSync(file);
        res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    const { context, page: elsewhere } = await openContext();
    try {
      await elsewhere.goto(`http://127.0.0.1:${port}/ops/`);
      await heading(elsewhere, 'Sign in');
      await elsewhere.getByText(`Server: ${gw.url}`).waitFor();
      await signIn(elsewhere, OWNER);
      await heading(elsewhere, 'Dashboard');
      await elsewhere.getByRole('link', { name: 'Acme Shop' }).first().waitFor();
      await shot(elsewhere, 'static-server-dashboard-1280');
    } finally {
      await context.close();
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it('is usable from the keyboard: skip link, visible focus, dialogs that trap focus and give it back', async () => {
    await page.goto(url('/tenants'));
    await heading(page, 'Tenants');
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: 'Skip to content' });
    expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
    // The focused control is drawn with an outline.
    expect(await skip.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

    const newTenant = page.getByRole('button', { name: 'New tenant' });
    await newTenant.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'New tenant' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Name').evaluate((el) => el === document.activeElement)).toBe(true);
    // Tab stays inside the dialog.
    for (let i = 0; i < 12; i++) await page.keyboard.press('Tab');
    expect(await dialog.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await newTenant.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('renders every page at 1280 and 390 px wide with no serious accessibility violations', async () => {
    const pages: [name: string, hash: string, title: string | RegExp][] = [
      ['dashboard', '/', 'Dashboard'],
      ['tenants', '/tenants', 'Tenants'],
      ['usage', '/usage', 'Usage & cost'],
      ['audit', '/audit', 'Audit log'],
      ['conversations', `/t/${tenantId}/conversations`, 'Conversations'],
      ['conversation', `/t/${tenantId}/conversations/${keptConversationId}`, /Conversation/],
      ['agents', `/t/${tenantId}/agents`, 'Agents & system prompts'],
      ['model', `/t/${tenantId}/model`, 'Model settings'],
      ['knowledge', `/t/${tenantId}/knowledge`, 'Knowledge base'],
      ['playground', `/t/${tenantId}/playground`, 'Playground'],
      ['widget', `/t/${tenantId}/widget`, 'Widget'],
      ['keys', `/t/${tenantId}/keys`, 'API keys'],
      ['team', `/t/${tenantId}/team`, 'Team'],
      ['not-found', '/nowhere', 'Page not found'],
    ];
    const violations: (AxeViolation & { page: string })[] = [];
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
      for (const [name, hash, title] of pages) {
        await page.goto(url(hash));
        await page.getByRole('heading', { level: 1, name: title }).waitFor();
        await page.locator('[role=status]:has-text("Loading")').waitFor({ state: 'detached' });
        await shot(page, `${name}-${width}`);
        violations.push(...(await axe(page, `${name}@${width}`)));
        // Nothing sticks out sideways: the page itself never scrolls horizontally.
        const overflow = await page.evaluate(() => ({
          by: document.documentElement.scrollWidth - window.innerWidth,
          // The elements that stick out, to say where to look.
          what: Array.from(document.querySelectorAll('body *'))
            .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.parentElement?.closest('[role=region]'))
            .slice(0, 5)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className.toString().slice(0, 60)}`),
        }));
        expect({ name, width, overflow: overflow.by }).toEqual({ name, width, overflow: 0, ...(overflow.by > 0 ? { what: overflow.what } : {}) });
      }
      // The menu of narrow screens, and a dialog.
      if (width === 390) {
        await page.getByRole('button', { name: 'Open menu' }).click();
        await page.getByRole('dialog', { name: 'Menu' }).waitFor();
        await shot(page, 'menu-390');
        violations.push(...(await axe(page, 'menu@390')));
        await page.keyboard.press('Escape');
      }
      await page.goto(url('/tenants'));
      await heading(page, 'Tenants');
      await page.getByRole('button', { name: 'New tenant' }).click();
      await page.getByRole('dialog', { name: 'New tenant' }).waitFor();
      await shot(page, `tenant-dialog-${width}`);
      violations.push(...(await axe(page, `tenant-dialog@${width}`)));
      await page.keyboard.press('Escape');
    }
    const { context, page: anonymous } = await openContext(390, 844);
    try {
      await anonymous.goto(url('/login'));
      await heading(anonymous, 'Sign in');
      await shot(anonymous, 'login-390');
      violations.push(...(await axe(anonymous, 'login@390')));
    } finally {
      await context.close();
    }
    expect(violations).toEqual([]);
  });
});
