import { parseInline, parseMarkdown, safeHref, type Block, type Inline } from './markdown';

const text = (v: string): Inline => ({ t: 'text', v });
const p = (...c: Inline[]): Block => ({ t: 'p', c });

describe('safeHref', () => {
  it.each(['https://acme.example/a?b=1#c', 'http://localhost:3000/x', 'mailto:help@acme.example'])('keeps %s', (url) => {
    expect(safeHref(url)).toBe(new URL(url).href);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    '  javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'javascript&colon;alert(1)',
    'vbscript:msgbox(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    '/relative/path',
    '//evil.example/x',
    '',
  ])('refuses %j', (url) => {
    expect(safeHref(url)).toBeNull();
  });
});

describe('parseInline', () => {
  it('emphasis, strong, strikethrough and code; HTML stays text', () => {
    expect(parseInline('a *b* __c__ ~~d~~ `<i>e</i>` <img src=x onerror=alert(1)>')).toEqual([
      text('a '),
      { t: 'em', c: [text('b')] },
      text(' '),
      { t: 'strong', c: [text('c')] },
      text(' '),
      { t: 'del', c: [text('d')] },
      text(' '),
      { t: 'code', v: '<i>e</i>' },
      text(' <img src=x onerror=alert(1)>'),
    ]);
  });

  it('links keep http(s)/mailto URLs; anything else becomes its text, never a link', () => {
    expect(parseInline('[docs](https://acme.example/docs) and [x](javascript:alert(1)) and [m](mailto:a@b.example)')).toEqual([
      { t: 'link', href: 'https://acme.example/docs', c: [text('docs')] },
      text(' and x and '),
      { t: 'link', href: 'mailto:a@b.example', c: [text('m')] },
    ]);
  });

  it('URLs with balanced parentheses stay whole', () => {
    expect(parseInline('[Tent](https://en.wikipedia.org/wiki/Tent_(camping))')).toEqual([{ t: 'link', href: 'https://en.wikipedia.org/wiki/Tent_(camping)', c: [text('Tent')] }]);
  });

  it('bare and angle-bracket URLs become links without trailing punctuation', () => {
    expect(parseInline('See https://acme.example/a, or <https://acme.example/b>.')).toEqual([
      text('See '),
      { t: 'link', href: 'https://acme.example/a', c: [text('https://acme.example/a')] },
      text(', or '),
      { t: 'link', href: 'https://acme.example/b', c: [text('https://acme.example/b')] },
      text('.'),
    ]);
  });

  it('citation markers, escapes, snake_case and line breaks', () => {
    expect(parseInline('Pitch it first [1][2]. \\*not em\\* snake_case_name\nnext')).toEqual([
      text('Pitch it first '),
      { t: 'cite', n: 1 },
      { t: 'cite', n: 2 },
      text('. *not em* snake_case_name'),
      { t: 'br' },
      text('next'),
    ]);
  });

  it('half-written markup (mid-stream) stays readable text', () => {
    expect(parseInline('It is **almost')).toEqual([text('It is **almost')]);
    expect(parseInline('Run `npm i')).toEqual([text('Run `npm i')]);
    // Every character is still shown (the URL part may already be linked).
    const partial = parseInline('[docs](https://acme.ex');
    expect(partial.map((i) => (i.t === 'text' ? i.v : i.t === 'link' && i.c[0]?.t === 'text' ? i.c[0].v : '')).join('')).toBe('[docs](https://acme.ex');
  });
});

describe('parseMarkdown', () => {
  it('paragraphs, headings, rules and quotes', () => {
    expect(parseMarkdown('# Title\n\nFirst line\nsecond line\n\n---\n> quoted *text*')).toEqual([
      { t: 'h', level: 1, c: [text('Title')] },
      p(text('First line'), { t: 'br' }, text('second line')),
      { t: 'hr' },
      { t: 'quote', c: [p(text('quoted '), { t: 'em', c: [text('text')] })] },
    ]);
  });

  it('fenced code keeps its text verbatim, also while the closing fence has not arrived', () => {
    expect(parseMarkdown('```html\n<b>**not bold**</b>\n```\nafter')).toEqual([{ t: 'pre', lang: 'html', v: '<b>**not bold**</b>' }, p(text('after'))]);
    expect(parseMarkdown('```\nstreaming <script>')).toEqual([{ t: 'pre', lang: '', v: 'streaming <script>' }]);
  });

  it('ordered and unordered lists, nested by indentation, with continuation lines', () => {
    expect(parseMarkdown('3. three\n4. four\n   more\n   - nested\n\n- a\n- b')).toEqual([
      {
        t: 'list',
        ordered: true,
        start: 3,
        items: [[p(text('three'))], [p(text('four'), { t: 'br' }, text('more')), { t: 'list', ordered: false, start: 1, items: [[p(text('nested'))]] }]],
      },
      { t: 'list', ordered: false, start: 1, items: [[p(text('a'))], [p(text('b'))]] },
    ]);
  });

  it('a loose list (blank lines between items) stays one list', () => {
    const blocks = parseMarkdown('- one\n\n- two\n\nafter');
    expect(blocks).toEqual([{ t: 'list', ordered: false, start: 1, items: [[p(text('one'))], [p(text('two'))]] }, p(text('after'))]);
  });

  it('never throws, whatever it is given', () => {
    const nasty = ['', '\n\n\n', '>'.repeat(500), '- '.repeat(500), '*'.repeat(5000), '`'.repeat(3000), '[](', '[x]()', '1.\n2.\n', '```\n'.repeat(200)];
    for (const input of nasty) expect(() => parseMarkdown(input)).not.toThrow();
  });
});
