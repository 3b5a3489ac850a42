/**
 * A plain-text table: `columns` are { title, align? ('left' | 'right', default right) }, `rows` are
 * arrays of already formatted cells. Monospace, no colours, so it reads the same in CI logs.
 */
export function renderTable(columns, rows) {
  const widths = columns.map((column, i) => Math.max(column.title.length, ...rows.map((row) => String(row[i] ?? '').length)));
  const line = (cells) =>
    cells
      .map((cell, i) => {
        const text = String(cell ?? '');
        return columns[i].align === 'left' ? text.padEnd(widths[i]) : text.padStart(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Milliseconds for a table cell: '12.3', '—' when missing. */
export function ms(value, digits = 1) {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits);
}

/** A ratio for a table cell: '1.02x'. */
export function ratio(value) {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : `${value.toFixed(2)}x`;
}
