import { extname } from 'node:path';
import type { DocumentType } from './document';
import { IngestError, KnowledgeErrorCode } from './errors';

const EXTENSIONS: Record<string, DocumentType> = {
  '.pdf': 'pdf',
  '.docx': 'docx',
  '.csv': 'csv',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.text': 'text',
};

const MIME_TYPES: Record<string, DocumentType> = {
  'application/pdf': 'pdf',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
  'text/csv': 'csv',
  'application/csv': 'csv',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/plain': 'text',
};

/** Formats we refuse by their first bytes, named so the message says what the file really is. */
const KNOWN_BINARIES: { magic: number[]; name: string }[] = [
  { magic: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], name: 'a legacy Office file (.doc/.xls/.ppt) or a password-protected Office file' },
  { magic: [0x89, 0x50, 0x4e, 0x47], name: 'a PNG image' },
  { magic: [0xff, 0xd8, 0xff], name: 'a JPEG image' },
  { magic: [0x47, 0x49, 0x46, 0x38], name: 'a GIF image' },
  { magic: [0x7f, 0x45, 0x4c, 0x46], name: 'an executable' },
  { magic: [0x4d, 0x5a], name: 'an executable' },
  { magic: [0x1f, 0x8b], name: 'a gzip archive' },
];

export const SUPPORTED_FORMATS = 'PDF, DOCX, CSV, TXT, Markdown and HTML';

export interface DetectInput {
  filename?: string | null;
  /** From the upload or the HTTP Content-Type header; parameters (charset) are ignored. */
  mimeType?: string | null;
}

/**
 * The document's type from its first bytes, then its declared content type, then its file name.
 * Bytes win: a PNG renamed to .pdf is refused as a PNG, a PDF served as octet-stream is read.
 */
export function detectType(bytes: Uint8Array, input: DetectInput = {}): DocumentType {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'pdf'; // %PDF-
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    // A zip: DOCX when it holds word/document.xml (zip entry names are stored as plain text).
    if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes('word/document.xml')) return 'docx';
    throw unsupported(`a zip archive that is not a Word document${describeName(input.filename)}`);
  }
  const binary = KNOWN_BINARIES.find((known) => startsWith(bytes, known.magic));
  if (binary) throw unsupported(`${binary.name}${describeName(input.filename)}`);
  if (looksBinary(bytes)) throw unsupported(`binary data${describeName(input.filename)}`);

  const mime = input.mimeType?.split(';')[0]?.trim().toLowerCase();
  const byMime = mime ? MIME_TYPES[mime] : undefined;
  const extension = input.filename ? extname(input.filename).toLowerCase() : '';
  const byName = EXTENSIONS[extension];
  // Generic declarations (text/plain, or none) defer to a more specific file name.
  const declared = byMime && byMime !== 'text' ? byMime : (byName ?? byMime);
  if (declared === 'pdf' || declared === 'docx') {
    throw new IngestError(KnowledgeErrorCode.ParseFailed, `The file claims to be ${declared.toUpperCase()} but its content is not; it may be damaged`);
  }
  if (declared) return declared;
  if (!extension && (!mime || mime === 'application/octet-stream') && /^\s*(<!doctype html|<html)/i.test(headText(bytes))) return 'html';
  if (!extension && !mime) return 'text';
  throw unsupported(`${extension ? `"${extension}" files` : `content of type ${mime}`}`);
}

function unsupported(what: string): IngestError {
  return new IngestError(KnowledgeErrorCode.UnsupportedType, `Unsupported file type: ${what}. Supported: ${SUPPORTED_FORMATS}`);
}

function describeName(filename: string | null | undefined): string {
  return filename ? ` (${filename})` : '';
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return bytes.length >= magic.length && magic.every((byte, i) => bytes[i] === byte);
}

/** NUL bytes in the first 8 KiB mean binary (UTF-16 text is rare enough to refuse too). */
function looksBinary(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 8192);
  for (let i = 0; i < end; i++) if (bytes[i] === 0) return true;
  return false;
}

function headText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 512)).toString('latin1');
}
