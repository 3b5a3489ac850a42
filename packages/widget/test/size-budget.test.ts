import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The size budget (issue: "lighter than every peer's"): the tag's download at most 5 KiB gzipped;
 * everything fetched before the first answer at most 40 KiB gzipped. Scripts are measured here from the
 * build; the gateway's browser test measures the real total (scripts + JSON + socket frames) in Chromium.
 */
const KiB = 1024;
const LOADER_BUDGET = 5 * KiB;
const FIRST_ANSWER_BUDGET = 40 * KiB;
/** Left for what is not script: widget config, session, history JSON, socket.io frames, headers. */
const NON_SCRIPT_ALLOWANCE = 4 * KiB;

const cdn = join(__dirname, '..', 'dist', 'cdn');
const gz = (file: string) => gzipSync(readFileSync(join(cdn, file)), { level: 9 }).length;

describe('size budget', () => {
  const manifest = JSON.parse(readFileSync(join(cdn, 'manifest.json'), 'utf8')) as { loader: string; panel: string; files: Record<string, { gzip: number }> };

  it('is measured on a fresh build', () => {
    expect(existsSync(join(cdn, 'widget.js'))).toBe(true);
    expect(manifest.panel).toMatch(/^widget\/panel\.[A-Z0-9]{8}\.js$/);
    expect(readFileSync(join(cdn, 'widget.js'), 'utf8')).toContain(JSON.stringify(manifest.panel));
  });

  it(`widget.js (what the tag downloads) is at most ${LOADER_BUDGET} bytes gzipped`, () => {
    const size = gz('widget.js');
    console.log(`widget.js: ${size} B gzipped (budget ${LOADER_BUDGET})`);
    expect(size).toBeLessThanOrEqual(LOADER_BUDGET);
    expect(manifest.files['widget.js']?.gzip).toBe(size);
  });

  it(`the scripts fetched before the first answer leave room in the ${FIRST_ANSWER_BUDGET}-byte budget`, () => {
    const scripts = gz('widget.js') + gz(manifest.panel);
    console.log(`widget.js + ${manifest.panel}: ${scripts} B gzipped (budget ${FIRST_ANSWER_BUDGET - NON_SCRIPT_ALLOWANCE} + ${NON_SCRIPT_ALLOWANCE} for the API)`);
    expect(scripts).toBeLessThanOrEqual(FIRST_ANSWER_BUDGET - NON_SCRIPT_ALLOWANCE);
    // Only the two files: nothing else is loaded before an answer.
    expect(Object.keys(manifest.files).sort()).toEqual(['widget.js', manifest.panel].sort());
  });

  it('keeps the shared package’s runtime (zod) out of the browser bundles', () => {
    for (const file of ['widget.js', manifest.panel]) {
      const code = readFileSync(join(cdn, file), 'utf8');
      expect(code).not.toMatch(/ZodError|\$ZodType|zod/i);
    }
  });
});
