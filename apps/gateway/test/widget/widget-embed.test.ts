import type { Browser, Page } from 'playwright-core';
import { launchChromium, newPage, screenshot } from '@babble-buddy/testing';
import { createTenant, startTestGateway, type TestGateway, type TestTenant } from '../harness';
import { hostPage, startHostSite, type HostSite } from './host-site';

const SUITE = 'widget';

describe('widget: embedding and streaming (real Chromium, real gateway, fake LLM)', () => {
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

  it('by tag: the launcher opens the panel and a streamed answer appears progressively and completely', async () => {
    const chunks = ['Our ', 'tents ', 'ship ', 'within ', 'two ', 'days, ', 'and ', 'returns ', 'are ', 'free ', 'for ', '30 ', 'days.'];
    gw.fake.script({ chunks, tokenDelayMs: 120 });
    const page = await newPage(browser);
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(site.page('/tag', hostPage(gw.url, { attributes: { 'data-key': tenant.publishableKey } })));
    const launcher = page.getByRole('button', { name: 'Open chat' });
    await launcher.click();
    await expect(page.getByRole('button', { name: 'Close chat' })).toBeTruthy();
    const input = page.getByRole('textbox', { name: 'Message' });
    await input.fill('How fast do you ship?');
    await input.press('Enter');
    const answer = page.locator('.m.a[data-status]').last();
    await page.waitForFunction(() => {
      const host = document.querySelector('babble-buddy-widget');
      const bubbles = host?.shadowRoot?.querySelectorAll('.m.a .b');
      const text = bubbles?.[bubbles.length - 1]?.textContent ?? '';
      return text.length > 0 && text.length < 40;
    });
    await screenshot(page, SUITE, 'tag-streaming');
    await page.waitForFunction(() => document.querySelector('babble-buddy-widget')?.shadowRoot?.querySelector('.m.a[data-status=complete]:last-of-type') !== null);
    await page.locator('.m.a[data-status=complete]').last().waitFor();
    expect(await answer.locator('.b').innerText()).toBe(chunks.join(''));
    await screenshot(page, SUITE, 'tag-complete');
    console.log(errors);
  });
});
