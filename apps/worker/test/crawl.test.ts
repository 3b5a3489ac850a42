import { htmlPageWithNav, NAV_WORDS, startLocalSite, type LocalSite } from '@babble-buddy/ingest/fixtures';
import { chunksOf, startStack, type TestStack } from './harness';

/** A bounded crawl of a real local site: pages become sources under the crawl, once each. */
let stack: TestStack;
let site: LocalSite;
let tenantId: string;

function page(title: string, links: string[], text = `${title} is described here in enough words for a reader and for the search index to work with.`): string {
  return htmlPageWithNav({ title, links, body: `<h1>${title}</h1><h2>Details</h2><p>${text}</p>` });
}

beforeAll(async () => {
  stack = await startStack();
  await stack.startWorker();
  site = await startLocalSite({
    '/': page('Help centre', ['/billing', '/accounts', '/blocked/secret']),
    '/billing': page('Billing', ['/billing/refunds'], 'Invoices are sent on the first of the month.'),
    '/billing/refunds': page('Refunds', ['/billing/refunds/deep'], 'Refunds take fourteen days.'),
    '/billing/refunds/deep': page('Deep page', []),
    '/accounts': page('Accounts', []),
    '/blocked/secret': page('Secret', []),
    '/from-sitemap': page('Status page', [], 'The status page lists incidents of the last ninety days.'),
  });
  site.route('/robots.txt', { contentType: 'text/plain', body: `User-agent: *\nDisallow: /blocked/\nSitemap: ${site.url}/sitemap.xml\n` });
  site.route('/sitemap.xml', { contentType: 'application/xml', body: `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${site.url}/from-sitemap</loc></url></urlset>` });
  tenantId = await stack.createTenant('Crawler', { allowedPrivateHosts: ['127.0.0.1'] });
});
afterAll(async () => {
  await site?.close();
  await stack?.close();
});

async function pagesOf(crawlId: string) {
  return stack.db.knowledgeSource.findMany({ where: { parentId: crawlId }, orderBy: { url: 'asc' } });
}

describe('crawling a site', () => {
  let crawlId: string;

  it('stays within maxDepth, honours robots.txt, adds the sitemap pages, stores each page as a source', async () => {
    crawlId = await stack.addUrl(tenantId, `${site.url}/`, { maxPages: 10, maxDepth: 1 });
    const crawl = await stack.settled(crawlId);
    const pages = await pagesOf(crawlId);
    expect(pages.map((p) => new URL(p.url ?? '').pathname).sort()).toEqual(['/', '/accounts', '/billing', '/from-sitemap']);
    expect(crawl).toMatchObject({ status: 'ready', title: 'Help centre', pageCount: 4, chunkCount: pages.reduce((sum, p) => sum + p.chunkCount, 0) });
    expect(site.requests.some((r) => r.path.startsWith('/blocked'))).toBe(false);
    expect(site.requests.some((r) => r.path === '/billing/refunds')).toBe(false);
    for (const p of pages) expect(p).toMatchObject({ status: 'ready', kind: 'url', tenantId, parentId: crawlId });

    const billing = pages.find((p) => p.url === `${site.url}/billing`);
    expect(billing?.title).toBe('Billing');
    const chunks = await chunksOf(stack.db, billing?.id ?? '');
    expect(chunks.map((c) => c.content).join(' ')).toContain('Invoices are sent on the first of the month.');
    expect(chunks[0]?.metadata).toMatchObject({ url: `${site.url}/billing`, heading: 'Details', title: 'Billing' });
    for (const word of NAV_WORDS) expect(chunks.map((c) => c.content).join(' ')).not.toContain(word);
    // Page events name their crawl, so the admin can show them under it.
    expect(stack.watcher.events.some((e) => e.sourceId === billing?.id && e.parentId === crawlId && e.status === 'ready')).toBe(true);
  });

  it('stops at maxPages', async () => {
    const smallCrawl = await stack.addUrl(tenantId, `${site.url}/billing`, { maxPages: 2, maxDepth: 5 });
    expect(await stack.settled(smallCrawl)).toMatchObject({ status: 'ready', pageCount: 2 });
    expect((await pagesOf(smallCrawl)).map((p) => new URL(p.url ?? '').pathname)).toEqual(['/billing', '/from-sitemap'].sort());
  });

  it('crawling again keeps one copy of every page and drops pages the site no longer links', async () => {
    const before = await pagesOf(crawlId);
    site.route('/', page('Help centre', ['/billing']));
    site.route('/sitemap.xml', { contentType: 'application/xml', body: '<urlset></urlset>' });
    const ready = stack.watcher.next((e) => e.sourceId === crawlId && e.status === 'ready', 30_000, false);
    await stack.enqueue({ tenantId, sourceId: crawlId, mode: 'full', reason: 'reindex' });
    await ready;
    const after = await pagesOf(crawlId);
    expect(after.map((p) => new URL(p.url ?? '').pathname)).toEqual(['/', '/billing']);
    // Same page rows as before (upserted by URL), each with exactly one set of chunks.
    expect(after.map((p) => p.id)).toEqual(before.filter((p) => ['/', '/billing'].includes(new URL(p.url ?? '').pathname)).map((p) => p.id));
    for (const p of after) {
      const chunks = await chunksOf(stack.db, p.id);
      expect(chunks.length).toBe(p.chunkCount);
      expect(new Set(chunks.map((c) => c.content)).size).toBe(chunks.length);
    }
    expect(await stack.db.knowledgeSource.findUniqueOrThrow({ where: { id: crawlId } })).toMatchObject({ pageCount: 2 });
  });
});
