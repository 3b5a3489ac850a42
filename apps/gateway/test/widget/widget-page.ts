import type { Locator, Page } from 'playwright-core';

/** Locators and waits for the widget inside a page (Playwright's locators pierce its open shadow root). */
export function widget(page: Page) {
  const answers = page.locator('.m.a:not([data-greeting])');
  return {
    host: page.locator('babble-buddy-widget'),
    launcher: page.locator('babble-buddy-widget button.ln'),
    panel: page.locator('#bb-panel'),
    input: page.getByRole('textbox', { name: 'Message' }),
    log: page.getByRole('log'),
    userMessages: page.locator('.m.u'),
    /** The visitor's messages as shown (bubble text only). */
    userTexts: () => page.locator('.m.u .b').allInnerTexts(),
    answers,
    /** The n-th answer (0-based) once it is finished, complete or failed. */
    async finishedAnswer(index: number): Promise<Locator> {
      const answer = answers.nth(index);
      await answer.and(page.locator('[data-status=complete], [data-status=failed]')).waitFor({ timeout: 20_000 });
      return answer;
    },
    async ask(text: string): Promise<void> {
      const input = page.getByRole('textbox', { name: 'Message' });
      await input.fill(text);
      await input.press('Enter');
    },
  };
}

/** The text of an answer's bubble (without the screen-reader prefix). */
export async function bubbleText(answer: Locator): Promise<string> {
  return answer.locator('.b').innerText();
}

/**
 * Records every text the last answer bubble shows while it streams (a MutationObserver inside the
 * page), to check that an answer appeared progressively. Call before sending.
 */
export async function recordAnswerTexts(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const root = document.querySelector('babble-buddy-widget')?.shadowRoot;
    const log = root?.querySelector('.lg');
    const seen: string[] = [];
    (window as unknown as { __answerTexts: string[] }).__answerTexts = seen;
    new MutationObserver(() => {
      const answers = log?.querySelectorAll('.m.a:not([data-greeting]) .b');
      const bubble = answers?.[answers.length - 1];
      // The typing dots come before the first words.
      if (!bubble || bubble.querySelector('.dots')) return;
      const text = bubble.textContent ?? '';
      if (text && seen[seen.length - 1] !== text) seen.push(text);
    }).observe(log!, { subtree: true, childList: true, characterData: true });
  });
  return () => page.evaluate(() => (window as unknown as { __answerTexts: string[] }).__answerTexts);
}

/** Texts that grew one from the next: each a prefix of the following, ending with the whole answer. */
export function grewProgressively(texts: string[], final: string): boolean {
  return texts.at(-1) === final && texts.every((text, i) => i === 0 || text.startsWith(texts[i - 1]!));
}
