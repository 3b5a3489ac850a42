import type { ParsedDocument, Section } from '../document';
import { IngestError, KnowledgeErrorCode } from '../errors';
import { tidyText } from './text';

type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs', { with: { 'resolution-mode': 'import' } });

let pdfjs: Pdfjs | undefined;

/**
 * pdf.js (Mozilla's PDF engine, the one Firefox renders with) is ESM-only; Node ≥ 20.19 loads it
 * with require(). Its legacy build is the one meant for Node. Jest's module system cannot load it,
 * which is one reason parsing runs in a worker thread (see sandbox/).
 */
function loadPdfjs(): Pdfjs {
  pdfjs ??= require('pdfjs-dist/legacy/build/pdf.mjs') as Pdfjs;
  return pdfjs;
}

interface TextItem {
  str: string;
  hasEOL: boolean;
  transform: number[];
  width: number;
  height: number;
}

function isTextItem(item: object): item is TextItem {
  return 'str' in item;
}

/** A PDF as one section per page, so every chunk knows its page number. */
export async function parsePdf(bytes: Uint8Array): Promise<ParsedDocument> {
  const lib = loadPdfjs();
  const task = lib.getDocument({
    data: new Uint8Array(bytes),
    // Never compile fonts to JavaScript (CVE-2024-4367 class of bugs); we only read text.
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    verbosity: 0,
  });
  let document: Awaited<typeof task.promise>;
  try {
    document = await task.promise;
  } catch (error) {
    const name = (error as { name?: string } | null)?.name;
    if (name === 'PasswordException') {
      throw new IngestError(KnowledgeErrorCode.EncryptedPdf, 'The PDF is password-protected; upload a copy without a password');
    }
    throw new IngestError(KnowledgeErrorCode.ParseFailed, `The PDF could not be read: ${(error as Error).message}`);
  }
  try {
    const info = (await document.getMetadata().catch(() => null))?.info as { Title?: unknown } | undefined;
    const title = typeof info?.Title === 'string' && info.Title.trim() ? info.Title.trim() : null;
    const sections: Section[] = [];
    for (let number = 1; number <= document.numPages; number++) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      const text = tidyText(itemsToText((content.items as object[]).filter(isTextItem)));
      if (text) sections.push({ text, page: number });
      page.cleanup();
    }
    return { type: 'pdf', title, sections, pageCount: document.numPages };
  } finally {
    await document.destroy();
  }
}

/**
 * Text items in reading order: a new line where pdf.js marks one or the baseline moves, a space
 * where the gap between two items is wider than a fraction of the font size.
 */
function itemsToText(items: TextItem[]): string {
  let text = '';
  let lastY: number | null = null;
  let lastEnd = 0;
  for (const item of items) {
    const x = item.transform[4] ?? 0;
    const y = item.transform[5] ?? 0;
    const size = Math.abs(item.height) || Math.abs(item.transform[3] ?? 0) || 10;
    if (lastY !== null && !text.endsWith('\n')) {
      if (Math.abs(y - lastY) > size * 0.5) text += '\n';
      else if (x - lastEnd > size * 0.15 && !/\s$/.test(text) && !/^\s/.test(item.str)) text += ' ';
    }
    text += item.str;
    if (item.hasEOL) text += '\n';
    lastY = y;
    lastEnd = x + item.width;
  }
  return text;
}
