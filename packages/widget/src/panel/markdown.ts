/**
 * The chat's markdown: paragraphs, line breaks, emphasis, strong, strikethrough, inline and fenced
 * code, lists (nested by indentation), quotes, headings, rules, links and bare URLs, and `[n]`
 * citation markers. Parsing yields plain data; rendering builds elements and text nodes only, so
 * model output never reaches the DOM as HTML. Links survive only with http, https or mailto URLs.
 * Half-written markdown (while an answer streams in) renders as well as it can and never throws.
 */

export type Inline =
  | { t: 'text'; v: string }
  | { t: 'br' }
  | { t: 'code'; v: string }
  | { t: 'strong' | 'em' | 'del'; c: Inline[] }
  | { t: 'link'; href: string; c: Inline[] }
  | { t: 'cite'; n: number };

export type Block =
  | { t: 'p'; c: Inline[] }
  | { t: 'h'; level: number; c: Inline[] }
  | { t: 'pre'; lang: string; v: string }
  | { t: 'list'; ordered: boolean; start: number; items: Block[][] }
  | { t: 'quote'; c: Block[] }
  | { t: 'hr' };

const SAFE_PROTOCOLS = ['http:', 'https:', 'mailto:'];

/** The URL if it is absolute http(s) or mailto, else null: `javascript:`, `data:` and relative URLs are refused. */
export function safeHref(raw: string): string | null {
  const value = raw.trim();
  // Control characters and whitespace inside a scheme are how filters get fooled; refuse them outright.
  if (!value || /[\u0000-\u001f\u007f]/.test(value)) return null;
  try {
    const url = new URL(value);
    return SAFE_PROTOCOLS.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const ITEM = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;

export function parseMarkdown(source: string, depth = 0): Block[] {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length) blocks.push({ t: 'p', c: parseInline(paragraph.join('\n')) });
    paragraph = [];
  };
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const marker = fence[1] ?? '```';
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trimStart().startsWith(marker)) body.push(lines[i++] ?? '');
      i++; // the closing fence (or past the end while an answer is still streaming)
      blocks.push({ t: 'pre', lang: fence[2] ?? '', v: body.join('\n') });
      continue;
    }
    if (!line.trim()) {
      flush();
      i++;
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ t: 'h', level: heading[1]?.length ?? 1, c: parseInline(heading[2] ?? '') });
      i++;
      continue;
    }
    if (RULE.test(line)) {
      flush();
      blocks.push({ t: 'hr' });
      i++;
      continue;
    }
    if (QUOTE.test(line) && depth < 8) {
      flush();
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i] ?? '')) body.push(QUOTE.exec(lines[i++] ?? '')?.[1] ?? '');
      blocks.push({ t: 'quote', c: parseMarkdown(body.join('\n'), depth + 1) });
      continue;
    }
    const item = ITEM.exec(line);
    if (item && depth < 8) {
      flush();
      i = parseList(lines, i, blocks, depth);
      continue;
    }
    paragraph.push(line);
    i++;
  }
  flush();
  return blocks;
}

/** A list and everything indented under its items (continuation lines, nested lists). */
function parseList(lines: string[], start: number, blocks: Block[], depth: number): number {
  const first = ITEM.exec(lines[start] ?? '');
  const indent = first?.[1]?.length ?? 0;
  const ordered = /\d/.test(first?.[2] ?? '');
  const sameList = (line: string) => {
    const item = ITEM.exec(line);
    return item !== null && (item[1]?.length ?? 0) <= indent + 1 && /\d/.test(item[2] ?? '') === ordered ? item : null;
  };
  const items: string[][] = [];
  let offset = 0;
  let i = start;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const item = sameList(line);
    if (item) {
      items.push([item[3] ?? '']);
      offset = (item[1]?.length ?? 0) + (item[2]?.length ?? 0) + 1;
      i++;
      continue;
    }
    const current = items[items.length - 1];
    if (!current) break;
    const lead = /^\s*/.exec(line)?.[0].length ?? 0;
    if (!line.trim()) {
      // A blank line continues the list only when more of it follows.
      const next = lines[i + 1] ?? '';
      if (sameList(next) || (next.trim() && (/^\s*/.exec(next)?.[0].length ?? 0) > indent)) {
        current.push('');
        i++;
        continue;
      }
      break;
    }
    const lazy = (lines[i - 1] ?? '').trim() !== '' && !ITEM.test(line) && !isBlockStart(line);
    if (lead > indent || lazy) {
      current.push(line.slice(Math.min(lead, offset)));
      i++;
      continue;
    }
    break;
  }
  blocks.push({
    t: 'list',
    ordered,
    start: ordered ? parseInt(first?.[2] ?? '1', 10) || 1 : 1,
    items: items.map((body) => parseMarkdown(body.join('\n'), depth + 1)),
  });
  return i;
}

function isBlockStart(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || QUOTE.test(line) || RULE.test(line);
}

