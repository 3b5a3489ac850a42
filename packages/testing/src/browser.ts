import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/**
 * Real Chromium for browser tests: Debian's package (`infra/scripts/ensure-services.sh --browser` installs it).
 * The flags keep it from reaching for Google's hosts, which this machine's closed network refuses.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Read once: where screenshots go (TEST_ARTIFACTS_DIR, else `<repo>/.test-results/artifacts`). */
const ARTIFACTS_DIR_OVERRIDE = process.env.TEST_ARTIFACTS_DIR;
let artifactsRoot: string | undefined;

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A fresh context (own storage) with a default desktop viewport. */
export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, ...options });
  return context.newPage();
}

/**
 * Where a test saves what a human should look at (screenshots): `<repo>/.test-results/artifacts/<suite>/`.
 * CI uploads `.test-results` as an artifact.
 */
export function artifactPath(suite: string, file: string): string {
  artifactsRoot ??= ARTIFACTS_DIR_OVERRIDE ?? resolve(findRepoRoot(process.cwd()), '.test-results', 'artifacts');
  const path = join(artifactsRoot, suite, file);
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const path = artifactPath(suite, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core inside the page (optionally limited to a selector, which may pierce an open shadow root with
 * axe's own `{ fromShadowDom: [...] }` syntax) and returns the violations at or above `minImpact`.
 */
export async function axeViolations(
  page: Page,
  options: { include?: unknown; minImpact?: 'minor' | 'moderate' | 'serious' | 'critical' } = {},
): Promise<AxeViolation[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.addScriptTag({ content: source });
  const order = ['minor', 'moderate', 'serious', 'critical'];
  const floor = order.indexOf(options.minImpact ?? 'serious');
  const violations = await page.evaluate(async (include) => {
    const axe = (globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
    const result = await axe.run(include ?? (globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => JSON.stringify(n.target)) }));
  }, options.include ?? null);
  return violations.filter((v) => order.indexOf(v.impact ?? 'minor') >= floor);
}

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    try {
      readFileSync(join(dir, 'pnpm-workspace.yaml'));
      return dir;
    } catch {
      const parent = dirname(dir);
      if (parent === dir) return start;
      dir = parent;
    }
  }
}
