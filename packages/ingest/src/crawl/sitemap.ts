/** Entities that may appear in a sitemap's <loc> (the format requires escaping these five). */
const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" };

export interface Sitemap {
  /** Page URLs (<urlset>). */
  pages: string[];
  /** Nested sitemaps (<sitemapindex>). */
  sitemaps: string[];
}

/**
 * The <loc> entries of a sitemap (sitemaps.org protocol). The format is flat and fixed, so reading
 * the <loc> elements is all a parser would do.
 */
export function parseSitemap(xml: string): Sitemap {
  const locations = [...xml.matchAll(/<loc>\s*([^<]+?)\s*<\/loc>/gi)].map((match) => (match[1] ?? '').replace(/&(amp|lt|gt|quot|apos);/g, (entity) => ENTITIES[entity] ?? entity));
  return /<sitemapindex[\s>]/i.test(xml) ? { pages: [], sitemaps: locations } : { pages: locations, sitemaps: [] };
}
