import { HANDBOOK_DOCX, GUIDE_MARKDOWN, NAV_WORDS, PRICING_CSV, htmlPageWithNav, makeDocx } from '../fixtures';
import { detectType } from '../detect';
import { IngestError } from '../errors';
import { parseCsv, parseDocx, parseHtml, parseMarkdown, decodeText } from './index';

describe('HTML', () => {
  it('keeps the article under its headings and drops navigation, header, sidebar and footer', () => {
    const document = parseHtml(htmlPageWithNav(), { url: 'https://shop.example/shipping' });
    const text = document.sections.map((s) => s.text).join('\n');
    expect(document.title).toBe('Shipping policy · Example Store');
    expect(text).toContain('Orders placed before noon');
    for (const word of NAV_WORDS) expect(text).not.toContain(word);
    expect(text).not.toContain('window.analytics');
    const returns = document.sections.find((s) => s.text.startsWith('Unused items'));
    expect(returns?.headings).toEqual(['Returns']);
  });

  it('lists absolute links of the whole page, navigation included, for crawling', () => {
    const document = parseHtml(htmlPageWithNav({ links: ['/pricing', 'careers#jobs', 'mailto:x@example.com'] }), { url: 'https://shop.example/help/' });
    expect(document.links).toEqual(expect.arrayContaining(['https://shop.example/pricing', 'https://shop.example/help/careers', 'https://shop.example/legal']));
    expect(document.links?.some((link) => link.startsWith('mailto:'))).toBe(false);
  });

  it('falls back to the body without chrome when there is no article to find', () => {
    const html = '<html><body><nav>Menuzz</nav><div><h2>Opening hours</h2><p>Open daily.</p></div><footer>Footzz</footer></body></html>';
    const document = parseHtml(html, { url: 'https://a.example/' });
    const text = document.sections.map((s) => s.text).join('\n');
    expect(text).toContain('Open daily.');
    expect(text).not.toContain('Menuzz');
    expect(text).not.toContain('Footzz');
  });

  it('writes tables row by row and lists as items', () => {
    const document = parseHtml('<body><ul><li>one</li><li>two</li></ul><table><tr><th>Plan</th><th>Price</th></tr><tr><td>Team</td><td>29</td></tr></table></body>', { mainContent: false });
    expect(document.sections[0]?.text).toBe('- one\n- two\n\nPlan | Price\nTeam | 29');
  });
});

describe('Markdown', () => {
  it('splits at ATX and setext headings with their path, never at a # inside a code block', () => {
    const document = parseMarkdown(GUIDE_MARKDOWN);
    expect(document.title).toBe('Widget Installation Guide');
    expect(document.sections.map((s) => s.headings ?? [])).toEqual([[], ['Installing the widget'], ['Installing the widget', 'Allowed origins'], ['Installing the widget', 'Theming']]);
    expect(document.sections[2]?.text).toContain('# not a heading: a comment inside a code block');
    expect(document.sections.every((s) => s.markdown)).toBe(true);
  });
});

describe('CSV', () => {
  it('writes every row with its headers, quoted commas intact, numbered from the first data row', () => {
    const document = parseCsv(PRICING_CSV);
    expect(document.sections).toHaveLength(4);
    expect(document.sections[1]).toEqual({ text: 'Plan: Team | Monthly price: 29 USD | Seats: 10 | Storage: 100 GB', row: 2 });
    expect(document.sections[3]?.text).toContain('Monthly price: Custom, billed yearly');
  });

  it('detects semicolon and tab delimiters and skips empty cells', () => {
    expect(parseCsv('Name;City\nAda;London\nLin;').sections.map((s) => s.text)).toEqual(['Name: Ada | City: London', 'Name: Lin']);
    expect(parseCsv('a\tb\n1\t2').sections[0]?.text).toBe('a: 1 | b: 2');
  });

  it('refuses a CSV with an unclosed quote, saying why', () => {
    expect(() => parseCsv('a,b\n"1,2\n3,4')).toThrow(expect.objectContaining({ code: 'PARSE_FAILED' }));
  });
});

describe('DOCX', () => {
  it('keeps Word heading styles as the heading path of each paragraph', async () => {
    const document = await parseDocx(await makeDocx(HANDBOOK_DOCX));
    expect(document.title).toBe('Employee Guide');
    const expenses = document.sections.find((s) => s.text.includes('Submit receipts'));
    expect(expenses?.headings).toEqual(['Employee Guide', 'Travel', 'Expenses']);
    const equipment = document.sections.find((s) => s.text.includes('laptop'));
    expect(equipment?.headings).toEqual(['Employee Guide', 'Equipment']);
  });

  it('refuses a damaged Word file', async () => {
    const bytes = await makeDocx(HANDBOOK_DOCX);
    await expect(parseDocx(bytes.slice(0, 600))).rejects.toMatchObject({ code: 'PARSE_FAILED' });
  });
});

describe('text decoding', () => {
  it('reads UTF-8 with a BOM, and Windows-1252 when the bytes are not UTF-8', () => {
    expect(decodeText(Buffer.from('\ufeffcafé', 'utf8'))).toBe('café');
    expect(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9]))).toBe('café');
  });
});

describe('detectType', () => {
  it('trusts the bytes over the name', async () => {
    expect(detectType(Buffer.from('%PDF-1.7 ...'), { filename: 'report.bin' })).toBe('pdf');
    expect(detectType(await makeDocx(HANDBOOK_DOCX), { filename: 'x' })).toBe('docx');
    expect(() => detectType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), { filename: 'photo.pdf' })).toThrow(/PNG image/);
  });

  it('uses the declared type or extension for text formats', () => {
    expect(detectType(Buffer.from('a,b'), { filename: 'prices.csv' })).toBe('csv');
    expect(detectType(Buffer.from('# Hi'), { filename: 'README.md', mimeType: 'text/plain' })).toBe('markdown');
    expect(detectType(Buffer.from('<p>hi</p>'), { mimeType: 'text/html; charset=utf-8' })).toBe('html');
    expect(detectType(Buffer.from('<!DOCTYPE html><html>'), {})).toBe('html');
  });

  it('refuses unsupported types with UNSUPPORTED_TYPE and names what is supported', () => {
    const refuse = (bytes: Uint8Array, filename: string) => {
      try {
        detectType(bytes, { filename });
      } catch (error) {
        return error as IngestError;
      }
      throw new Error('not refused');
    };
    const zip = refuse(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), 'archive.zip');
    expect(zip.code).toBe('UNSUPPORTED_TYPE');
    expect(zip.message).toContain('PDF, DOCX, CSV, TXT, Markdown and HTML');
    expect(refuse(Buffer.from('{"a":1}'), 'data.json').code).toBe('UNSUPPORTED_TYPE');
    expect(refuse(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'old.doc').message).toContain('legacy Office');
    expect(refuse(Buffer.from([1, 0, 2, 0]), 'blob.txt').code).toBe('UNSUPPORTED_TYPE');
  });
});
