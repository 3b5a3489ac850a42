import type { KnowledgePassage } from '../prompt';
import type { SearchHit } from './hybrid-search';
import { contentWords, words } from './search-terms';

/** A source an answer cites; the same shape as the wire's `TCitation` (packages/shared). A type, not an interface, so it is plain JSON to Prisma. */
export type Citation = {
  /** The number the passage had in the prompt, so `[2]` in the text is citation 2. */
  index: number;
  sourceId: string;
  title: string;
  url?: string;
  page?: number;
  snippet: string;
};

export const SNIPPET_MAX_CHARS = 280;
/** Knowledge-only answers show more of each passage: they are the whole answer. */
export const KNOWLEDGE_ONLY_SNIPPET_CHARS = 600;

/** Search hits as numbered prompt passages, best first: [1], [2] … */
export function passagesFromHits(hits: readonly SearchHit[]): KnowledgePassage[] {
  return hits.map((hit, i) => ({
    index: i + 1,
    sourceId: hit.sourceId,
    title: hit.heading && hit.heading !== hit.title ? `${hit.title} — ${hit.heading}` : hit.title,
    ...(hit.url ? { url: hit.url } : {}),
    ...(hit.page !== undefined ? { page: hit.page } : {}),
    content: hit.content,
  }));
}

function cutAtWord(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > maxChars / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/**
 * The part of a passage that best shows why it matched: from the sentence holding most of the query's
 * words, up to `maxChars`, with an ellipsis where text was left out. The start when nothing matches.
 */
export function snippetOf(content: string, query: string, maxChars = SNIPPET_MAX_CHARS): string {
  const text = content.replace(/\s+/g, ' ').trim();
  if (text.length <= maxChars) return text;
  const terms = new Set(contentWords(query));
  const sentences = text.split(/(?<=[.!?…])\s+/);
  let best = 0;
  let bestScore = 0;
  sentences.forEach((sentence, i) => {
    const score = new Set(words(sentence).filter((w) => terms.has(w))).size;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  const rest = sentences.slice(best).join(' ');
  return `${best > 0 ? '…' : ''}${cutAtWord(rest, maxChars - (best > 0 ? 1 : 0))}`;
}

export function citationFor(passage: KnowledgePassage, query: string, maxChars = SNIPPET_MAX_CHARS): Citation {
  return {
    index: passage.index,
    sourceId: passage.sourceId,
    title: passage.title,
    ...(passage.url ? { url: passage.url } : {}),
    ...(passage.page !== undefined ? { page: passage.page } : {}),
    snippet: snippetOf(passage.content, query, maxChars),
  };
}

/** `[1]`, `[2, 3]`, `[1-3]`: the citation markers the prompt asks for. */
const MARKER = /\[(\d{1,3}(?:\s*[,–-]\s*\d{1,3})*)\]/g;
/** How far back a scan restarts, so a marker split across two streamed chunks is still seen. */
const MARKER_OVERLAP = 24;

/** Passage numbers a text cites, in order of first mention. */
export function citedIndexes(text: string): number[] {
  const found: number[] = [];
  for (const match of text.matchAll(MARKER)) {
    for (const part of (match[1] ?? '').split(',')) {
      const [from, to] = part.split(/[–-]/).map((n) => Number(n.trim()));
      if (from === undefined || !Number.isInteger(from)) continue;
      const last = to !== undefined && Number.isInteger(to) && to >= from && to - from < 20 ? to : from;
      for (let i = from; i <= last; i++) if (!found.includes(i)) found.push(i);
    }
  }
  return found;
}

/**
 * Which passages an answer cites, followed while it streams. The rule: when the answer uses `[n]`
 * markers, its citations are exactly the passages it references (markers for numbers that were not
 * given are ignored); when it uses none, they are every passage it was given — the model answered
 * with them in front of it, and a reader should see where the answer could come from.
 */
export class CitationTracker {
  private readonly byIndex = new Map<number, Citation>();
  private readonly referenced: Citation[] = [];
  private scanned = 0;

  constructor(private readonly citations: readonly Citation[]) {
    for (const citation of citations) this.byIndex.set(citation.index, citation);
  }

  /** Call with the whole text so far after each chunk; returns the citations referenced for the first time. */
  update(text: string): Citation[] {
    if (this.byIndex.size === 0) return [];
    const from = Math.max(0, this.scanned - MARKER_OVERLAP);
    this.scanned = text.length;
    const fresh: Citation[] = [];
    for (const index of citedIndexes(text.slice(from))) {
      const citation = this.byIndex.get(index);
      if (citation && !this.referenced.includes(citation)) {
        this.referenced.push(citation);
        fresh.push(citation);
      }
    }
    return fresh;
  }

  /**
   * At the end of the answer: every citation it carries (see the class comment), and those among
   * them not yet returned by `update`.
   */
  finish(text: string): { all: Citation[]; fresh: Citation[] } {
    const fresh = this.update(text);
    if (this.referenced.length > 0) return { all: [...this.referenced], fresh };
    return { all: [...this.citations], fresh: [...this.citations] };
  }
}

/**
 * The answer when no model is reachable: the best passages, labelled as search results so nobody
 * mistakes them for a written answer. Numbered like citations, which carry the same numbers.
 */
export function knowledgeOnlyAnswer(citations: readonly Citation[]): string {
  const entries = citations.map((c) => {
    const where = c.page !== undefined ? ` (page ${c.page})` : '';
    return `[${c.index}] ${c.title}${where}\n${c.snippet}`;
  });
  return [
    'Search results: the AI assistant is unavailable right now, so here are the most relevant passages from the knowledge base (quoted as written, not an AI answer).',
    ...entries,
  ].join('\n\n');
}
