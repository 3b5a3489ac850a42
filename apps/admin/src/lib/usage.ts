import type { TUsageRow } from '@babble-buddy/shared';

export type UsageGrouping = 'day' | 'tenant' | 'model' | 'detail';

export interface UsageLine {
  key: string;
  date: string | null;
  tenantName: string | null;
  model: string | null;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  /** Null when no call in the group has a known price. */
  costUsd: number | null;
  avgLatencyMs: number | null;
}

/** Usage rows (day × tenant × provider/model) summed by the chosen grouping; latency is averaged per call. */
export function groupUsage(rows: readonly TUsageRow[], by: UsageGrouping): UsageLine[] {
  const groups = new Map<string, UsageLine & { latencyWeight: number; latencySum: number }>();
  for (const row of rows) {
    const model = `${row.provider}/${row.model}`;
    const key = by === 'day' ? row.date : by === 'tenant' ? row.tenantId : by === 'model' ? model : `${row.date}|${row.tenantId}|${model}`;
    const line = groups.get(key) ?? {
      key,
      date: by === 'day' || by === 'detail' ? row.date : null,
      tenantName: by === 'tenant' || by === 'detail' ? row.tenantName : null,
      model: by === 'model' || by === 'detail' ? model : null,
      requests: 0,
      errors: 0,
      promptTokens: 0,
      completionTokens: 0,
      costUsd: null,
      avgLatencyMs: null,
      latencyWeight: 0,
      latencySum: 0,
    };
    line.requests += row.requests;
    line.errors += row.errors;
    line.promptTokens += row.promptTokens;
    line.completionTokens += row.completionTokens;
    if (row.costUsd !== null) line.costUsd = (line.costUsd ?? 0) + row.costUsd;
    if (row.avgLatencyMs !== null) {
      line.latencySum += row.avgLatencyMs * row.requests;
      line.latencyWeight += row.requests;
    }
    groups.set(key, line);
  }
  return [...groups.values()]
    .map(({ latencySum, latencyWeight, ...line }) => ({ ...line, avgLatencyMs: latencyWeight ? Math.round(latencySum / latencyWeight) : null }))
    .sort((a, b) => (by === 'day' || by === 'detail' ? (b.date ?? '').localeCompare(a.date ?? '') : 0) || (b.costUsd ?? 0) - (a.costUsd ?? 0) || b.promptTokens + b.completionTokens - (a.promptTokens + a.completionTokens));
}

export function totalUsage(lines: readonly UsageLine[]): Omit<UsageLine, 'key' | 'date' | 'tenantName' | 'model' | 'avgLatencyMs'> {
  const priced = lines.filter((l) => l.costUsd !== null);
  return {
    requests: lines.reduce((s, l) => s + l.requests, 0),
    errors: lines.reduce((s, l) => s + l.errors, 0),
    promptTokens: lines.reduce((s, l) => s + l.promptTokens, 0),
    completionTokens: lines.reduce((s, l) => s + l.completionTokens, 0),
    costUsd: priced.length ? priced.reduce((s, l) => s + (l.costUsd ?? 0), 0) : null,
  };
}

/** The table as CSV (spreadsheet-safe cells), for the download button. */
export function usageCsv(lines: readonly UsageLine[]): string {
  const cell = (value: string | number | null) => {
    if (value === null) return '';
    let text = String(value);
    if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  const header = 'date,tenant,model,requests,errors,prompt_tokens,completion_tokens,cost_usd,avg_latency_ms';
  const body = lines.map((l) => [l.date, l.tenantName, l.model, l.requests, l.errors, l.promptTokens, l.completionTokens, l.costUsd, l.avgLatencyMs].map(cell).join(','));
  return `${[header, ...body].join('\r\n')}\r\n`;
}
