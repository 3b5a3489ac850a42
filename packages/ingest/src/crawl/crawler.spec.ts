import { htmlPageWithNav, startLocalSite, type LocalSite } from '../fixtures';
import { DEFAULT_FETCH_POLICY, safeFetch } from '../fetch/safe-fetch';
import { parseHtml } from '../parsers';
import { crawl, type CrawlHooks } from './crawler';

const policy = { ...DEFAULT_FETCH_POLICY, allowedPrivateHosts: ['127.0.0.1'], timeoutMs: 3000 };

function page(title: string, links: string[]): string {
  return htmlPageWithNav({ title, links, body: `<h1>${title}</h1><p>${title} explains one topic of the help centre in enough words for the reader to follow along.</p>` });
}

function hooks(stored: string[]): CrawlHooks {
  return {
    userAgent: policy.userAgent,
    fetch: (url) => safeFetch(url, policy),
    async onPage({ url, resource }) {
      const document = parseHtml(resource.bytes.toString('utf8'), { url });
      stored.push(new URL(url).pathname);
      return { stored: true, links: document.links ?? [] };
    },
  };
}

describe('crawl', () => {
  let site: LocalSite;
  beforeEach(async () => {
    site = await startLocalSite({
      '/': page('Home', ['/a', '/b', 'https://elsewhere.example/x', '/logo.png']),
      '/a': page('A', ['/a/1', '/']),
      '/b': page('B', ['/b/1']),
      '/a/1': page('A1', ['/a/1/deep']),
      '/b/1': page('B1', []),
      '/a/1/deep': page('Deep', []),
      '/private/secret': page('Secret', []),
      '/from-sitemap': page('Listed only in the sitemap', []),
    });
  });
  afterEach(() => site.close());

  it('follows same-site links breadth-first up to maxDepth, never off-site or to images', async () => {
    const stored: string[] = [];
    const summary = await crawl(`${site.url}/`, { maxPages: 50, maxDepth: 1 }, hooks(stored));
    expect(stored).toEqual(['/', '/a', '/b']);
    expect(site.requests.some((r) => r.path === '/logo.png')).toBe(false);
    expect(summary.stored).toHaveLength(3);
    // The footer's /legal link is on every page and answers 404: skipped, not fatal.
    expect(summary.skipped).toEqual([{ url: `${site.url}/legal`, reason: `${site.url}/legal answered HTTP 404` }]);
  });

  it('stops at maxPages', async () => {
    const stored: string[] = [];
    await crawl(`${site.url}/`, { maxPages: 2, maxDepth: 5 }, hooks(stored));
    expect(stored).toEqual(['/', '/a']);
  });

  it('honours robots.txt: disallowed pages are never fetched; a disallowed start fails the crawl', async () => {
    site.route('/robots.txt', { contentType: 'text/plain', body: 'User-agent: *\nDisallow: /a\n\nUser-agent: OtherBot\nDisallow: /\n' });
    const stored: string[] = [];
    const summary = await crawl(`${site.url}/`, { maxPages: 50, maxDepth: 3 }, hooks(stored));
    expect(stored).toEqual(expect.arrayContaining(['/', '/b', '/b/1']));
    expect(stored.some((path) => path.startsWith('/a'))).toBe(false);
    expect(site.requests.some((r) => r.path.startsWith('/a'))).toBe(false);
    expect(summary.skipped).toContainEqual({ url: `${site.url}/a`, reason: 'disallowed by robots.txt' });

    site.route('/robots.txt', { contentType: 'text/plain', body: 'User-agent: BabbleBuddyBot\nDisallow: /\n' });
    await expect(crawl(`${site.url}/`, { maxPages: 5, maxDepth: 1 }, hooks([]))).rejects.toMatchObject({ code: 'ROBOTS_DISALLOWED' });
  });

  it('seeds the crawl with the sitemap named in robots.txt (nested sitemaps too), same site only', async () => {
    site.route('/robots.txt', { contentType: 'text/plain', body: `Sitemap: ${site.url}/sitemap-index.xml\n` });
    site.route('/sitemap-index.xml', { contentType: 'application/xml', body: `<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>${site.url}/pages.xml</loc></sitemap></sitemapindex>` });
    site.route('/pages.xml', {
      contentType: 'application/xml',
      body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${site.url}/from-sitemap</loc></url><url><loc>https://elsewhere.example/page</loc></url></urlset>`,
    });
    const stored: string[] = [];
    await crawl(`${site.url}/`, { maxPages: 10, maxDepth: 0 }, hooks(stored));
    expect(stored).toEqual(['/', '/from-sitemap']);
  });

  it('uses /sitemap.xml when robots.txt names none', async () => {
    site.route('/sitemap.xml', { contentType: 'application/xml', body: `<urlset><url><loc>${site.url}/b/1</loc></url></urlset>` });
    const stored: string[] = [];
    await crawl(`${site.url}/`, { maxPages: 10, maxDepth: 0 }, hooks(stored));
    expect(stored).toEqual(['/', '/b/1']);
  });

  it('fails when the start page cannot be fetched, and waits when robots.txt cannot be read', async () => {
    await expect(crawl(`${site.url}/nothing-here`, { maxPages: 5, maxDepth: 1 }, hooks([]))).rejects.toMatchObject({ code: 'URL_UNREACHABLE' });
    site.route('/robots.txt', { status: 503, body: 'down' });
    await expect(crawl(`${site.url}/`, { maxPages: 5, maxDepth: 1 }, hooks([]))).rejects.toMatchObject({ code: 'URL_UNREACHABLE', retryable: true });
  });
});
