import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useMemo, useState } from 'react';
import { api } from '../api/client';
import { TimeSeriesChart } from '../charts/time-series-chart';
import { Badge } from '../components/badge';
import { SelectField } from '../components/fields';
import { Card, PageHeader, Table, td, th } from '../components/page';
import { Stat } from '../components/stat';
import { EmptyState, ErrorState, LoadingState } from '../components/states';
import { browserTimeZone, formatCompact, formatInteger, formatUsd } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { lastDays, RANGE_OPTIONS, type RangeDays } from '../lib/range';
import { useTenants } from '../tenant-context';

export function DashboardPage() {
  usePageTitle('Dashboard');
  const [days, setDays] = useState<RangeDays>('30');
  const [tenantId, setTenantId] = useState('');
  const tenants = useTenants();
  const range = useMemo(() => lastDays(Number(days)), [days]);
  const query = { ...range, tz: browserTimeZone(), ...(tenantId ? { tenantId } : {}) };
  const stats = useQuery({ queryKey: ['stats', days, tenantId], queryFn: () => api.stats(query), refetchInterval: 60_000 });

  const tenantOptions = [{ value: '', label: 'All tenants' }, ...(tenants.data ?? []).map((t) => ({ value: t.id, label: t.name }))];
  const data = stats.data;
  const series = data?.series.map((p) => ({ ...p, tokens: p.promptTokens + p.completionTokens })) ?? [];
  const quiet = data && data.totals.conversations === 0 && data.totals.messages === 0 && data.totals.llmRequests === 0;

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="Conversations, messages, tokens and cost over time."
        actions={
          <div className="flex w-full flex-col gap-2 sm:w-auto sm:flex-row">
            <SelectField label="Tenant" value={tenantId} onValueChange={setTenantId} options={tenantOptions} className="sm:w-52" />
            <SelectField label="Period" value={days} onValueChange={setDays} options={RANGE_OPTIONS} className="sm:w-40" />
          </div>
        }
      />
      {stats.isPending ? (
        <LoadingState label="Loading the dashboard…" />
      ) : stats.isError ? (
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      ) : (
        <div className="space-y-6">
          <dl className="grid grid-cols-2 gap-3 lg:grid-cols-5">
            <Stat label="Active now" value={formatInteger(stats.data.activeConversations)} detail={`conversations in the last ${stats.data.activeWindowMinutes} min`} />
            <Stat label="Conversations" value={formatCompact(stats.data.totals.conversations)} title={formatInteger(stats.data.totals.conversations)} detail="started in the period" />
            <Stat label="Messages" value={formatCompact(stats.data.totals.messages)} title={formatInteger(stats.data.totals.messages)} />
            <Stat
              label="Tokens"
              value={formatCompact(stats.data.totals.promptTokens + stats.data.totals.completionTokens)}
              title={formatInteger(stats.data.totals.promptTokens + stats.data.totals.completionTokens)}
              detail={`${formatCompact(stats.data.totals.promptTokens)} in · ${formatCompact(stats.data.totals.completionTokens)} out`}
            />
            <Stat
              label="Cost"
              value={formatUsd(stats.data.totals.costUsd)}
              detail={stats.data.totals.llmErrors ? `${formatInteger(stats.data.totals.llmErrors)} failed model calls` : `${formatInteger(stats.data.totals.llmRequests)} model calls`}
            />
          </dl>
          {quiet ? (
            <EmptyState title="No activity in this period">
              Conversations appear here once visitors chat through a tenant&apos;s widget or API. Create a tenant and a publishable key on the{' '}
              <Link to="/tenants" className="font-medium text-indigo-700 underline">
                Tenants
              </Link>{' '}
              page to get started.
            </EmptyState>
          ) : (
            <div className="grid gap-6 xl:grid-cols-2">
              <Card>
                <TimeSeriesChart
                  title="Conversations and messages per day"
                  data={series}
                  series={[
                    { key: 'conversations', label: 'Conversations', color: '#4f46e5' },
                    { key: 'messages', label: 'Messages', color: '#0ea5e9' },
                  ]}
                  format={formatCompact}
                />
              </Card>
              <Card>
                <TimeSeriesChart
                  title="Tokens per day"
                  data={series}
                  stacked
                  series={[
                    { key: 'promptTokens', label: 'Prompt', color: '#6366f1' },
                    { key: 'completionTokens', label: 'Completion', color: '#f59e0b' },
                  ]}
                  format={formatCompact}
                />
              </Card>
              <Card className="xl:col-span-2">
                <TimeSeriesChart title="Cost per day (USD)" data={series} kind="line" series={[{ key: 'costUsd', label: 'Cost', color: '#059669' }]} format={formatUsd} height={180} />
              </Card>
            </div>
          )}
          <Card title="By tenant" description="The same period, per tenant, busiest first.">
            {stats.data.tenants.length === 0 ? (
              <EmptyState title="No tenants yet" />
            ) : (
              <Table label="Activity by tenant">
                <thead>
                  <tr>
                    <th className={th}>Tenant</th>
                    <th className={`${th} hidden text-right md:table-cell`}>Active now</th>
                    <th className={`${th} text-right`}>Conversations</th>
                    <th className={`${th} hidden text-right md:table-cell`}>Messages</th>
                    <th className={`${th} hidden text-right md:table-cell`}>Tokens</th>
                    <th className={`${th} text-right`}>Cost</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  {stats.data.tenants.map((t) => (
                    <tr key={t.tenantId}>
                      <td className={td}>
                        <Link to={`/t/${t.tenantId}/conversations`} className="font-medium text-indigo-700 hover:underline">
                          {t.name}
                        </Link>{' '}
                        {t.status === 'suspended' && <Badge tone="amber">suspended</Badge>}
                      </td>
                      <td className={`${td} hidden text-right tabular-nums md:table-cell`}>{formatInteger(t.activeConversations)}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatInteger(t.conversations)}</td>
                      <td className={`${td} hidden text-right tabular-nums md:table-cell`}>{formatInteger(t.messages)}</td>
                      <td className={`${td} hidden text-right tabular-nums md:table-cell`}>{formatInteger(t.promptTokens + t.completionTokens)}</td>
                      <td className={`${td} text-right tabular-nums`}>{formatUsd(t.costUsd)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Card>
        </div>
      )}
    </>
  );
}
