import { Readability } from '@mozilla/readability';

// linkedom ships a CommonJS build but ESM-only type declarations: required, typed from the ESM side.
type Linkedom = typeof import('linkedom', { with: { 'resolution-mode': 'import' } });
const { parseHTML } = require('linkedom') as Linkedom;
import type { ParsedDocument, Section } from '../document';
import { tidyText } from './text';

/** Elements whose text is never content. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'head', 'button', 'select', 'form']);
/** Page chrome: removed before Readability looks for the article, and again from the fallback body. */
const CHROME = 'nav, footer, aside, [role="navigation"], [role="banner"], [role="contentinfo"], [aria-hidden="true"], .navbar, .sidebar, .breadcrumb, #cookie-banner';
const PARAGRAPH = new Set(['p', 'blockquote', 'pre', 'table', 'ul', 'ol', 'dl', 'figure', 'section', 'article', 'main', 'hr']);
const LINE = new Set(['div', 'li', 'tr', 'br', 'dt', 'dd', 'figcaption', 'caption', 'address']);

// linkedom's DOM is typed loosely; these are the few node shapes the walker reads.
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
  getAttribute?(name: string): string | null;
}

interface ParseHtmlOptions {
  /** The page's address: resolves relative links; pages without one yield no links. */
  url?: string;
  /**
   * Find the main content with Readability (Firefox's reader view) and drop navigation chrome: right
   * for web pages, wrong for HTML we produced ourselves from a DOCX (every paragraph is content).
   */
  mainContent?: boolean;
}

/** An HTML document: its main content as sections under their heading path, its title and links. */
export function parseHtml(source: string, options: ParseHtmlOptions = {}): ParsedDocument {
  const html = asDocument(source);
  const { document } = parseHTML(html);
  const title = pageTitle(document);
  const links = options.url ? extractLinks(document, options.url) : [];
  let root: DomNode | null = null;
  if (options.mainContent !== false) {
    root = readableContent(html, options.url);
    if (!root) {
      removeChrome(document);
      root = (document.querySelector('main') ?? document.querySelector('article') ?? document.body) as unknown as DomNode | null;
    }
  } else {
    root = document.body as unknown as DomNode | null;
  }
  const sections = root ? sectionsOf(root) : [];
  return { type: 'html', title, sections, ...(options.url ? { links } : {}) };
}

function readableContent(html: string, url: string | undefined): DomNode | null {
  // Readability rewrites the document it is given: it gets a copy of its own.
  const { document } = parseHTML(html);
  if (url) setDocumentUrl(document, url);
  // Readability scores blocks by their text and class names; a plain <nav> full of links can win.
  removeChrome(document);
  let article: { content?: string | null } | null = null;
  try {
    article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0], { charThreshold: 200, keepClasses: false }).parse();
  } catch {
    return null;
  }
  if (!article?.content) return null;
  const content = parseHTML(`<!doctype html><html><body>${article.content}</body></html>`).document.body as unknown as DomNode | null;
  return content && (content.textContent ?? '').trim().length > 0 ? content : null;
}

/** linkedom builds a broken tree from a fragment: give it a whole document. */
function asDocument(source: string): string {
  if (/<html[\s>]/i.test(source)) return source;
  return `<!doctype html><html>${/<body[\s>]/i.test(source) ? source : `<body>${source}</body>`}</html>`;
}

/** Site chrome, and page headers that are not an article's own header. */
function removeChrome(document: ReturnType<typeof parseHTML>['document']): void {
  for (const element of document.querySelectorAll(CHROME)) element.remove();
  for (const header of document.querySelectorAll('header')) {
    if (!header.closest('article, main')) header.remove();
  }
}

/** Readability resolves relative URLs against documentURI/baseURI, which linkedom leaves empty. */
function setDocumentUrl(document: object, url: string): void {
  for (const property of ['documentURI', 'baseURI', 'URL']) {
    try {
      Object.defineProperty(document, property, { value: url, configurable: true });
    } catch {
      // Not redefinable in this DOM: relative links stay relative, which is harmless here.
    }
  }
}

function pageTitle(document: ReturnType<typeof parseHTML>['document']): string | null {
  const candidates = [
    document.querySelector('title')?.textContent,
    document.querySelector('meta[property="og:title"]')?.getAttribute('content'),
    document.querySelector('h1')?.textContent,
  ];
  for (const candidate of candidates) {
    const text = candidate?.replace(/\s+/g, ' ').trim();
    if (text) return text.slice(0, 300);
  }
  return null;
}

function extractLinks(document: ReturnType<typeof parseHTML>['document'], pageUrl: string): string[] {
  const base = document.querySelector('base[href]')?.getAttribute('href');
  let baseUrl: URL;
  try {
    baseUrl = new URL(base ?? pageUrl, pageUrl);
  } catch {
    return [];
  }
  const links = new Set<string>();
  for (const anchor of document.querySelectorAll('a[href]')) {
    const rel = anchor.getAttribute('rel') ?? '';
    if (/\bnofollow\b/i.test(rel)) continue;
    try {
      const target = new URL(anchor.getAttribute('href') ?? '', baseUrl);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') continue;
      target.hash = '';
      links.add(target.toString());
    } catch {
      // Unparseable href: skip.
    }
  }
  return [...links];
}

/**
 * Walks the content in document order: text accumulates into the current section; each heading
 * closes it and opens a new one under the updated heading path (h2 under the last h1, and so on).
 */
export function sectionsOf(root: DomNode): Section[] {
  const sections: Section[] = [];
  const path: { level: number; text: string }[] = [];
  let buffer = '';

  const flush = () => {
    const text = tidyText(buffer);
    buffer = '';
    if (text) sections.push({ text, ...(path.length ? { headings: path.map((h) => h.text) } : {}) });
  };

  /** Ends the current line (or paragraph) unless it already ended; spaces before the break go. */
  const breakTo = (ending: '\n' | '\n\n') => {
    buffer = buffer.replace(/[ \t]+$/, '');
    if (!buffer.endsWith(ending)) buffer += buffer.endsWith('\n') ? '\n' : ending;
  };

  const walk = (node: DomNode, inPre: boolean) => {
    if (node.nodeType === 3) {
      const text = node.textContent ?? '';
      buffer += inPre ? text : text.replace(/\s+/g, ' ');
      return;
    }
    if (node.nodeType !== 1) return;
    const tag = node.nodeName.toLowerCase();
    if (SKIPPED.has(tag)) return;
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      const text = (node.textContent ?? '').replace(/\s+/g, ' ').trim();
      if (!text) return;
      flush();
      const level = Number(heading[1]);
      while (path.length && (path[path.length - 1]?.level ?? 0) >= level) path.pop();
      path.push({ level, text });
      return;
    }
    if (PARAGRAPH.has(tag)) breakTo('\n\n');
    else if (LINE.has(tag)) breakTo('\n');
    if (tag === 'li') buffer += '- ';
    if ((tag === 'td' || tag === 'th') && !buffer.endsWith('\n')) buffer += ' | ';
    const children = node.childNodes;
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (child) walk(child, inPre || tag === 'pre');
    }
    if (PARAGRAPH.has(tag)) breakTo('\n\n');
    else if (LINE.has(tag) && tag !== 'br') breakTo('\n');
  };

  walk(root, false);
  flush();
  return sections;
}
