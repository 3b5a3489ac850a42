import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { onCleanup, throwIfStopping } from './lib/cleanup.mjs';
import { progress } from './lib/progress.mjs';
import { machineInfo, writeResults } from './lib/results.mjs';
import { createBenchDatabase, log, startFakeLlm, startGateway } from './lib/stack.mjs';
import { round, summarize } from './lib/stats.mjs';
import { ms, renderTable } from './lib/table.mjs';
import { builtFile, requireBuilt, SetupError } from './lib/workspace.mjs';

export const description = 'widget sizes (tag download, everything before the first answer) and the loader’s main-thread time, in Chromium';

const USAGE = `Usage: pnpm bench widget [--runs 15]

  --runs   page loads measured for the main-thread time (default 15; the median is reported)

Env: DATABASE_URL, REDIS_URL (as for the gateway bench), CHROMIUM_PATH (default /usr/bin/chromium).`;

const KiB = 1024;
const BUDGET = { loaderGzip: 5 * KiB, beforeFirstAnswer: 40 * KiB };
const ANSWER = 'Our tents ship within two days, and returns are free for 30 days.';
/** After the launcher is drawn, long enough for the idle-time panel preload to happen. */
const SETTLE_MS = 2500;

export async function run(argv) {
  const { values } = parseArgs({ args: argv, options: { runs: { type: 'string', default: '15' }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) return console.log(USAGE);
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) throw new SetupError(`--runs: expected a positive integer, got "${values.runs}"`);
  const machine = machineInfo();
  const startedAt = Date.now();

  const manifest = JSON.parse(readFileSync(builtFile('packages/widget/dist/cdn/manifest.json', '@babble-buddy/widget'), 'utf8'));
  const { launchChromium } = requireBuilt('packages/testing/dist/index.js', '@babble-buddy/testing');
  const stack = await startStack();
  const browser = await launchChromium();
  onCleanup(() => browser.close());

  const firstAnswer = await measureFirstAnswer(browser, stack);
  throwIfStopping();
  const mainThread = await measureMainThread(browser, stack, stack.withWidget, runs, 'bare page');
  const mainThreadAppLike = await measureMainThread(browser, stack, stack.appLike, runs, 'app-like page');

  const files = manifest.files;
  const results = {
    bench: 'widget',
    timestamp: new Date(startedAt).toISOString(),
    durationSeconds: round((Date.now() - startedAt) / 1000, 1),
    machine,
    budget: BUDGET,
    sizes: {
      loader: { file: 'widget.js', ...files['widget.js'], transferred: firstAnswer.transfers['widget.js'] ?? null },
      panel: { file: manifest.panel, ...files[manifest.panel], transferred: firstAnswer.transfers[manifest.panel] ?? null },
      beforeFirstAnswer: firstAnswer.bytes,
    },
    mainThread,
    mainThreadAppLike,
    parameters: {
      runs,
      browser: browser.version(),
      page: 'a small static host page on another origin (http://localhost:PORT) with the tag; gateway on http://127.0.0.1:PORT',
      mainThreadDefinition:
        'from a Chromium performance trace: top-level main-thread events running widget.js (evaluating it, its callbacks: config response, launcher drawing, idle scheduling), nested events counted once; the panel preload (compiling and evaluating the panel module when the page is idle) is reported apart',
      beforeFirstAnswerDefinition: 'every byte the page received (HTTP responses as encoded on the wire, headers included, plus WebSocket frames) from navigation until the first answer was complete on screen',
    },
    pass: {
      loaderGzip: files['widget.js'].gzip <= BUDGET.loaderGzip,
      beforeFirstAnswer: firstAnswer.bytes.total <= BUDGET.beforeFirstAnswer,
    },
  };
  printReport(results);
  console.log(`\nresults: ${writeResults('widget', results)}`);
}

/** The fake LLM, a database with a tenant whose publishable key allows the host page, the gateway, the host page. */
async function startStack() {
  const fake = await startFakeLlm(['--text', ANSWER, '--token-delay-ms', '10']);
  const { database, db } = await createBenchDatabase();
  const host = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(pages.get(new URL(req.url, 'http://h').pathname) ?? 'no such page');
  });
  const pages = new Map();
  host.listen(0, '127.0.0.1');
  await once(host, 'listening');
  onCleanup(() => new Promise((resolve) => host.close(resolve)));
  const origin = `http://localhost:${host.address().port}`;
  const publishableKey = await createTenant(db, database.url, origin);
  const gateway = await startGateway({ databaseUrl: database.url, fakeUrl: fake.url, env: { RATE_LIMIT_SESSION_PER_MINUTE: '1000', RATE_LIMIT_IP_PER_MINUTE: '100000', RATE_LIMIT_KEY_PER_MINUTE: '100000' } });
  log(`gateway at ${gateway.url}, host page at ${origin}`);
  const page = (path, body) => {
    pages.set(path, `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Host</title></head><body><h1>Acme Outdoor</h1><p>Tents and stoves.</p>${body}</body></html>`);
    return `${origin}${path}`;
  };
  return {
    gatewayUrl: gateway.url,
    withWidget: page('/with-widget', `<script src="${gateway.url}/widget.js" data-key="${publishableKey}" async></script>`),
    // Most host apps have used fetch and localStorage before our tag runs; the browser's one-time set-up of
    // those is then already paid (on a bare page the loader pays it).
    appLike: page('/app-like', `<script>localStorage.getItem('app');sessionStorage.getItem('app');fetch('/app-data').catch(()=>{});</script><script src="${gateway.url}/widget.js" data-key="${publishableKey}" async></script>`),
  };
}

