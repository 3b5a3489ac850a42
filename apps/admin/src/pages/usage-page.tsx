import { useQuery } from '@tanstack/react-query';
import { Download, ReceiptText } from 'lucide-react';
import { useMemo, useState } from 'react';
import { api } from '../api/client';
import { TimeSeriesChart } from '../charts/time-series-chart';
import { Button } from '../components/button';
import { SelectField } from '../components/fields';
import { Card, PageHeader, Table, td, th } from '../components/page';
import { EmptyState, ErrorState, LoadingState } from '../components/states';
import { saveFile } from '../lib/download';
import { browserTimeZone, formatCompact, formatInteger, formatMs, formatUsd } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { lastDays, RANGE_OPTIONS, type RangeDays } from '../lib/range';
import { groupUsage, totalUsage, usageCsv, type UsageGrouping } from '../lib/usage';
import { useTenants } from '../tenant-context';

const GROUPINGS: { value: UsageGrouping; label: string }[] = [
  { value: 'tenant', label: 'Tenant' },
  { value: 'model', label: 'Model' },
  { value: 'day', label: 'Day' },
  { value: 'detail', label: 'Day, tenant and model' },
];

export function UsagePage() {
  usePageTitle('Usage & cost');
  const tenants = useTenants();
  const [days, setDays] = useState<RangeDays>('30');
  const [tenantId, setTenantId] = useState('');
  const [grouping, setGrouping] = useState<UsageGrouping>('tenant');
  const range = useMemo(() => lastDays(Number(days)), [days]);
  const usage = useQuery({
    queryKey: ['usage', days, tenantId],
    queryFn: () => api.usage({ ...range, tz: browserTimeZone(), ...(tenantId ? { tenantId } : {}) }),
  });
  const stats = useQuery({
    queryKey: ['stats', days, tenantId],
    queryFn: () => api.stats({ ...range, tz: browserTimeZone(), ...(tenantId ? { tenantId } : {}) }),
  });
  const lines = useMemo(() => groupUsage(usage.data?.rows ?? [], grouping), [usage.data, grouping]);
  const total = totalUsage(lines);

  return (
    <>
      <PageHeader
        title="Usage & cost"
        description="Model calls, tokens and what they cost, per tenant, model and day. Costs are counted for models with a known price."
        actions={
          <div className="flex w-full flex-col gap-2 sm:w-auto sm:flex-row">
            <SelectField label="Tenant" value={tenantId} onValueChange={setTenantId} options={[{ value: '', label: 'All tenants' }, ...(tenants.data ?? []).map((t) => ({ value: t.id, label: t.name }))]} className="sm:w-52" />
            <SelectField label="Period" value={days} onValueChange={setDays} options={RANGE_OPTIONS} className="sm:w-40" />
          </div>
        }
      />
      <div className="space-y-6">
        {stats.data && stats.data.totals.llmRequests > 0 && (
          <Card>
            <div className="grid gap-6 xl:grid-cols-2">
              <TimeSeriesChart
                title="Tokens per day"
                data={stats.data.series}
                stacked
                series={[
                  { key: 'promptTokens', label: 'Prompt', color: '#6366f1' },
                  { key: 'completionTokens', label: 'Completion', color: '#f59e0b' },
                ]}
                format={formatCompact}
                height={200}
              />
              <TimeSeriesChart title="Cost per day (USD)" data={stats.data.series} kind="line" series={[{ key: 'costUsd', label: 'Cost', color: '#059669' }]} format={formatUsd} height={200} />
            </div>
          </Card>
        )}
        <Card
          title="Breakdown"
          actions={
            <div className="flex flex-wrap items-end gap-2">
              <SelectField label="Group by" value={grouping} onValueChange={setGrouping} options={GROUPINGS} className="w-56" />
              <Button
                icon={<Download className="size-4" aria-hidden="true" />}
                disabled={lines.length === 0}
                onClick={() => saveFile({ filename: `usage-${grouping}-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv`, contentType: 'text/csv', body: new Blob([usageCsv(lines)], { type: 'text/csv' }) })}
              >
                CSV
              </Button>
            </div>
          }
        >
          {usage.isPending ? (
            <LoadingState />
          ) : usage.isError ? (
            <ErrorState error={usage.error} onRetry={() => void usage.refetch()} />
          ) : lines.length === 0 ? (
            <EmptyState icon={<ReceiptText className="size-8" />} title="No model calls in this period" />
          ) : (
            <Table label="Usage breakdown">
              <thead>
                <tr>
                  {(grouping === 'day' || grouping === 'detail') && <th className={th}>Day</th>}
                  {(grouping === 'tenant' || grouping === 'detail') && <th className={th}>Tenant</th>}
                  {(grouping === 'model' || grouping === 'detail') && <th className={th}>Model</th>}
                  <th className={`${th} text-right`}>Calls</th>
                  <th className={`${th} text-right`}>Failed</th>
                  <th className={`${th} text-right`}>Prompt tokens</th>
                  <th className={`${th} text-right`}>Completion tokens</th>
                  <th className={`${th} text-right`}>Cost</th>
                  <th className={`${th} text-right`}>Avg latency</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {lines.map((line) => (
                  <tr key={line.key}>
                    {line.date !== null && <td className={`${td} whitespace-nowrap`}>{line.date}</td>}
                    {line.tenantName !== null && <td className={td}>{line.tenantName}</td>}
                    {line.model !== null && <td className={`${td} font-mono text-xs`}>{line.model}</td>}
                    <td className={`${td} text-right tabular-nums`}>{formatInteger(line.requests)}</td>
                    <td className={`${td} text-right tabular-nums ${line.errors ? 'text-red-700' : ''}`}>{formatInteger(line.errors)}</td>
                    <td className={`${td} text-right tabular-nums`}>{formatInteger(line.promptTokens)}</td>
                    <td className={`${td} text-right tabular-nums`}>{formatInteger(line.completionTokens)}</td>
                    <td className={`${td} text-right tabular-nums`}>{formatUsd(line.costUsd)}</td>
                    <td className={`${td} text-right tabular-nums`}>{formatMs(line.avgLatencyMs)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot className="border-t-2 border-slate-200 font-semibold">
                <tr>
                  <td className={td} colSpan={grouping === 'detail' ? 3 : 1}>
                    Total
                  </td>
                  <td className={`${td} text-right tabular-nums`}>{formatInteger(total.requests)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatInteger(total.errors)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatInteger(total.promptTokens)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatInteger(total.completionTokens)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatUsd(total.costUsd)}</td>
                  <td className={td} />
                </tr>
              </tfoot>
            </Table>
          )}
        </Card>
      </div>
    </>
  );
}
