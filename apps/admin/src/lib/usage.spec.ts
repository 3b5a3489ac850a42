import type { TUsageRow } from '@babble-buddy/shared';
import { groupUsage, totalUsage, usageCsv } from './usage';

const row = (over: Partial<TUsageRow>): TUsageRow => ({
  date: '2026-03-01',
  tenantId: 't1',
  tenantName: 'Acme',
  provider: 'ollama',
  model: 'llama3.2',
  requests: 1,
  errors: 0,
  promptTokens: 10,
  completionTokens: 5,
  costUsd: null,
  avgLatencyMs: 100,
  avgTtftMs: null,
  ...over,
});

const rows = [
  row({}),
  row({ date: '2026-03-02', requests: 3, promptTokens: 30, avgLatencyMs: 300 }),
  row({ tenantId: 't2', tenantName: '=Evil', provider: 'openai', model: 'gpt-4o-mini', costUsd: 0.25, errors: 1, avgLatencyMs: null }),
];

describe('usage grouping', () => {
  it('sums by model, weighting latency by calls and keeping unknown cost apart from zero', () => {
    const byModel = groupUsage(rows, 'model');
    expect(byModel.map((l) => [l.model, l.requests, l.promptTokens, l.costUsd, l.avgLatencyMs])).toEqual([
      ['openai/gpt-4o-mini', 1, 10, 0.25, null],
      ['ollama/llama3.2', 4, 40, null, 250],
    ]);
  });

  it('sums by day, newest first, and by tenant', () => {
    expect(groupUsage(rows, 'day').map((l) => [l.date, l.requests])).toEqual([
      ['2026-03-02', 3],
      ['2026-03-01', 2],
    ]);
    expect(groupUsage(rows, 'tenant').map((l) => l.tenantName)).toEqual(['=Evil', 'Acme']);
    expect(totalUsage(groupUsage(rows, 'detail'))).toEqual({ requests: 5, errors: 1, promptTokens: 50, completionTokens: 15, costUsd: 0.25 });
  });

  it('writes CSV that spreadsheets cannot mistake for formulas', () => {
    const csv = usageCsv(groupUsage(rows, 'tenant'));
    expect(csv.split('\r\n')[0]).toBe('date,tenant,model,requests,errors,prompt_tokens,completion_tokens,cost_usd,avg_latency_ms');
    expect(csv).toContain(",'=Evil,");
  });
});
