import { parse } from 'csv-parse/sync';
import type { ParsedDocument, Section } from '../document';
import { IngestError, KnowledgeErrorCode } from '../errors';

const DELIMITERS = [',', ';', '\t', '|'];

/**
 * A CSV as one section per data row, each written "Header: value | Header: value" so every chunk
 * can be read without the header row. The delimiter is the one the header line uses most.
 */
export function parseCsv(text: string): ParsedDocument {
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? undefined : text.indexOf('\n'));
  const delimiter = DELIMITERS.reduce((best, candidate) => (count(firstLine, candidate) > count(firstLine, best) ? candidate : best), ',');
  let records: string[][];
  try {
    records = parse(text, { delimiter, bom: true, relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (error) {
    throw new IngestError(KnowledgeErrorCode.ParseFailed, `The CSV could not be read: ${(error as Error).message}`);
  }
  const [header, ...rows] = records;
  if (!header) return { type: 'csv', title: null, sections: [] };
  const names = header.map((name, i) => name || `Column ${i + 1}`);
  const sections: Section[] = [];
  rows.forEach((row, index) => {
    const fields = row.flatMap((value, i) => (value ? [`${names[i] ?? `Column ${i + 1}`}: ${value}`] : []));
    if (fields.length) sections.push({ text: fields.join(' | '), row: index + 1 });
  });
  return { type: 'csv', title: null, sections };
}

function count(line: string, delimiter: string): number {
  return line.split(delimiter).length - 1;
}
