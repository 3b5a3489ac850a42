import { HANDBOOK_PAGES, makePasswordProtectedPdf, makePdf } from '../fixtures';
import { ParseSandbox } from './parse-sandbox';

const chunking = { chunkTokens: 200, overlapTokens: 30 };
let sandbox: ParseSandbox;

beforeAll(() => {
  sandbox = new ParseSandbox({ threads: 2, timeoutMs: 30_000 });
});
afterAll(() => sandbox.close());

describe('ParseSandbox (worker threads)', () => {
  it('reads a multi-page PDF into chunks that carry their page numbers', async () => {
    const result = await sandbox.parse({ bytes: await makePdf(HANDBOOK_PAGES, { title: 'Acme Cloud Handbook' }), filename: 'handbook.pdf', chunking });
    expect(result).toMatchObject({ type: 'pdf', title: 'Acme Cloud Handbook', pageCount: 4 });
    const refunds = result.chunks.find((chunk) => chunk.content.includes('Refunds for annual plans'));
    expect(refunds?.metadata.page).toBe(2);
    const backups = result.chunks.find((chunk) => chunk.content.includes('Snapshots of every database'));
    expect(backups?.metadata.page).toBe(3);
    expect(new Set(result.chunks.map((chunk) => chunk.metadata.page))).toEqual(new Set([1, 2, 3, 4]));
    // Words drawn as separate runs come back separated by spaces.
    expect(refunds?.content).toContain('processed within fourteen days');
  });

  it('refuses a password-protected PDF with ENCRYPTED_PDF', async () => {
    await expect(sandbox.parse({ bytes: await makePasswordProtectedPdf(), filename: 'salaries.pdf', chunking })).rejects.toMatchObject({
      code: 'ENCRYPTED_PDF',
      message: expect.stringContaining('password'),
    });
  });

  it('refuses a PDF without text with EMPTY_DOCUMENT, and garbage named .pdf with PARSE_FAILED', async () => {
    await expect(sandbox.parse({ bytes: await makePdf([[], []]), filename: 'scan.pdf', chunking })).rejects.toMatchObject({ code: 'EMPTY_DOCUMENT' });
    await expect(sandbox.parse({ bytes: Buffer.from('%PDF-1.4 this is not really a pdf'), filename: 'broken.pdf', chunking })).rejects.toMatchObject({ code: 'PARSE_FAILED' });
    await expect(sandbox.parse({ bytes: Buffer.from('   \n\n  '), filename: 'blank.txt', chunking })).rejects.toMatchObject({ code: 'EMPTY_DOCUMENT' });
  });

  it('stops a parse that overruns its time, then keeps working with a fresh thread', async () => {
    const impatient = new ParseSandbox({ threads: 1, timeoutMs: 1 });
    try {
      await expect(impatient.parse({ bytes: await makePdf(HANDBOOK_PAGES), filename: 'a.pdf', chunking })).rejects.toMatchObject({
        code: 'PARSE_FAILED',
        message: expect.stringContaining('took longer than'),
      });
    } finally {
      await impatient.close();
    }
    const results = await Promise.all([1, 2, 3].map((i) => sandbox.parse({ bytes: Buffer.from(`Note ${i}: the office opens at nine.`), filename: `n${i}.txt`, chunking })));
    expect(results.map((r) => r.chunks[0]?.content)).toEqual(['Note 1: the office opens at nine.', 'Note 2: the office opens at nine.', 'Note 3: the office opens at nine.']);
  });

  it('gives up a parse when its signal aborts', async () => {
    const controller = new AbortController();
    const parsing = sandbox.parse({ bytes: await makePdf(HANDBOOK_PAGES), filename: 'a.pdf', chunking }, controller.signal);
    controller.abort(new Error('shutting down'));
    await expect(parsing).rejects.toThrow('shutting down');
  });
});
