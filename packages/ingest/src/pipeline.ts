import { chunkDocument, type ChunkingOptions } from './chunking/chunker';
import { detectType } from './detect';
import type { ChunkDraft, DocumentType } from './document';
import { IngestError, KnowledgeErrorCode } from './errors';
import { parseDocument } from './parsers';

export interface ParseTask {
  bytes: Uint8Array;
  filename?: string | null;
  /** Declared type (upload, or HTTP Content-Type with its charset). */
  mimeType?: string | null;
  /** For web pages: resolves links, stored on chunks. */
  url?: string | null;
  /** The source's own title (file name); the document's title wins when it has one. */
  title?: string | null;
  chunking: ChunkingOptions;
}

export interface ParseResult {
  type: DocumentType;
  /** The document's own title, when it has one. */
  title: string | null;
  pageCount: number | null;
  chunks: ChunkDraft[];
  /** Links of an HTML page (for crawling). */
  links: string[];
}

/** Detects the type, parses and chunks; refuses documents without any text (EMPTY_DOCUMENT). */
export async function parseAndChunk(task: ParseTask): Promise<ParseResult> {
  const type = detectType(task.bytes, { filename: task.filename ?? null, mimeType: task.mimeType ?? null });
  const charset = /charset=([^;]+)/i.exec(task.mimeType ?? '')?.[1]?.trim().replace(/^"|"$/g, '') ?? null;
  const document = await parseDocument(task.bytes, type, { ...(task.url ? { url: task.url } : {}), charset });
  const title = document.title ?? task.title ?? null;
  const chunks = await chunkDocument(document, task.chunking, { title, url: task.url ?? null });
  if (chunks.length === 0) {
    const hint = type === 'pdf' ? ' (a scanned PDF holds images, not text; text recognition is not supported)' : '';
    throw new IngestError(KnowledgeErrorCode.EmptyDocument, `No text was found in the document${hint}`);
  }
  return { type, title: document.title, pageCount: document.pageCount ?? null, chunks, links: document.links ?? [] };
}
