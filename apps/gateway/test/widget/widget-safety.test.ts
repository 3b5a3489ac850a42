import type { Browser, Page } from 'playwright-core';
import { axeViolations, launchChromium, newPage, screenshot } from '@babble-buddy/testing';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from '../harness';
import { hostPage, startHostSite, type HostSite } from './host-site';
import { bubbleText, widget } from './widget-page';

const SUITE = 'widget';
const WIDGET_ONLY = { include: [{ fromShadowDom: ['babble-buddy-widget', '.bb'] }] };

describe('widget: hostile pages, unsafe answers, refused origins, mobile, RTL, accessibility', () => {
  let gw: TestGateway;
  let site: HostSite;
  let stranger: HostSite;
  let browser: Browser;
  let tenant: TestTenant;

  beforeAll(async () => {
    [gw, site, stranger, browser] = await Promise.all([startTestGateway(), startHostSite(), startHostSite(), launchChromium()]);
    tenant = await createTenant(gw.db, 'Acme Outdoor', { allowedOrigins: [site.origin] });
  });
  afterAll(async () => {
    await browser?.close();
    await Promise.all([site?.close(), stranger?.close()]);
    await gw?.close();
  });
  beforeEach(() => gw.fake.reset());

  const tagPage = (path: string, extra: Parameters<typeof hostPage>[1] = {}) =>
    site.page(path, hostPage(gw.url, { ...extra, attributes: { 'data-key': tenant.publishableKey, ...extra.attributes } }));

  it('a hostile host style sheet (* { all: unset }, button { display: none !important }…) leaves the widget whole and usable', async () => {
    gw.fake.script({ chunks: ['Still ', 'working ', 'fine.'], tokenDelayMs: 30 });
    const hostile = `<style>
      * { all: unset; }
      button { display: none !important; }
      body * { position: static !important; visibility: hidden; transform: rotate(4deg); font-size: 40px !important; }
      div, section, textarea { display: none !important; }
      html { font-size: 5px; direction: rtl; }
    </style>`;
    const page = await newPage(browser);
    await page.goto(tagPage('/hostile', { head: hostile }));
    const w = widget(page);
    const box = await w.launcher.boundingBox();
    // Bottom-right corner of the 1280×800 viewport, its normal size.
    expect(box).toMatchObject({ width: 56, height: 56 });
    expect(box!.x).toBeGreaterThan(1280 - 100);
    expect(box!.y).toBeGreaterThan(800 - 100);
    await page.getByRole('button', { name: 'Open chat' }).click();
    await w.panel.waitFor();
    expect(await w.input.evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
    await w.ask('Are you still there?');
    const answer = await w.finishedAnswer(0);
    expect(await bubbleText(answer)).toBe('Still working fine.');
    expect(await w.panel.evaluate((el) => getComputedStyle(el).direction)).toBe('ltr');
    await screenshot(page, SUITE, 'hostile-css');
    await page.context().close();
  });

  it('a strict Content-Security-Policy (no inline styles or scripts) only needs the gateway in script-src and connect-src', async () => {
    gw.fake.script({ text: 'Styled and connected.' });
    const socketUrl = gw.url.replace(/^http/, 'ws');
    const csp = `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${gw.url}; connect-src ${gw.url} ${socketUrl}; img-src ${site.origin}">`;
    const page = await newPage(browser);
    const violations: string[] = [];
    page.on('console', (message) => message.text().includes('Content Security Policy') && violations.push(message.text()));
    let sockets = 0;
    page.on('websocket', () => sockets++);
    await page.goto(tagPage('/csp', { head: csp }));
    const w = widget(page);
    expect(await w.launcher.boundingBox()).toMatchObject({ width: 56, height: 56 });
    await w.launcher.click();
    await w.ask('Does this work under a strict policy?');
    expect(await bubbleText(await w.finishedAnswer(0))).toBe('Styled and connected.');
    expect(await w.panel.evaluate((el) => getComputedStyle(el).position)).toBe('fixed');
    expect(sockets).toBe(1);
    expect(violations).toEqual([]);
    await screenshot(page, SUITE, 'strict-csp');
    await page.context().close();
  });

  it('an answer with <img onerror>, <script> and javascript: links renders as text and runs nothing', async () => {
    const evil = [
      'Look: <img src=x onerror="window.__pwned=\'img\'"> <script>window.__pwned=\'script\'<\/script>\n\n',
      '[click me](javascript:window.__pwned=\'link\') and [data](data:text/html,<b>x</b>) and ',
      '<a href="javascript:window.__pwned=\'a\'">raw</a> and [safe](https://acme.example/docs).\n\n',
      '**bold** and `<b>code</b>`',
    ];
    gw.fake.script({ chunks: evil, tokenDelayMs: 20 });
    const page = await newPage(browser);
    await page.goto(tagPage('/xss'));
    const w = widget(page);
    await w.launcher.click();
    await w.ask('<img src=y onerror="window.__pwned=\'question\'">');
    const answer = await w.finishedAnswer(0);
    await answer.getByText('click me').click();
    await page.waitForTimeout(200);

    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    const inside = await page.evaluate(() => {
      const root = document.querySelector('babble-buddy-widget')!.shadowRoot!;
      return {
        images: root.querySelectorAll('.lg img').length,
        scripts: root.querySelectorAll('script').length,
        hrefs: [...root.querySelectorAll('.lg a')].map((a) => a.getAttribute('href')),
      };
    });
    expect(inside).toEqual({ images: 0, scripts: 0, hrefs: ['https://acme.example/docs'] });
    const text = await bubbleText(answer);
    // Shown as the characters they are (markdown emphasis may still apply around them).
    expect(text).toContain('<img src=x onerror="window.');
    expect(text).toContain('<script>window.');
    expect(text).toContain('<a href="javascript:window.__pwned=\'a\'">raw</a>');
    expect(await answer.locator('strong').last().innerText()).toBe('bold');
    expect(await answer.locator('code').innerText()).toBe('<b>code</b>');
    expect(await w.userTexts()).toEqual(['<img src=y onerror="window.__pwned=\'question\'">']);
    await screenshot(page, SUITE, 'unsafe-answer');
    await page.context().close();
  });

  it('a page whose origin is not on the key’s list is refused with ORIGIN_NOT_ALLOWED and shows no widget', async () => {
    const before = `<script>window.BabbleBuddy = { q: [['on', 'error', (e) => (window.refusals = window.refusals || []).push(e)]] };</script>`;
    const page = await newPage(browser);
    await page.goto(stranger.page('/stranger', hostPage(gw.url, { before, attributes: { 'data-key': tenant.publishableKey } })));
    await page.waitForFunction(() => (window as unknown as { refusals?: unknown[] }).refusals?.length === 1);
    expect(await page.evaluate(() => (window as unknown as { refusals: { code: string; message: string }[] }).refusals)).toEqual([
      { code: 'ORIGIN_NOT_ALLOWED', message: `The origin ${stranger.origin} is not allowed for this key` },
    ]);
    expect(await page.locator('babble-buddy-widget').count()).toBe(0);

    // Calling the API directly from that page: the browser itself refuses (CORS), nothing is readable.
    const direct = await page.evaluate(
      async ([url, key]) => {
        try {
          const response = await fetch(`${url}/api/v1/widget/session`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{}' });
          return `status ${response.status}`;
        } catch (error) {
          return (error as Error).name;
        }
      },
      [gw.url, tenant.publishableKey] as const,
    );
    expect(direct).toBe('TypeError');
    await screenshot(page, SUITE, 'origin-refused');
    await page.context().close();
  });

  it('mobile: full-screen panel, 16px input (no zoom on focus), launcher out of the way, minimise button', async () => {
    gw.fake.setDefault({ text: 'Yes — **free** returns for 30 days.' });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await page.goto(tagPage('/mobile'));
    const w = widget(page);
    await w.launcher.tap();
    await w.panel.waitFor();
    expect(await w.panel.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 844 });
    expect(await w.launcher.isVisible()).toBe(false);
    expect(await w.input.evaluate((el) => getComputedStyle(el).fontSize)).toBe('16px');
    await w.input.tap();
    await w.input.fill('Free returns?');
    await page.getByRole('button', { name: 'Send' }).tap();
    await w.finishedAnswer(0);
    await screenshot(page, SUITE, 'mobile');
    await page.getByRole('button', { name: 'Minimize chat' }).tap();
    await w.panel.waitFor({ state: 'hidden' });
    expect(await w.launcher.isVisible()).toBe(true);
    await context.close();
  });

  it('right-to-left: Hebrew labels and layout; RTL text is shown right to left in any locale', async () => {
    gw.fake.setDefault({ echo: true, tokenDelayMs: 5 });
    const page = await newPage(browser);
    await page.goto(tagPage('/rtl', { lang: 'he', attributes: { 'data-locale': 'he' } }));
    await page.getByRole('button', { name: "פתיחת צ'אט" }).click();
    const input = page.getByRole('textbox', { name: 'הודעה' });
    await input.fill('מתי ההזמנה שלי תגיע?');
    await page.getByRole('button', { name: 'שליחה' }).click();
    const w = widget(page);
    await w.finishedAnswer(0);
    expect(await page.locator('.bb').getAttribute('dir')).toBe('rtl');
    expect(await page.getByRole('button', { name: "סגירת צ'אט" }).count()).toBe(1);
    expect(await page.getByText('שלום! איך אפשר לעזור היום?').count()).toBe(1);
    expect(await w.userMessages.first().locator('.b').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    await screenshot(page, SUITE, 'rtl-hebrew');
    await page.context().close();

    // English widget, Arabic visitor: the bubble still runs right to left.
    const english = await newPage(browser);
    await english.goto(tagPage('/rtl-text', { attributes: { 'data-locale': 'en' } }));
    const e = widget(english);
    await e.launcher.click();
    await e.ask('مرحبا، أين طلبي؟');
    await e.finishedAnswer(0);
    expect(await e.userMessages.first().locator('.b').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl');
    expect(await english.locator('.bb').getAttribute('dir')).toBe('ltr');
    await english.context().close();
  });

  it('keyboard: the launcher is reachable, the panel takes focus, Escape closes and gives focus back', async () => {
    const page = await newPage(browser);
    await page.goto(tagPage('/keyboard'));
    const w = widget(page);
    await w.launcher.waitFor();
    await page.locator('#host-button').focus();
    await page.keyboard.press('Tab');
    expect(await w.launcher.evaluate((el) => el.matches(':focus'))).toBe(true);
    await page.keyboard.press('Enter');
    await w.panel.waitFor();
    await page.waitForFunction(() => document.querySelector('babble-buddy-widget')?.shadowRoot?.activeElement?.tagName === 'TEXTAREA');
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('true');
    await page.keyboard.press('Escape');
    await w.panel.waitFor({ state: 'hidden' });
    expect(await w.launcher.evaluate((el) => el.matches(':focus'))).toBe(true);
    expect(await w.launcher.getAttribute('aria-label')).toBe('Open chat');
    await page.context().close();
  });

  async function axeOn(page: Page, name: string): Promise<void> {
    const violations = await axeViolations(page, { include: WIDGET_ONLY, minImpact: 'serious' });
    if (violations.length) console.error(name, JSON.stringify(violations, null, 2));
    expect(violations).toEqual([]);
  }

  it('axe-core finds no serious or critical violations in the open widget, light and dark, or on the launcher', async () => {
    gw.fake.setDefault({ text: 'Here is how:\n\n1. Open **Orders**\n2. Pick the order\n\nSee [the returns page](https://acme.example/returns) or run `return --id 42`.' });
    for (const theme of ['light', 'dark'] as const) {
      const page = await newPage(browser);
      const after = `BabbleBuddy.init({ appToken: ${JSON.stringify(tenant.publishableKey)}, apiUrl: ${JSON.stringify(gw.url)}, theme: '${theme}' })`;
      await page.goto(site.page(`/axe-${theme}`, hostPage(gw.url, { after })));
      const w = widget(page);
      await w.launcher.waitFor();
      await axeOn(page, `${theme} launcher`);
      await w.launcher.click();
      await w.ask('How do I return something?');
      await w.finishedAnswer(0);
      await axeOn(page, `${theme} open`);
      await screenshot(page, SUITE, `axe-${theme}`);
      await page.context().close();
    }
  });
});
