import MarkdownIt from 'markdown-it';
import type { ParsedDocument, Section } from '../document';
import { tidyText } from './text';

const markdown = new MarkdownIt({ html: true });
const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/;

/**
 * Markdown split at its headings (ATX `#` and setext underlines alike, never a `#` inside a code
 * fence: markdown-it's block parser decides what is a heading). Section text keeps its Markdown.
 */
export function parseMarkdown(source: string): ParsedDocument {
  let body = source.replace(/\r\n?/g, '\n');
  let title: string | null = null;
  const front = FRONT_MATTER.exec(body);
  if (front) {
    title = /^title:\s*["']?(.+?)["']?\s*$/m.exec(front[1] ?? '')?.[1] ?? null;
    body = body.slice(front[0].length);
  }
  const lines = body.split('\n');
  const tokens = markdown.parse(body, {});
  const headings: { level: number; text: string; start: number; end: number }[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token?.type !== 'heading_open' || !token.map || token.level !== 0) continue;
    const text = (tokens[i + 1]?.content ?? '').replace(/\s+/g, ' ').trim();
    headings.push({ level: Number(token.tag.slice(1)), text, start: token.map[0], end: token.map[1] });
  }

  const sections: Section[] = [];
  const path: { level: number; text: string }[] = [];
  const push = (from: number, to: number) => {
    const text = tidyText(lines.slice(from, to).join('\n'));
    if (text) sections.push({ text, markdown: true, ...(path.length ? { headings: path.map((h) => h.text) } : {}) });
  };
  let cursor = 0;
  for (const heading of headings) {
    push(cursor, heading.start);
    while (path.length && (path[path.length - 1]?.level ?? 0) >= heading.level) path.pop();
    if (heading.text) path.push({ level: heading.level, text: heading.text });
    cursor = heading.end;
  }
  push(cursor, lines.length);
  title ??= headings.find((h) => h.level === 1)?.text ?? null;
  return { type: 'markdown', title, sections };
}
