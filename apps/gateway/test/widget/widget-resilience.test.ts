import type { Browser, Page } from 'playwright-core';
import type { Namespace } from 'socket.io';
import { launchChromium, screenshot } from '@babble-buddy/testing';
import { ChatGateway } from '../../src/chat/chat.gateway';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from '../harness';
import { hostPage, startHostSite, type HostSite } from './host-site';
import { bubbleText, widget } from './widget-page';

const SUITE = 'widget';
const words = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => `${prefix}${i} `);

describe('widget: drops, offline, fallbacks and failures (real Chromium, real gateway, fake LLM)', () => {
  let gw: TestGateway;
  let site: HostSite;
  let browser: Browser;
  let tenant: TestTenant;

  beforeAll(async () => {
    [gw, site, browser] = await Promise.all([startTestGateway({ env: { RATE_LIMIT_SESSION_PER_MINUTE: '3' } }), startHostSite(), launchChromium()]);
    tenant = await createTenant(gw.db, 'Acme Outdoor', { allowedOrigins: [site.origin] });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await gw?.close();
  });
  beforeEach(() => gw.fake.reset());

  async function openWidget(path: string): Promise<{ page: Page; w: ReturnType<typeof widget>; sockets: () => number }> {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    let sockets = 0;
    page.on('websocket', () => sockets++);
    await page.goto(site.page(path, hostPage(gw.url, { attributes: { 'data-key': tenant.publishableKey } })));
    const w = widget(page);
    await w.launcher.click();
    await w.input.waitFor();
    return { page, w, sockets: () => sockets };
  }

  /** Waits until the answer being written shows at least `length` characters. */
  async function answerLongerThan(page: Page, length: number): Promise<void> {
    await page.waitForFunction((min) => {
      const bubbles = document.querySelector('babble-buddy-widget')?.shadowRoot?.querySelectorAll('.m.a:not([data-greeting]) .b');
      return (bubbles?.[bubbles.length - 1]?.textContent?.length ?? 0) > min;
    }, length);
  }

  it('offline for a moment mid-answer: the answer ends with the exact text once, and a message typed offline is sent when back', async () => {
    const chunks = words(30, 'tent');
    gw.fake.script({ chunks, tokenDelayMs: 50 }, { text: 'Queued question answered.' });
    const { page, w, sockets } = await openWidget('/offline');
    await w.ask('Tell me about every tent');
    await answerLongerThan(page, 30);

    await page.context().setOffline(true);
    await page.getByText('You are offline.').waitFor();
    await w.ask('Sent while offline');
    await page.getByText('Waiting to send').waitFor();
    await screenshot(page, SUITE, 'offline-mid-answer');
    // The model keeps writing while the visitor is away.
    await new Promise((resolve) => setTimeout(resolve, 700));
    await page.context().setOffline(false);

    const first = await w.finishedAnswer(0);
    expect(await bubbleText(first)).toBe(chunks.join('').trim());
    const second = await w.finishedAnswer(1);
    expect(await bubbleText(second)).toBe('Queued question answered.');
    expect(await page.getByText('You are offline.').count()).toBe(0);
    // It really reconnected (a second WebSocket) and resumed rather than riding out the outage.
    expect(sockets()).toBeGreaterThanOrEqual(2);
    expect(await w.userTexts()).toEqual(['Tell me about every tent', 'Sent while offline']);
    await screenshot(page, SUITE, 'offline-recovered');

    const stored = await gw.db.message.findMany({ where: { tenantId: tenant.tenantId, conversation: { origin: site.origin } }, orderBy: { createdAt: 'asc' } });
    expect(stored.slice(-4).map((m) => [m.role, m.content])).toEqual([
      ['user', 'Tell me about every tent'],
      ['assistant', chunks.join('')],
      ['user', 'Sent while offline'],
      ['assistant', 'Queued question answered.'],
    ]);
    await page.context().close();
  });

  it('a connection cut by the network mid-answer (TCP reset) reconnects and resumes after the last chunk seen', async () => {
    const chunks = words(24, 'stove');
    gw.fake.script({ chunks, tokenDelayMs: 50 });
    const { page, w, sockets } = await openWidget('/reset');
    await w.ask('Which stove for winter?');
    await answerLongerThan(page, 25);
    const namespace = (gw.app.get(ChatGateway) as unknown as { namespace: Namespace }).namespace;
    for (const socket of namespace.sockets.values()) {
      (socket.conn as unknown as { transport: { socket: { terminate(): void } } }).transport.socket.terminate();
    }
    const answer = await w.finishedAnswer(0);
    expect(await bubbleText(answer)).toBe(chunks.join('').trim());
    expect(sockets()).toBeGreaterThanOrEqual(2);
    await page.context().close();
  });

  it('WebSockets blocked: the widget falls back to server-sent events, and resumes over SSE after going offline', async () => {
    const chunks = words(24, 'bag');
    gw.fake.script({ chunks, tokenDelayMs: 50 });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.routeWebSocket(/\/socket\.io\//, (ws) => ws.close());
    const streams: string[] = [];
    page.on('request', (request) => {
      if (/\/api\/v1\/(chat\/stream|messages\/.+\/stream)/.test(request.url())) streams.push(`${request.method()} ${new URL(request.url()).pathname}`);
    });
    await page.goto(site.page('/sse', hostPage(gw.url, { attributes: { 'data-key': tenant.publishableKey } })));
    const w = widget(page);
    await w.launcher.click();
    await w.ask('Warmest sleeping bag?');
    await answerLongerThan(page, 20);
    await context.setOffline(true);
    await page.getByText('You are offline.').waitFor();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await context.setOffline(false);
    const answer = await w.finishedAnswer(0);
    expect(await bubbleText(answer)).toBe(chunks.join('').trim());
    expect(streams[0]).toBe('POST /api/v1/chat/stream');
    expect(streams.some((s) => s.startsWith('GET /api/v1/messages/'))).toBe(true);
    await screenshot(page, SUITE, 'sse-fallback');
    await context.close();
  });

  it('model down: a plain-words error with “Try again”, which answers once the model is back', async () => {
    gw.fake.setDown(true);
    const { page, w } = await openWidget('/model-down');
    await page.evaluate(() => {
      (window as unknown as { errors: unknown[] }).errors = [];
      (window as unknown as { BabbleBuddy: { on(e: string, f: (p: unknown) => void): void } }).BabbleBuddy.on('error', (e) => (window as unknown as { errors: unknown[] }).errors.push(e));
    });
    await w.ask('Is anyone there?');
    const failed = await w.finishedAnswer(0);
    expect(await failed.getAttribute('data-status')).toBe('failed');
    expect(await failed.locator('.b').count()).toBe(0);
    expect(await failed.locator('.ms').innerText()).toContain('The assistant cannot answer right now.');
    expect(await page.evaluate(() => (window as unknown as { errors: { code: string }[] }).errors.map((e) => e.code))).toEqual(['MODEL_UNAVAILABLE']);
    await screenshot(page, SUITE, 'model-down');

    gw.fake.setDown(false);
    gw.fake.script({ text: 'Yes, we are here.' });
    await page.getByRole('button', { name: 'Try again' }).click();
    const retried = await w.finishedAnswer(1);
    expect(await bubbleText(retried)).toBe('Yes, we are here.');
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    await page.context().close();
  });

  it('too many messages: the refused one keeps its text, says why and offers to try again', async () => {
    gw.fake.setDefault({ echo: true });
    const { page, w } = await openWidget('/rate-limit');
    for (const text of ['one', 'two', 'three']) {
      await w.ask(text);
    }
    await w.finishedAnswer(2);
    await w.ask('four');
    const refused = page.locator('.m.u[data-status=failed]');
    await refused.waitFor();
    expect(await refused.locator('.ms').innerText()).toContain('You are sending messages too quickly.');
    expect(await refused.locator('.b').innerText()).toBe('four');
    expect(await refused.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    await screenshot(page, SUITE, 'rate-limited');
    expect(await gw.db.message.count({ where: { content: 'four' } })).toBe(0);
    await page.context().close();
  });
});
