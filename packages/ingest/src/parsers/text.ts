import type { ParsedDocument } from '../document';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes to text: the declared charset when there is one and Node knows it, else UTF-8, else
 * Windows-1252 (what "ANSI" files from Windows editors are). A byte-order mark is dropped.
 */
export function decodeText(bytes: Uint8Array, charset?: string | null): string {
  const label = charset?.trim().toLowerCase();
  if (label && label !== 'utf-8' && label !== 'utf8') {
    try {
      return stripBom(new TextDecoder(label).decode(bytes));
    } catch {
      // Unknown label: fall through to the sniffing below.
    }
  }
  try {
    return stripBom(UTF8.decode(bytes));
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Collapses runs of blank lines and trailing spaces; keeps paragraphs. */
export function tidyText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+/g, ' ').trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** Plain text: one section, no structure to keep. */
export function parseText(text: string): ParsedDocument {
  return { type: 'text', title: null, sections: [{ text: tidyText(text) }] };
}