// Inline: the earliest of these wins; `[n]` citation markers and bare URLs are recognised as well.
const INLINE = /(`+)([\s\S]*?[^`])\1(?!`)|\[([^\]\n]{1,300})\]\(\s*<?((?:[^()\s<>]|\([^()\s<>]*\))*)>?(?:\s+"[^"\n]*")?\s*\)|\[(\d{1,3})\](?!\()|(\*\*|__)(?=\S)([\s\S]*?\S)\6|(\*|_)(?=[^\s*_])([\s\S]*?[^\s\\])\8(?![\w*])|~~(?=\S)([\s\S]*?\S)~~|<((?:https?|mailto):[^\s>]+)>|\b((?:https?:\/\/|www\.)[^\s<]*[^\s<.,:;"')\]!?*_~])|\\([\\`*_{}[\]()#+\-.!~>])|( {2,}|\\)\n|\n/g;

export function parseInline(source: string): Inline[] {
  const out: Inline[] = [];
  const text = (v: string) => {
    if (!v) return;
    const last = out[out.length - 1];
    if (last?.t === 'text') last.v += v;
    else out.push({ t: 'text', v });
  };
  let index = 0;
  // A fresh regex per call: parseInline recurses and the global regex keeps state.
  const pattern = new RegExp(INLINE.source, 'g');
  for (let m = pattern.exec(source); m; m = pattern.exec(source)) {
    // `_` inside words (snake_case) is not emphasis.
    if (m[8] === '_' && /\w/.test(source[m.index - 1] ?? '')) {
      pattern.lastIndex = m.index + 1;
      continue;
    }
    text(source.slice(index, m.index));
    index = m.index + m[0].length;
    if (m[1] !== undefined) out.push({ t: 'code', v: (m[2] ?? '').replace(/^ (.*) $/, '$1') });
    else if (m[3] !== undefined) {
      const href = safeHref(m[4] ?? '');
      const children = parseInline(m[3]);
      if (href) out.push({ t: 'link', href, c: children });
      else for (const child of children) child.t === 'text' ? text(child.v) : out.push(child);
    } else if (m[5] !== undefined) out.push({ t: 'cite', n: Number(m[5]) });
    else if (m[6] !== undefined) out.push({ t: 'strong', c: parseInline(m[7] ?? '') });
    else if (m[8] !== undefined) out.push({ t: 'em', c: parseInline(m[9] ?? '') });
    else if (m[10] !== undefined) out.push({ t: 'del', c: parseInline(m[10]) });
    else if (m[11] !== undefined || m[12] !== undefined) {
      const raw = m[11] ?? m[12] ?? '';
      const href = safeHref(raw.startsWith('www.') ? `https://${raw}` : raw);
      if (href) out.push({ t: 'link', href, c: [{ t: 'text', v: raw }] });
      else text(m[0]);
    } else if (m[13] !== undefined) text(m[13]);
    else out.push({ t: 'br' });
  }
  text(source.slice(index));
  return out;
}

/** Citation numbers the renderer may turn into references (others stay plain text). */
export interface RenderOptions {
  cite?: (n: number) => Node | null;
}

export function renderMarkdown(source: string, options: RenderOptions = {}): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(source)) fragment.append(renderBlock(block, options));
  return fragment;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, children: (Node | string)[] = [], className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children);
  return node;
}

function renderBlock(block: Block, options: RenderOptions): Node {
  switch (block.t) {
    case 'p':
      return el('p', renderInlines(block.c, options));
    case 'h':
      // Not <h*>: headings inside one chat message would break the page's outline for screen readers.
      return el('p', [el('strong', renderInlines(block.c, options))], `h h${block.level}`);
    case 'pre': {
      const code = el('code', [block.v]);
      if (/^[\w+-]+$/.test(block.lang)) code.dataset.lang = block.lang;
      const pre = el('pre', [code]);
      pre.tabIndex = 0;
      return pre;
    }
    case 'list': {
      const list = el(block.ordered ? 'ol' : 'ul', block.items.map((item) => el('li', item.map((b) => renderBlock(b, options)))));
      if (block.ordered && block.start !== 1) list.setAttribute('start', String(block.start));
      return list;
    }
    case 'quote':
      return el('blockquote', block.c.map((b) => renderBlock(b, options)));
    case 'hr':
      return el('hr');
  }
}

function renderInlines(inlines: Inline[], options: RenderOptions): (Node | string)[] {
  return inlines.map((inline) => renderInline(inline, options));
}

function renderInline(inline: Inline, options: RenderOptions): Node | string {
  switch (inline.t) {
    case 'text':
      return inline.v;
    case 'br':
      return el('br');
    case 'code':
      return el('code', [inline.v]);
    case 'strong':
    case 'em':
    case 'del':
      return el(inline.t === 'strong' ? 'strong' : inline.t === 'em' ? 'em' : 'del', renderInlines(inline.c, options));
    case 'link': {
      const a = el('a', renderInlines(inline.c, options));
      a.href = inline.href;
      a.target = '_blank';
      a.rel = 'noopener noreferrer nofollow ugc';
      return a;
    }
    case 'cite':
      return options.cite?.(inline.n) ?? `[${inline.n}]`;
  }
}
