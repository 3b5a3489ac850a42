import type { Browser, CDPSession, Page } from 'playwright-core';
import { launchChromium, newPage, screenshot } from '@babble-buddy/testing';
import { adminApi, createAdminUser, login } from '../admin.fixtures';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from '../harness';
import { hostPage, startHostSite, type HostSite } from './host-site';
import { bubbleText, grewProgressively, recordAnswerTexts, widget } from './widget-page';

const SUITE = 'widget';
const BUDGET_BEFORE_FIRST_ANSWER = 40 * 1024;

/** Bytes the page received (HTTP bodies + headers as sent, WebSocket frames) from now on. */
async function countBytes(page: Page): Promise<{ total(): number; cdp: CDPSession }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  let total = 0;
  cdp.on('Network.loadingFinished', (event) => (total += event.encodedDataLength));
  cdp.on('Network.webSocketFrameReceived', (event) => (total += event.response.payloadData.length));
  return { total: () => total, cdp };
}

describe('widget: embedding, streaming, continuity (real Chromium, real gateway, fake LLM)', () => {
  let gw: TestGateway;
  let site: HostSite;
  let browser: Browser;
  let tenant: TestTenant;

  beforeAll(async () => {
    [gw, site, browser] = await Promise.all([startTestGateway(), startHostSite(), launchChromium()]);
    tenant = await createTenant(gw.db, 'Acme Outdoor', { allowedOrigins: [site.origin] });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await gw?.close();
  });
  beforeEach(() => gw.fake.reset());

  it('by tag: the launcher opens the panel, an answer streams in progressively and completely, within the size budget', async () => {
    const chunks = ['Our ', 'tents ', 'ship ', 'within ', 'two ', 'days, ', 'and ', 'returns ', 'are ', 'free ', 'for ', '30 ', 'days.'];
    gw.fake.script({ chunks, latencyMs: 600, tokenDelayMs: 80 });
    const page = await newPage(browser);
    const bytes = await countBytes(page);
    await page.goto(site.page('/tag', hostPage(gw.url, { attributes: { 'data-key': tenant.publishableKey } })));
    const w = widget(page);

    await page.getByRole('button', { name: 'Open chat' }).click();
    await page.getByRole('button', { name: 'Close chat' }).waitFor();
    await w.log.waitFor();
    expect(await w.log.getAttribute('aria-live')).toBe('polite');
    const texts = await recordAnswerTexts(page);
    await w.ask('How fast do you ship?');
    // The typing indicator until the first words arrive.
    await w.answers.first().locator('.dots').waitFor();
    await screenshot(page, SUITE, 'tag-typing');
    await page.waitForFunction(() => (window as unknown as { __answerTexts: string[] }).__answerTexts.length >= 3);
    await screenshot(page, SUITE, 'tag-streaming');
    const answer = await w.finishedAnswer(0);
    const fetched = bytes.total();

    const final = chunks.join('');
    expect(await bubbleText(answer)).toBe(final);
    expect(await answer.getAttribute('data-status')).toBe('complete');
    const seen = await texts();
    expect(seen.length).toBeGreaterThanOrEqual(4);
    expect(grewProgressively(seen, final)).toBe(true);
    // Everything the page fetched before the first answer was shown: loader, config, panel, session, socket frames.
    expect(fetched).toBeGreaterThan(10_000);
    expect(fetched).toBeLessThanOrEqual(BUDGET_BEFORE_FIRST_ANSWER);
    await screenshot(page, SUITE, 'tag-complete');

    const stored = await gw.db.message.findMany({ where: { tenantId: tenant.tenantId }, orderBy: { createdAt: 'asc' } });
    expect(stored.map((m) => [m.role, m.content])).toEqual([
      ['user', 'How fast do you ship?'],
      ['assistant', final],
    ]);
    await page.context().close();
  });

  it('by init: host API (events, send, toggle, setContext, destroy) and look overrides without a config round trip', async () => {
    gw.fake.setDefault({ echo: true, tokenDelayMs: 5 });
    const page = await newPage(browser);
    const configRequests: string[] = [];
    page.on('request', (request) => request.url().includes('/widget/config') && configRequests.push(request.url()));
    const after = `
      window.events = [];
      for (const name of ['ready', 'open', 'close', 'message', 'error']) BabbleBuddy.on(name, (payload) => events.push([name, payload ?? null]));
      BabbleBuddy.init({
        appToken: ${JSON.stringify(tenant.publishableKey)},
        apiUrl: ${JSON.stringify(gw.url)},
        position: 'bottom-left',
        context: { plan: 'pro' },
        greeting: 'Howdy from init',
        theme: { primaryColor: '#0a7c4a', mode: 'dark' },
        config: { tenantName: 'Acme Preview', sendOn: 'enter' },
      });`;
    await page.goto(site.page('/init', hostPage(gw.url, { after })));
    const w = widget(page);
    await w.launcher.waitFor();
    expect(configRequests).toEqual([]);
    const box = await w.launcher.boundingBox();
    expect(box!.x).toBeLessThan(100);
    expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(10, 124, 74)');

    await page.evaluate(() => (window as unknown as { BabbleBuddy: { send(t: string): Promise<void> } }).BabbleBuddy.send('Is the pro plan refundable?'));
    await w.panel.waitFor();
    expect(await page.getByText('Howdy from init').count()).toBe(1);
    expect(await page.locator('#bb-title').innerText()).toBe('Acme Preview');
    const answer = await w.finishedAnswer(0);
    expect(await bubbleText(answer)).toBe('You said: Is the pro plan refundable?');
    await screenshot(page, SUITE, 'init-dark-left');

    await page.evaluate(() => {
      const bb = (window as unknown as { BabbleBuddy: { toggle(): void; setContext(c: unknown): void } }).BabbleBuddy;
      bb.toggle();
      bb.setContext({ plan: 'team', page: '/pricing' });
    });
    await w.panel.waitFor({ state: 'hidden' });
    const events = (await page.evaluate(() => (window as unknown as { events: [string, unknown][] }).events)) as [string, Record<string, unknown> | null][];
    expect(events.map(([name]) => name)).toEqual(['ready', 'open', 'message', 'message', 'close']);
    expect(events[2]![1]).toMatchObject({ role: 'user', text: 'Is the pro plan refundable?' });
    expect(events[3]![1]).toMatchObject({ role: 'assistant', text: 'You said: Is the pro plan refundable?' });

    await page.evaluate(() => (window as unknown as { BabbleBuddy: { send(t: string): Promise<void> } }).BabbleBuddy.send('And for teams?'));
    await w.finishedAnswer(1);
    const conversation = await gw.db.conversation.findFirstOrThrow({ where: { tenantId: tenant.tenantId }, orderBy: { createdAt: 'desc' } });
    expect(conversation.hostContext).toEqual({ plan: 'team', page: '/pricing' });
    expect(conversation.origin).toBe(site.origin);

    // An answer that arrives while the panel is closed marks the launcher, until it is opened.
    gw.fake.script({ text: 'Arrived while closed.', latencyMs: 400 });
    await page.evaluate(() => {
      const bb = (window as unknown as { BabbleBuddy: { send(t: string): Promise<void>; close(): void } }).BabbleBuddy;
      return bb.send('Answer me later').then(() => bb.close());
    });
    await page.locator('.bb[data-unread]').waitFor({ state: 'attached' });
    expect(await page.locator('.ln .dot').isVisible()).toBe(true);
    await w.launcher.click();
    await w.panel.waitFor();
    expect(await page.locator('.bb[data-unread]').count()).toBe(0);
    expect(await bubbleText(w.answers.nth(2))).toBe('Arrived while closed.');

    // destroy() takes everything off the page; init() brings a widget back.
    await page.evaluate(() => (window as unknown as { BabbleBuddy: { destroy(): void } }).BabbleBuddy.destroy());
    expect(await w.host.count()).toBe(0);
    await page.evaluate((key) => (window as unknown as { BabbleBuddy: { init(o: unknown): void } }).BabbleBuddy.init({ appToken: key }), tenant.publishableKey);
    await w.launcher.waitFor();
    expect(await w.host.count()).toBe(1);
    await page.context().close();
  });

  it('a synchronous tag in <head> (before there is a body) waits for the body', async () => {
    const page = await newPage(browser);
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Head tag</title>
      <script src="${gw.url}/widget.js" data-key="${tenant.publishableKey}"></script>
      <script>BabbleBuddy.init({ appToken: ${JSON.stringify(tenant.publishableKey)}, config: { tenantName: 'Head Co' } });</script>
      </head><body><h1>Head tag</h1></body></html>`;
    await page.goto(site.page('/head-tag', html));
    const w = widget(page);
    await w.launcher.click();
    expect(await page.locator('#bb-title').innerText()).toBe('Head Co');
    expect(await w.host.count()).toBe(1);
    await page.context().close();
  });

  it('preview (the admin’s live preview): drawn from the given config with no request to the gateway', async () => {
    const page = await newPage(browser);
    const calls: string[] = [];
    page.on('request', (request) => request.url().startsWith(gw.url) && calls.push(new URL(request.url()).pathname));
    const after = `BabbleBuddy.init({ preview: true, open: true, config: { tenantName: 'Preview Co', greeting: 'Previewing the greeting', primaryColor: '#7c3aed', launcherIcon: 'sparkles' } })`;
    await page.goto(site.page('/preview', hostPage(gw.url, { after })));
    const w = widget(page);
    await w.panel.waitFor();
    expect(await page.getByText('Previewing the greeting').count()).toBe(1);
    await w.ask('Does this reach anyone?');
    expect(await bubbleText(await w.finishedAnswer(0))).toBe('This is a preview: answers appear here.');
    expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(124, 58, 237)');
    // Only the two script files: no config, session, socket or chat call.
    expect(calls.filter((path) => !path.endsWith('.js'))).toEqual([]);
    await screenshot(page, SUITE, 'preview');
    await page.context().close();
  });

  it('a reload (or a new tab) continues the conversation from the gateway’s history', async () => {
    gw.fake.setDefault({ echo: true, tokenDelayMs: 5 });
    const context = await browser.newContext();
    const page = await context.newPage();
    const url = site.page('/reload', hostPage(gw.url, { attributes: { 'data-key': tenant.publishableKey } }));
    await page.goto(url);
    const w = widget(page);
    await w.launcher.click();
    await w.ask('Do you sell sleeping bags?');
    await w.finishedAnswer(0);
    const sessionId = await page.evaluate((key) => JSON.parse(localStorage.getItem(`bb:${key}:session`) ?? 'null'), tenant.publishableKey);
    expect(typeof sessionId).toBe('string');

    await page.reload();
    // It was open: it opens again, with the conversation.
    await w.panel.waitFor();
    await w.answers.first().waitFor();
    expect(await w.userTexts()).toEqual(['Do you sell sleeping bags?']);
    expect(await bubbleText(w.answers.first())).toBe('You said: Do you sell sleeping bags?');
    await w.ask('Which one is warmest?');
    await w.finishedAnswer(1);
    await screenshot(page, SUITE, 'reload-continues');

    // A second tab of the same site joins the same conversation.
    const tab = await context.newPage();
    await tab.goto(url);
    const other = widget(tab);
    await other.launcher.click();
    await other.answers.nth(1).waitFor();
    expect(await other.userTexts()).toEqual(['Do you sell sleeping bags?', 'Which one is warmest?']);

    const conversations = await gw.db.conversation.findMany({ where: { sessionKey: sessionId } });
    expect(conversations).toHaveLength(1);
    expect(await gw.db.message.count({ where: { conversationId: conversations[0]!.id } })).toBe(4);

    // "New conversation" starts a new session; the old one stays stored.
    await tab.getByRole('button', { name: 'New conversation' }).click();
    expect(await other.answers.count()).toBe(0);
    await other.ask('Fresh start');
    await other.finishedAnswer(0);
    const newSession = await tab.evaluate((key) => JSON.parse(localStorage.getItem(`bb:${key}:session`) ?? 'null'), tenant.publishableKey);
    expect(newSession).not.toBe(sessionId);
    expect(await gw.db.message.count({ where: { conversation: { sessionKey: newSession } } })).toBe(2);
    await context.close();
  });

  it('the tenant’s widget config (admin API) sets greeting, title, colour, position and Ctrl/Cmd+Enter to send', async () => {
    gw.fake.setDefault({ echo: true, tokenDelayMs: 5 });
    const own = await createTenant(gw.db, 'Config Co', { allowedOrigins: [site.origin] });
    await createAdminUser(gw.db, { email: 'owner@config.test', password: 'a long password', memberships: [{ tenantId: own.tenantId, role: 'admin' }] });
    const api = adminApi(gw.url, await login(gw.url, 'owner@config.test', 'a long password'));
    const logo = site.asset('/logo.svg', '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40"><rect width="40" height="40" rx="8" fill="#fde68a"/><path d="M8 30 20 9l12 21z" fill="#b45309"/></svg>', 'image/svg+xml');
    const put = await api('PUT', `tenants/${own.tenantId}/widget`, {
      logoUrl: logo,
      launcherIcon: 'logo',
      greeting: 'Welcome to Config Co! Ask about **anything**.',
      title: 'Config Co help',
      primaryColor: '#b45309',
      position: 'bottom-left',
      theme: 'light',
      sendOn: 'mod-enter',
    });
    expect(put.status).toBe(200);

    const page = await newPage(browser);
    await page.goto(site.page('/configured', hostPage(gw.url, { attributes: { 'data-key': own.publishableKey } })));
    const w = widget(page);
    await w.launcher.click();
    await w.panel.waitFor();
    expect(await page.locator('#bb-title').innerText()).toBe('Config Co help');
    expect(await page.locator('.hd img').getAttribute('src')).toBe(logo);
    expect(await w.launcher.locator('img').getAttribute('src')).toBe(logo);
    expect(await page.locator('[data-greeting] .b strong').innerText()).toBe('anything');
    expect(await w.launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(180, 83, 9)');
    expect((await w.launcher.boundingBox())!.x).toBeLessThan(100);

    await w.input.fill('First line');
    await w.input.press('Enter');
    await w.input.pressSequentially('second line');
    expect(await w.input.inputValue()).toBe('First line\nsecond line');
    expect(await w.userMessages.count()).toBe(0);
    await w.input.press('Control+Enter');
    const answer = await w.finishedAnswer(0);
    expect(await w.userTexts()).toEqual(['First line\nsecond line']);
    expect(await bubbleText(answer)).toBe('You said: First line\nsecond line');
    await screenshot(page, SUITE, 'tenant-config');
    await page.context().close();
  });

  it('shows citations from the answer (history) with safe links, and `[n]` markers next to the text', async () => {
    const conversation = await gw.db.conversation.create({ data: { tenantId: tenant.tenantId, sessionKey: `cite-${Date.now()}`, messageCount: 2 } });
    await gw.db.message.create({ data: { tenantId: tenant.tenantId, conversationId: conversation.id, role: 'user', content: 'How do I pitch the Trail 2 tent?' } });
    await gw.db.message.create({
      data: {
        tenantId: tenant.tenantId,
        conversationId: conversation.id,
        role: 'assistant',
        content: 'Lay out the footprint first [1], then clip the poles from the corners [2].\n\n1. Stake the corners\n2. Add the fly',
        createdAt: new Date(Date.now() + 5),
        citations: [
          { index: 1, sourceId: 'src-1', title: 'Trail 2 manual', url: 'https://acme.example/manuals/trail-2.pdf', page: 4, snippet: 'Spread the footprint where the tent will stand.' },
          { index: 2, sourceId: 'src-2', title: 'Pitching FAQ', url: 'javascript:alert(1)', snippet: 'Clip from the corners inward.' },
        ],
      },
    });
    const page = await newPage(browser);
    await page.addInitScript(([key, session]) => localStorage.setItem(`bb:${key}:session`, JSON.stringify(session)), [tenant.publishableKey, conversation.sessionKey] as const);
    await page.goto(site.page('/citations', hostPage(gw.url, { attributes: { 'data-key': tenant.publishableKey } })));
    const w = widget(page);
    await w.launcher.click();
    const answer = w.answers.first();
    await answer.locator('details.cs').waitFor();
    await answer.locator('summary').click();
    expect(await answer.locator('summary').innerText()).toBe('Sources (2)');
    const links = answer.locator('a');
    expect(await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))).toEqual([
      'https://acme.example/manuals/trail-2.pdf',
      'https://acme.example/manuals/trail-2.pdf',
    ]);
    expect(await answer.locator('.ci').allInnerTexts()).toEqual(['1', '2']);
    expect(await answer.locator('.cs li').first().innerText()).toContain('page 4');
    expect(await answer.locator('.b ol li').count()).toBe(2);
    await screenshot(page, SUITE, 'citations');
    await page.context().close();
  });
});