async function createTenant(db, databaseUrl, origin) {
  const client = db.createDbClient(databaseUrl, { poolSize: 1 });
  try {
    const tenant = await client.tenant.create({ data: { name: 'Bench Outdoor', slug: `bench-widget-${Date.now()}` } });
    const key = db.generateApiKey('publishable');
    await client.apiKey.create({ data: { tenantId: tenant.id, kind: 'publishable', prefix: key.prefix, hash: key.hash, allowedOrigins: [origin] } });
    await client.agent.create({ data: { tenantId: tenant.id, name: 'Default', isDefault: true, systemPrompt: 'You are the assistant of Bench Outdoor.' } });
    return key.key;
  } finally {
    await client.$disconnect();
  }
}

/** One visitor: load the page, open the widget, ask, wait for the whole answer; count every byte received. */
async function measureFirstAnswer(browser, stack) {
  const bar = progress('first answer', 1);
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const urls = new Map();
  const transfers = {};
  let http = 0;
  let frames = 0;
  cdp.on('Network.responseReceived', (event) => urls.set(event.requestId, event.response.url));
  cdp.on('Network.loadingFinished', (event) => {
    http += event.encodedDataLength;
    const url = urls.get(event.requestId);
    const path = url?.startsWith(stack.gatewayUrl) ? new URL(url).pathname.slice(1) : null;
    if (path) transfers[path] = event.encodedDataLength;
  });
  cdp.on('Network.webSocketFrameReceived', (event) => (frames += event.response.payloadData.length));
  await page.goto(stack.withWidget);
  await page.locator('babble-buddy-widget button.ln').click();
  const input = page.getByRole('textbox', { name: 'Message' });
  await input.fill('How fast do you ship?');
  await input.press('Enter');
  await page.locator('.m.a:not([data-greeting])[data-status=complete]').waitFor({ timeout: 30_000 });
  const shown = await page.locator('.m.a:not([data-greeting]) .b').innerText();
  if (shown !== ANSWER) throw new Error(`the widget showed ${JSON.stringify(shown)} instead of the model's answer`);
  const bytes = { http, webSocketFrames: frames, total: http + frames };
  bar.tick();
  await context.close();
  return { bytes, transfers };
}

/** `runs` fresh page loads with a performance trace each; medians of the loader's main-thread time. */
async function measureMainThread(browser, stack, url, runs, label) {
  const bar = progress(`main-thread traces, ${label}`, runs);
  const samples = { loaderMs: [], evaluateMs: [], callbacksMs: [], longestTaskMs: [], panelPreloadMs: [], launcherVisibleMs: [] };
  for (let i = 0; i < runs; i++) {
    throwIfStopping();
    const context = await browser.newContext();
    const page = await context.newPage();
    await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute'] });
    await page.goto(url);
    await page.locator('babble-buddy-widget button.ln').waitFor();
    samples.launcherVisibleMs.push(await page.evaluate(() => performance.now()));
    await page.waitForTimeout(SETTLE_MS);
    const trace = JSON.parse((await browser.stopTracing()).toString());
    const figures = attribute(trace.traceEvents, `${stack.gatewayUrl}/widget.js`, `${stack.gatewayUrl}/widget/`);
    for (const [name, value] of Object.entries(figures)) samples[name].push(value);
    await context.close();
    bar.tick();
  }
  return Object.fromEntries(Object.entries(samples).map(([name, values]) => [name, roundAll(summarize(values))]));
}

/**
 * Main-thread time of widget.js in one trace: the thread that evaluated it; its top-level events whose
 * URL is widget.js (EvaluateScript, FunctionCall, v8 compile/run), nested ones counted once; the panel's
 * module compile/evaluation apart.
 */
