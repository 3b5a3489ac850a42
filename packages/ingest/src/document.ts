import type { TChunkMetadata } from '@babble-buddy/shared';

/** The formats the parsers understand. */
export type DocumentType = TChunkMetadata['type'];

/**
 * A run of text that shares its place in the document: a PDF page, the text under one heading, or
 * one CSV row. Chunks never cross sections, so each keeps an exact page, heading path or row.
 */
export interface Section {
  text: string;
  /** 1-based PDF page. */
  page?: number;
  /** Heading path, outermost first (["Billing", "Refunds"]). */
  headings?: string[];
  /** 1-based data row of a CSV (the header row is not counted). */
  row?: number;
  /** Markdown keeps its syntax, so the splitter may prefer its boundaries (code fences, lists). */
  markdown?: boolean;
}

export interface ParsedDocument {
  type: DocumentType;
  /** From the document itself (PDF metadata, <title>, first heading); null when it has none. */
  title: string | null;
  sections: Section[];
  /** PDF pages. */
  pageCount?: number;
  /** Absolute http(s) links of an HTML page, for crawling (navigation included). */
  links?: string[];
}

/** Where a chunk comes from; stored as `chunks.metadata` and shown with citations (shared contract: ZChunkMetadata). */
export type ChunkMetadata = TChunkMetadata;

export interface ChunkDraft {
  ordinal: number;
  content: string;
  tokenCount: number;
  metadata: ChunkMetadata;
  /** What gets embedded: the content with its title and heading path in front, so short passages keep their context. */
  embeddingText: string;
}
