import { useInfiniteQuery } from '@tanstack/react-query';
import type { TAuditEntry } from '@babble-buddy/shared';
import { ScrollText } from 'lucide-react';
import { useState } from 'react';
import { api } from '../api/client';
import { useAuth } from '../auth/auth';
import { can } from '../auth/permissions';
import { Button } from '../components/button';
import { SelectField } from '../components/fields';
import { Card, PageHeader, Table, td, th } from '../components/page';
import { EmptyState, ErrorState, LoadingState } from '../components/states';
import { formatDateTime, formatRelative } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenants } from '../tenant-context';

const ACTIONS = [
  { value: '', label: 'All actions' },
  { value: 'tenant.', label: 'Tenants' },
  { value: 'key.', label: 'API keys' },
  { value: 'llm.', label: 'Models' },
  { value: 'embedding.', label: 'Embeddings' },
  { value: 'agent.', label: 'Agents' },
  { value: 'member.', label: 'Team' },
  { value: 'conversation.', label: 'Conversations' },
  { value: 'admin.', label: 'Accounts' },
];

function who(entry: TAuditEntry): string {
  if (entry.actorEmail) return entry.actorEmail;
  if (entry.channel === 'cli') return 'CLI operator';
  return entry.actorId ? 'deleted account' : 'system';
}

/** Non-secret facts of a change in one line: "name: Acme → Acme Ltd, plan: free → pro". */
function summary(details: Record<string, unknown>): string {
  const changes = details['changes'];
  if (changes && typeof changes === 'object') {
    const parts = Object.entries(changes as Record<string, { from: unknown; to: unknown }>).map(([field, c]) => `${field}: ${String(c.from ?? '—')} → ${String(c.to ?? '—')}`);
    if (parts.length) return parts.join(', ');
  }
  return Object.entries(details)
    .filter(([key, value]) => key !== 'changes' && value !== null && typeof value !== 'object')
    .slice(0, 4)
    .map(([key, value]) => `${key}: ${String(value)}`)
    .join(', ');
}

export function AuditPage() {
  usePageTitle('Audit log');
  const { user } = useAuth();
  const tenants = useTenants();
  const [tenantId, setTenantId] = useState('');
  const [action, setAction] = useState('');
  const query = { ...(tenantId ? { tenantId } : {}), ...(action ? { action } : {}), limit: 50 };
  const log = useInfiniteQuery({
    queryKey: ['audit', query],
    queryFn: ({ pageParam }) => api.audit({ ...query, ...(pageParam ? { before: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const entries = log.data?.pages.flatMap((page) => page.entries) ?? [];
  const tenantOptions = [
    { value: '', label: user.isPlatformOwner ? 'Everything' : 'All my tenants' },
    ...(tenants.data ?? []).filter((t) => can(user, t.id, 'admin')).map((t) => ({ value: t.id, label: t.name })),
  ];

  return (
    <>
      <PageHeader title="Audit log" description="Who changed what, and when: every change made in this app, through the API or with the bb command line." />
      <Card
        actions={
          <div className="flex w-full flex-col gap-2 sm:w-auto sm:flex-row">
            <SelectField label="Tenant" value={tenantId} onValueChange={setTenantId} options={tenantOptions} className="sm:w-52" />
            <SelectField label="Action" value={action} onValueChange={setAction} options={ACTIONS} className="sm:w-44" />
          </div>
        }
        title="Entries"
      >
        {log.isPending ? (
          <LoadingState />
        ) : log.isError ? (
          <ErrorState error={log.error} onRetry={() => void log.refetch()} />
        ) : entries.length === 0 ? (
          <EmptyState icon={<ScrollText className="size-8" />} title="Nothing recorded yet" />
        ) : (
          <>
            <Table label="Audit log entries">
              <thead>
                <tr>
                  <th className={th}>When</th>
                  <th className={`${th} hidden sm:table-cell`}>Who</th>
                  <th className={th}>What</th>
                  <th className={`${th} hidden md:table-cell`}>Tenant</th>
                  <th className={`${th} hidden lg:table-cell`}>Details</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td className={`${td} text-xs sm:whitespace-nowrap sm:text-sm`} title={formatRelative(entry.createdAt)}>
                      <time dateTime={entry.createdAt}>{formatDateTime(entry.createdAt)}</time>
                    </td>
                    <td className={`${td} hidden max-w-56 sm:table-cell`}>
                      <p className="truncate" title={who(entry)}>
                        {who(entry)}
                      </p>
                      {entry.channel === 'cli' && entry.actorEmail && <p className="text-xs text-slate-600">with the CLI</p>}
                    </td>
                    <td className={td}>
                      <span className="font-mono text-xs font-medium">{entry.action}</span>
                      <p className="text-xs break-words text-slate-700 sm:hidden">by {who(entry)}</p>
                      {entry.target && <p className="max-w-40 truncate font-mono text-xs text-slate-600" title={entry.target}>{entry.target}</p>}
                    </td>
                    <td className={`${td} hidden whitespace-nowrap md:table-cell`}>{entry.tenantName ?? <span className="text-slate-600">{entry.tenantId ? 'deleted tenant' : 'platform'}</span>}</td>
                    <td className={`${td} hidden max-w-md text-xs text-slate-700 lg:table-cell`}>{summary(entry.details)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
            {log.hasNextPage && (
              <div className="mt-4 flex justify-center">
                <Button loading={log.isFetchingNextPage} onClick={() => void log.fetchNextPage()}>
                  Load older entries
                </Button>
              </div>
            )}
          </>
        )}
      </Card>
    </>
  );
}