function attribute(events, loaderUrl, panelPrefix) {
  const urlOf = (event) => event.args?.data?.url ?? event.args?.fileName ?? event.args?.data?.stackTrace?.[0]?.url ?? null;
  const evaluation = events.find((e) => e.name === 'EvaluateScript' && urlOf(e) === loaderUrl);
  if (!evaluation) throw new Error('no evaluation of widget.js in the trace');
  const main = events.filter((e) => e.ph === 'X' && e.pid === evaluation.pid && e.tid === evaluation.tid && typeof e.dur === 'number');
  const topLevel = (list) => {
    const sorted = [...list].sort((a, b) => a.ts - b.ts);
    const out = [];
    for (const event of sorted) {
      const last = out.at(-1);
      if (last && event.ts < last.ts + last.dur) continue; // nested in one already counted
      out.push(event);
    }
    return out;
  };
  const NAMES = new Set(['EvaluateScript', 'FunctionCall', 'v8.compile', 'v8.run', 'v8.callFunction', 'TimerFire', 'FireIdleCallback', 'EventDispatch']);
  // The panel's module: compiled mostly off the main thread (streamed); evaluated on it.
  const loader = topLevel(main.filter((e) => NAMES.has(e.name) && urlOf(e) === loaderUrl));
  const panel = topLevel(main.filter((e) => (urlOf(e) ?? '').startsWith(panelPrefix) && (e.name.startsWith('v8.') || e.name === 'EvaluateScript')));
  // The tasks the loader's events ran in (style and layout they caused included).
  const tasks = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask' || e.name === 'RunTask');
  const longest = Math.max(0, ...loader.map((event) => tasks.find((t) => t.ts <= event.ts && event.ts < t.ts + t.dur)?.dur ?? event.dur));
  const sum = (list) => list.reduce((total, e) => total + e.dur, 0) / 1000;
  const evaluate = sum(loader.filter((e) => e.name === 'EvaluateScript' || e.name === 'v8.compile'));
  return {
    loaderMs: sum(loader),
    evaluateMs: evaluate,
    callbacksMs: sum(loader) - evaluate,
    longestTaskMs: longest / 1000,
    panelPreloadMs: sum(panel),
  };
}

function roundAll(summary) {
  return Object.fromEntries(Object.entries(summary).map(([key, value]) => [key, key === 'count' ? value : round(value)]));
}

function printReport(results) {
  const { sizes, mainThread, mainThreadAppLike, machine, budget } = results;
  const kib = (bytes) => (bytes === null || bytes === undefined ? '—' : `${(bytes / 1024).toFixed(2)} KiB`);
  console.log(`\nWidget — ${machine.cpuCount} × ${machine.cpuModel}, Chromium ${results.parameters.browser}, load before start ${machine.loadAverage.join(' ')}\n`);
  console.log('Sizes');
  console.log(
    renderTable(
      ['file', 'minified', 'gzip -9', 'brotli', 'on the wire', 'budget'].map((title, i) => ({ title, align: i === 0 ? 'left' : 'right' })),
      [
        ['widget.js (the tag)', kib(sizes.loader.bytes), kib(sizes.loader.gzip), kib(sizes.loader.brotli), kib(sizes.loader.transferred), `${kib(budget.loaderGzip)} gz`],
        [sizes.panel.file, kib(sizes.panel.bytes), kib(sizes.panel.gzip), kib(sizes.panel.brotli), kib(sizes.panel.transferred), '—'],
        ['everything before the first answer', '', '', '', kib(sizes.beforeFirstAnswer.total), kib(budget.beforeFirstAnswer)],
      ],
    ),
  );
  console.log(`  (HTTP ${kib(sizes.beforeFirstAnswer.http)} incl. headers + WebSocket frames ${kib(sizes.beforeFirstAnswer.webSocketFrames)})\n`);
  console.log(`Main thread of the host page, ${results.parameters.runs} page loads each (ms): a bare page / a page that already used fetch and storage`);
  const line = (name, key) => [name, ...[mainThread, mainThreadAppLike].flatMap((m) => [ms(m[key].p50, 2), ms(m[key].p90, 2)])];
  const rows = [
    line('loader total (widget.js)', 'loaderMs'),
    line('  evaluating widget.js', 'evaluateMs'),
    line('  its callbacks (config, launcher)', 'callbacksMs'),
    line('longest task with loader work', 'longestTaskMs'),
    line('panel preload when idle (apart)', 'panelPreloadMs'),
    line('launcher visible after navigation', 'launcherVisibleMs'),
  ];
  console.log(renderTable(['', 'bare p50', 'bare p90', 'app-like p50', 'app-like p90'].map((title, i) => ({ title, align: i === 0 ? 'left' : 'right' })), rows));
  const verdict = (ok) => (ok ? 'PASS' : 'FAIL');
  console.log(`\nbudget: widget.js ${kib(sizes.loader.gzip)} gz ≤ ${kib(budget.loaderGzip)} ${verdict(results.pass.loaderGzip)}; before first answer ${kib(sizes.beforeFirstAnswer.total)} ≤ ${kib(budget.beforeFirstAnswer)} ${verdict(results.pass.beforeFirstAnswer)}`);
}
