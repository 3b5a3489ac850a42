import { setTimeout as sleep } from 'node:timers/promises';
import { IngestError, KnowledgeErrorCode } from '../errors';
import type { FetchedResource } from '../fetch/safe-fetch';
import { loadRobots } from './robots';
import { parseSitemap } from './sitemap';

export interface CrawlLimits {
  /** Pages stored at most. */
  maxPages: number;
  /** Link hops from the start page; the start page and the sitemap's pages are depth 0. */
  maxDepth: number;
}

export interface CrawlPage {
  url: string;
  depth: number;
  resource: FetchedResource;
}

export interface CrawlHooks {
  userAgent: string;
  /** A policy-checked GET (safeFetch with the tenant's policy and the job's signal). */
  fetch(url: string): Promise<FetchedResource>;
  /**
   * Parses and stores one page; answers whether it was stored and the links found on it. Throwing an
   * IngestError skips the page (recorded); other errors end the crawl.
   */
  onPage(page: CrawlPage): Promise<{ stored: boolean; links: string[] }>;
  onProgress?(progress: { stored: number; visited: number; queued: number }): void;
  signal?: AbortSignal;
  /** Longest pause between requests a site's Crawl-delay can ask for (default 2 s). */
  maxCrawlDelayMs?: number;
}

export interface CrawlSummary {
  stored: string[];
  skipped: { url: string; reason: string }[];
}

/** Links to files no parser reads: not worth a request. */
const SKIPPED_EXTENSIONS = /\.(?:png|jpe?g|gif|webp|svg|ico|bmp|tiff?|css|js|mjs|json|xml|rss|atom|zip|gz|tgz|rar|7z|tar|exe|dmg|msi|apk|mp[34]|m4a|wav|ogg|webm|avi|mov|woff2?|ttf|eot|xlsx?|pptx?)$/i;
const MAX_SITEMAPS = 5;

/**
 * A bounded, polite, same-origin breadth-first crawl: robots.txt is honoured (a start page it
 * disallows fails the crawl), the sitemap's pages are queued after the start page, then links are
 * followed up to `maxDepth` hops, until `maxPages` pages are stored. Pages are fetched one at a time.
 */
export async function crawl(startUrl: string, limits: CrawlLimits, hooks: CrawlHooks): Promise<CrawlSummary> {
  const start = new URL(startUrl);
  start.hash = '';
  const origin = start.origin;
  const robots = await loadRobots(origin, hooks.userAgent, hooks.fetch);
  if (!robots.isAllowed(start.toString())) {
    throw new IngestError(KnowledgeErrorCode.RobotsDisallowed, `${origin}/robots.txt does not allow ${hooks.userAgent.split('/')[0]} to read ${start.pathname}`);
  }
  const delayMs = Math.min((robots.crawlDelaySeconds() ?? 0) * 1000, hooks.maxCrawlDelayMs ?? 2000);

  const seen = new Set<string>([start.toString()]);
  const queue: { url: string; depth: number }[] = [{ url: start.toString(), depth: 0 }];
  const enqueue = (url: string, depth: number) => {
    const key = sameOriginUrl(url, origin);
    if (!key || seen.has(key) || SKIPPED_EXTENSIONS.test(new URL(key).pathname)) return;
    seen.add(key);
    queue.push({ url: key, depth });
  };
  for (const page of await sitemapPages(origin, robots.sitemaps(), hooks, limits.maxPages * 2)) enqueue(page, 0);

  const summary: CrawlSummary = { stored: [], skipped: [] };
  let visited = 0;
  // Failed and skipped pages count too, so a site full of broken links still ends.
  const maxVisits = limits.maxPages * 3;
  while (queue.length > 0 && summary.stored.length < limits.maxPages && visited < maxVisits) {
    if (hooks.signal?.aborted) throw hooks.signal.reason;
    const next = queue.shift();
    if (!next) break;
    if (!robots.isAllowed(next.url)) {
      summary.skipped.push({ url: next.url, reason: 'disallowed by robots.txt' });
      continue;
    }
    if (visited > 0 && delayMs > 0) await sleep(delayMs, undefined, hooks.signal ? { signal: hooks.signal } : undefined);
    visited++;
    const isStart = visited === 1;
    try {
      const resource = await hooks.fetch(next.url);
      if (resource.status < 200 || resource.status >= 300) throw new IngestError(KnowledgeErrorCode.UrlUnreachable, `${next.url} answered HTTP ${resource.status}`, { retryable: resource.status >= 500 });
      if (!sameOriginUrl(resource.url, origin)) {
        summary.skipped.push({ url: next.url, reason: `redirects off the site, to ${resource.url}` });
        continue;
      }
      const result = await hooks.onPage({ url: resource.url, depth: next.depth, resource });
      if (result.stored) summary.stored.push(resource.url);
      if (next.depth < limits.maxDepth) for (const link of result.links) enqueue(link, next.depth + 1);
    } catch (error) {
      // The start page decides whether there is a site at all; other pages may fail on their own.
      if (!(error instanceof IngestError) || isStart) throw error;
      summary.skipped.push({ url: next.url, reason: error.message });
    } finally {
      hooks.onProgress?.({ stored: summary.stored.length, visited, queued: queue.length });
    }
  }
  return summary;
}

/** Page URLs listed by the site's sitemaps (robots.txt `Sitemap:` lines, else /sitemap.xml), same origin only. */
async function sitemapPages(origin: string, declared: string[], hooks: CrawlHooks, limit: number): Promise<string[]> {
  const pending = (declared.length ? declared : [`${origin}/sitemap.xml`]).filter((url) => sameOriginUrl(url, origin));
  const pages: string[] = [];
  for (let read = 0; pending.length > 0 && read < MAX_SITEMAPS && pages.length < limit; read++) {
    const url = pending.shift();
    if (!url) break;
    try {
      const resource = await hooks.fetch(url);
      if (resource.status < 200 || resource.status >= 300) continue;
      const sitemap = parseSitemap(resource.bytes.toString('utf8'));
      pages.push(...sitemap.pages.filter((page) => sameOriginUrl(page, origin)));
      pending.push(...sitemap.sitemaps.filter((nested) => sameOriginUrl(nested, origin)));
    } catch (error) {
      // A missing or broken sitemap only means fewer seeds.
      if (!(error instanceof IngestError)) throw error;
    }
  }
  return pages.slice(0, limit);
}

/** The URL without its fragment when it is http(s) on `origin`, else null. */
function sameOriginUrl(url: string, origin: string): string | null {
  try {
    const parsed = new URL(url);
    if (parsed.origin !== origin) return null;
    parsed.hash = '';
    return parsed.toString();
  } catch {
    return null;
  }
}
