import type { DocumentType, ParsedDocument } from '../document';
import { parseCsv } from './csv';
import { parseDocx } from './docx';
import { parseHtml } from './html';
import { parseMarkdown } from './markdown';
import { parsePdf } from './pdf';
import { decodeText, parseText } from './text';

export interface ParseOptions {
  /** Where the bytes came from (web pages): resolves links and is stored on chunks. */
  url?: string;
  /** Charset from the HTTP Content-Type header. */
  charset?: string | null;
}

/** Bytes of a known type to sections. Throws IngestError for damaged or encrypted documents. */
export async function parseDocument(bytes: Uint8Array, type: DocumentType, options: ParseOptions = {}): Promise<ParsedDocument> {
  switch (type) {
    case 'pdf':
      return parsePdf(bytes);
    case 'docx':
      return parseDocx(bytes);
    case 'csv':
      return parseCsv(decodeText(bytes, options.charset));
    case 'html':
      return parseHtml(decodeText(bytes, options.charset ?? htmlCharset(bytes)), { ...(options.url ? { url: options.url } : {}), mainContent: true });
    case 'markdown':
      return parseMarkdown(decodeText(bytes, options.charset));
    case 'text':
      return parseText(decodeText(bytes, options.charset));
  }
}

/** `<meta charset>` in the first KiB, for pages served without a charset. */
function htmlCharset(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1');
  return /<meta[^>]+charset=["']?([\w-]+)/i.exec(head)?.[1] ?? null;
}

export { decodeText, tidyText } from './text';
export { parseCsv } from './csv';
export { parseDocx } from './docx';
export { parseHtml, sectionsOf } from './html';
export { parseMarkdown } from './markdown';
export { parsePdf } from './pdf';
