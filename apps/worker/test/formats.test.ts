import {
  GUIDE_MARKDOWN,
  HANDBOOK_DOCX,
  HANDBOOK_PAGES,
  NAV_WORDS,
  PRICING_CSV,
  htmlPageWithNav,
  makeDocx,
  makePdf,
} from '@babble-buddy/ingest/fixtures';
import { chunksOf, startStack, type TestStack } from './harness';

/**
 * Each supported format, from bytes in the database to chunks with vectors and a text index, with
 * the structure that helps retrieval kept on every chunk.
 */
let stack: TestStack;
let tenantId: string;

beforeAll(async () => {
  stack = await startStack();
  await stack.startWorker();
  tenantId = await stack.createTenant('Formats');
});
afterAll(() => stack?.close());

describe('ingesting files', () => {
  it('a multi-page PDF: ready, page numbers on chunks, vectors from the default model, progress in order', async () => {
    const sourceId = await stack.addFile(tenantId, await makePdf(HANDBOOK_PAGES, { title: 'Acme Cloud Handbook' }), 'handbook.pdf', 'application/pdf');
    const source = await stack.settled(sourceId);
    expect(source).toMatchObject({ status: 'ready', stage: 'ready', progress: 100, pageCount: 4, title: 'Acme Cloud Handbook', embeddingModel: 'ollama:nomic-embed-text', errorCode: null });
    const chunks = await chunksOf(stack.db, sourceId);
    expect(source.chunkCount).toBe(chunks.length);
    expect(chunks.find((c) => c.content.includes('Refunds for annual plans'))?.metadata).toMatchObject({ page: 2, type: 'pdf', title: 'Acme Cloud Handbook' });
    expect(chunks.find((c) => c.content.includes('Snapshots of every database'))?.metadata).toMatchObject({ page: 3 });
    for (const chunk of chunks) expect(chunk).toMatchObject({ embedding_model: 'ollama:nomic-embed-text', embedding_dims: 768, has_vector: true, has_tsv: true, tenant_id: tenantId });

    // queued → parsing → embedding → ready, percentages never going back within the run.
    const events = stack.watcher.of(sourceId);
    const statuses = events.map((e) => e.status).filter((status, i, all) => status !== all[i - 1]);
    expect(statuses).toEqual(['parsing', 'embedding', 'ready']);
    const percents = events.map((e) => e.progress);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ status: 'ready', progress: 100, chunkCount: chunks.length, pageCount: 4, tenantId, parentId: null });
    // The embedding requests carried each chunk with its document title in front.
    const embedRequests = stack.fake.requests.filter((r) => r.path === '/api/embed');
    expect(embedRequests.length).toBeGreaterThan(0);
    expect(JSON.stringify(embedRequests.map((r) => r.body?.input))).toContain('Acme Cloud Handbook\\n\\n');
  });

  it('a DOCX: chunks keep their Word heading path', async () => {
    const sourceId = await stack.addFile(tenantId, await makeDocx(HANDBOOK_DOCX), 'employee-guide.docx');
    expect(await stack.settled(sourceId)).toMatchObject({ status: 'ready', title: 'Employee Guide' });
    const chunks = await chunksOf(stack.db, sourceId);
    expect(chunks.find((c) => c.content.includes('Submit receipts'))?.metadata).toMatchObject({ type: 'docx', heading: 'Expenses', headings: ['Employee Guide', 'Travel', 'Expenses'] });
    expect(chunks.find((c) => c.content.includes('laptop'))?.metadata).toMatchObject({ heading: 'Equipment' });
  });

  it('a CSV: header-aware rows with their row numbers', async () => {
    const sourceId = await stack.addFile(tenantId, Buffer.from(PRICING_CSV), 'pricing.csv', 'text/csv');
    expect(await stack.settled(sourceId)).toMatchObject({ status: 'ready' });
    const chunks = await chunksOf(stack.db, sourceId);
    const text = chunks.map((c) => c.content).join('\n');
    expect(text).toContain('Plan: Team | Monthly price: 29 USD | Seats: 10 | Storage: 100 GB');
    expect(text).toContain('Monthly price: Custom, billed yearly');
    expect(chunks[0]?.metadata).toMatchObject({ type: 'csv', rows: { from: 1, to: 4 } });
  });

  it('an HTML page: the article under its headings, no navigation text anywhere', async () => {
    const sourceId = await stack.addFile(tenantId, Buffer.from(htmlPageWithNav()), 'shipping.html', 'text/html');
    expect(await stack.settled(sourceId)).toMatchObject({ status: 'ready', title: 'Shipping policy · Example Store' });
    const chunks = await chunksOf(stack.db, sourceId);
    const text = chunks.map((c) => c.content).join('\n');
    expect(text).toContain('Orders placed before noon');
    for (const word of NAV_WORDS) expect(text).not.toContain(word);
    expect(chunks.find((c) => c.content.includes('customs included'))?.metadata).toMatchObject({ heading: 'International delivery' });
  });

  it('Markdown: sections under their headings (front-matter title), code blocks intact', async () => {
    const sourceId = await stack.addFile(tenantId, Buffer.from(GUIDE_MARKDOWN), 'install.md');
    expect(await stack.settled(sourceId)).toMatchObject({ status: 'ready', title: 'Widget Installation Guide' });
    const chunks = await chunksOf(stack.db, sourceId);
    expect(chunks.find((c) => c.content.includes('allowed origins of the publishable key'))?.metadata).toMatchObject({ headings: ['Installing the widget', 'Allowed origins'] });
    expect(chunks.some((c) => c.content.includes('# not a heading: a comment inside a code block'))).toBe(true);
  });

  it('plain text', async () => {
    const sourceId = await stack.addFile(tenantId, Buffer.from('The office is closed on public holidays.\n\nParking is free after six.'), 'notes.txt', 'text/plain');
    expect(await stack.settled(sourceId)).toMatchObject({ status: 'ready', chunkCount: 1 });
    expect((await chunksOf(stack.db, sourceId))[0]?.content).toBe('The office is closed on public holidays.\n\nParking is free after six.');
  });

  it('a tenant with provider "none" gets chunks without vectors, searchable by full text', async () => {
    const fullTextOnly = await stack.createTenant('Full text only');
    await stack.db.embeddingConfig.create({ data: { tenantId: fullTextOnly, provider: 'none' } });
    const before = stack.fake.requests.length;
    const sourceId = await stack.addFile(fullTextOnly, Buffer.from('Lockers are on the second floor.'), 'lockers.txt');
    expect(await stack.settled(sourceId)).toMatchObject({ status: 'ready', embeddingModel: null, chunkCount: 1 });
    expect(await chunksOf(stack.db, sourceId)).toEqual([expect.objectContaining({ has_vector: false, has_tsv: true, embedding_model: null, embedding_dims: null })]);
    expect(stack.fake.requests.length).toBe(before);
  });
});
