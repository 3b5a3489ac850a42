/** What commands print: JSON for scripts (`--json`), aligned tables and lines for people. */
export interface Output {
  json(value: unknown): void;
  line(text: string): void;
  table(headers: string[], rows: (string | number | null | undefined)[][]): void;
}

export function consoleOutput(write: (text: string) => void = (text) => process.stdout.write(text)): Output {
  return {
    json: (value) => write(`${JSON.stringify(value, null, 2)}\n`),
    line: (text) => write(`${text}\n`),
    table(headers, rows) {
      if (rows.length === 0) {
        write('(none)\n');
        return;
      }
      const cells = [headers, ...rows.map((row) => row.map((cell) => (cell === null || cell === undefined || cell === '' ? '-' : String(cell))))];
      const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
      for (const row of cells) {
        write(`${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ')}\n`);
      }
    },
  };
}

/** ISO timestamp to a compact UTC "2026-11-21 14:03". */
export function shortTime(iso: string | null): string | null {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : null;
}
