import { RecursiveCharacterTextSplitter } from '@langchain/textsplitters';
import type { ChunkDraft, ChunkMetadata, ParsedDocument, Section } from '../document';
import { countTokens } from './tokens';

export interface ChunkingOptions {
  /** Largest chunk, in tokens. */
  chunkTokens: number;
  /** Tokens repeated between consecutive chunks of one section, so a sentence cut in two is found either way. */
  overlapTokens: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = { chunkTokens: 400, overlapTokens: 60 };

export interface ChunkContext {
  /** The source's title (file name, page title), stored on chunks and put in front of the embedded text. */
  title?: string | null;
  /** The page a web source came from. */
  url?: string | null;
}

/**
 * Chunks with LangChain's RecursiveCharacterTextSplitter (paragraphs, then lines, sentences, words),
 * measured in tokens. Chunks never cross a section, so each keeps an exact page, heading path or row
 * range. CSV rows are packed whole into chunks instead, never cut, unless one row alone is too long.
 */
export async function chunkDocument(document: ParsedDocument, options: ChunkingOptions = DEFAULT_CHUNKING, context: ChunkContext = {}): Promise<ChunkDraft[]> {
  const prose = splitter(options, false);
  const markdown = splitter(options, true);
  const drafts: Omit<ChunkDraft, 'ordinal'>[] = [];
  const title = context.title ?? document.title ?? undefined;
  const base = { type: document.type, ...(title ? { title } : {}), ...(context.url ? { url: context.url } : {}) };

  if (document.type === 'csv') {
    for (const group of packRows(document.sections, options.chunkTokens)) {
      const first = group.rows[0];
      const last = group.rows[group.rows.length - 1];
      if (!first || !last) continue;
      const metadata: ChunkMetadata = { ...base, rows: { from: first.row ?? 0, to: last.row ?? 0 }, section: group.index };
      if (group.tokens <= options.chunkTokens) {
        drafts.push(draft(group.rows.map((row) => row.text).join('\n'), group.tokens, metadata));
      } else {
        // One row longer than a chunk: split it like prose.
        for (const piece of await prose.splitText(first.text)) drafts.push(draft(piece, countTokens(piece), metadata));
      }
    }
  } else {
    for (const [index, section] of document.sections.entries()) {
      const pieces = await (section.markdown ? markdown : prose).splitText(section.text);
      let searchFrom = 0;
      for (const piece of pieces) {
        const offset = section.text.indexOf(piece, searchFrom);
        if (offset >= 0) searchFrom = offset + 1;
        const heading = section.headings?.[section.headings.length - 1];
        const metadata: ChunkMetadata = {
          ...base,
          ...(section.page !== undefined ? { page: section.page } : {}),
          ...(heading ? { heading, headings: section.headings } : {}),
          section: index,
          ...(offset >= 0 ? { offset } : {}),
        };
        drafts.push(draft(piece, countTokens(piece), metadata));
      }
    }
  }
  return drafts.filter((chunk) => chunk.content.trim().length > 0).map((chunk, ordinal) => ({ ordinal, ...chunk }));
}

/**
 * The splitter adds up the token counts of the pieces it joins, and a join can tokenize a token or two
 * longer than its parts: asking for 3% less keeps every chunk within `chunkTokens`.
 */
function splitter(options: ChunkingOptions, markdown: boolean): RecursiveCharacterTextSplitter {
  return new RecursiveCharacterTextSplitter({
    chunkSize: Math.max(8, Math.floor(options.chunkTokens * 0.97)),
    chunkOverlap: Math.min(options.overlapTokens, Math.floor(options.chunkTokens / 2)),
    lengthFunction: countTokens,
    ...(markdown ? { separators: RecursiveCharacterTextSplitter.getSeparatorsForLanguage('markdown') } : {}),
  });
}

function draft(content: string, tokenCount: number, metadata: ChunkMetadata): Omit<ChunkDraft, 'ordinal'> {
  return { content, tokenCount, metadata, embeddingText: embeddingText(content, metadata) };
}

/**
 * What is embedded for a chunk: "Title › Heading › Subheading" on the first line, then the passage.
 * Re-embedding stored chunks (a model change) rebuilds it from their content and metadata.
 */
export function embeddingText(content: string, metadata: { title?: string; headings?: string[] }): string {
  const context = [metadata.title, ...(metadata.headings ?? [])].filter((part): part is string => Boolean(part));
  return context.length ? `${context.join(' › ')}\n\n${content}` : content;
}

interface RowGroup {
  index: number;
  rows: Section[];
  tokens: number;
}

function packRows(rows: Section[], budget: number): RowGroup[] {
  const groups: RowGroup[] = [];
  let current: RowGroup | null = null;
  rows.forEach((row, index) => {
    const tokens = countTokens(row.text) + 1;
    if (current && current.tokens + tokens <= budget) {
      current.rows.push(row);
      current.tokens += tokens;
      return;
    }
    current = { index, rows: [row], tokens };
    groups.push(current);
  });
  return groups;
}
