import robotsParser from 'robots-parser';
import { IngestError, KnowledgeErrorCode } from '../errors';
import type { FetchedResource } from '../fetch/safe-fetch';

export interface Robots {
  isAllowed(url: string): boolean;
  /** Seconds between requests the site asks for, if any. */
  crawlDelaySeconds(): number | undefined;
  sitemaps(): string[];
}

const ALLOW_ALL: Robots = { isAllowed: () => true, crawlDelaySeconds: () => undefined, sitemaps: () => [] };

/**
 * The site's robots.txt rules for our user agent (robots-parser implements the RFC 9309 matching
 * rules, wildcards and group selection). No robots.txt (4xx) allows everything; one that cannot be
 * read (5xx, network error) stops the crawl for now, as search engines do, and the job retries.
 */
export async function loadRobots(origin: string, userAgent: string, fetch: (url: string) => Promise<FetchedResource>): Promise<Robots> {
  const robotsUrl = `${origin}/robots.txt`;
  let resource: FetchedResource;
  try {
    resource = await fetch(robotsUrl);
  } catch (error) {
    if (error instanceof IngestError && error.code === KnowledgeErrorCode.UrlUnreachable) {
      throw new IngestError(KnowledgeErrorCode.UrlUnreachable, `${robotsUrl} could not be read (${error.message}); the crawl waits until it can`, { retryable: true });
    }
    throw error;
  }
  if (resource.status >= 400 && resource.status < 500) return ALLOW_ALL;
  if (resource.status < 200 || resource.status >= 300) {
    throw new IngestError(KnowledgeErrorCode.UrlUnreachable, `${robotsUrl} answered HTTP ${resource.status}; the crawl waits until it can be read`, { retryable: true });
  }
  const parsed = robotsParser(robotsUrl, resource.bytes.toString('utf8')) as {
    isAllowed(url: string, ua?: string): boolean | undefined;
    getCrawlDelay(ua?: string): number | undefined;
    getSitemaps(): string[];
  };
  const agent = userAgent.split('/')[0] ?? userAgent;
  return {
    isAllowed: (url) => parsed.isAllowed(url, agent) !== false,
    crawlDelaySeconds: () => parsed.getCrawlDelay(agent),
    sitemaps: () => parsed.getSitemaps(),
  };
}
