import mammoth from 'mammoth';
import type { ParsedDocument } from '../document';
import { IngestError, KnowledgeErrorCode } from '../errors';
import { parseHtml } from './html';

/**
 * DOCX through mammoth, which maps Word's heading styles to <h1>…<h6> (and lists, tables) in
 * clean HTML; our HTML sectioner then keeps the heading path of every paragraph.
 */
export async function parseDocx(bytes: Uint8Array): Promise<ParsedDocument> {
  let html: string;
  try {
    html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) })).value;
  } catch (error) {
    throw new IngestError(KnowledgeErrorCode.ParseFailed, `The Word document could not be read: ${(error as Error).message}`);
  }
  const parsed = parseHtml(`<!doctype html><html><body>${html}</body></html>`, { mainContent: false });
  const firstHeading = parsed.sections.find((section) => section.headings?.length)?.headings?.[0] ?? null;
  return { type: 'docx', title: firstHeading, sections: parsed.sections };
}
