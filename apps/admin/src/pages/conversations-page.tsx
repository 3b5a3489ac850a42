import { useInfiniteQuery } from '@tanstack/react-query';
import { PLAYGROUND_ORIGIN, type TConversationListQuery, type TConversationStatus, type TFeedbackFilter } from '@babble-buddy/shared';
import { MessagesSquare, Search, ThumbsDown, ThumbsUp } from 'lucide-react';
import { useEffect, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { Badge, type Tone } from '../components/badge';
import { Button } from '../components/button';
import { controlClass, Field, SelectField } from '../components/fields';
import { Highlighted } from '../components/highlight';
import { PageHeader } from '../components/page';
import { EmptyState, ErrorState, LoadingState } from '../components/states';
import { formatDateTime, formatInteger, formatRelative } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';

export const STATUS_TONE: Record<TConversationStatus, Tone> = { open: 'green', handoff: 'amber', closed: 'gray' };

const STATUS_OPTIONS = [
  { value: '', label: 'Any status' },
  { value: 'open', label: 'Open' },
  { value: 'handoff', label: 'Handed off' },
  { value: 'closed', label: 'Closed' },
] as const;
const FEEDBACK_OPTIONS = [
  { value: '', label: 'Any feedback' },
  { value: 'any', label: 'Rated' },
  { value: 'positive', label: 'Rated good' },
  { value: 'negative', label: 'Rated bad' },
  { value: 'none', label: 'Not rated' },
] as const;

/** A local date (YYYY-MM-DD) as the start of that day, or the start of the next one for "to". */
function dayBoundary(date: string, end: boolean): string | undefined {
  if (!date) return undefined;
  const d = new Date(`${date}T00:00:00`);
  if (Number.isNaN(d.getTime())) return undefined;
  if (end) d.setDate(d.getDate() + 1);
  return d.toISOString();
}

export function ConversationsPage() {
  const { tenant } = useTenant();
  usePageTitle(`Conversations · ${tenant.name}`);
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const status = (params.get('status') ?? '') as TConversationStatus | '';
  const feedback = (params.get('feedback') ?? '') as TFeedbackFilter | '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const [search, setSearch] = useState(q);
  useEffect(() => setSearch(q), [q]);

  const update = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      if (value) next.set(name, value);
      else next.delete(name);
    }
    setParams(next, { replace: true });
  };
  // Searching as one types, a moment after the last key.
  useEffect(() => {
    if (search.trim() === q) return;
    const timer = window.setTimeout(() => update({ q: search.trim() }), 350);
    return () => window.clearTimeout(timer);
  });

  const query: TConversationListQuery = {
    ...(q ? { q } : {}),
    ...(status ? { status } : {}),
    ...(feedback ? { feedback } : {}),
    ...(dayBoundary(from, false) ? { from: dayBoundary(from, false) } : {}),
    ...(dayBoundary(to, true) ? { to: dayBoundary(to, true) } : {}),
    limit: 25,
  };
  const list = useInfiniteQuery({
    queryKey: ['conversations', tenant.id, query],
    queryFn: ({ pageParam }) => api.conversations.list(tenant.id, { ...query, ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const filtered = Boolean(q || status || feedback || from || to);

  return (
    <>
      <PageHeader title="Conversations" description="Everything visitors and the assistant said, newest activity first." />
      <form
        role="search"
        aria-label="Conversations"
        className="mb-4 grid grid-cols-2 gap-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm xl:grid-cols-[minmax(0,2fr)_repeat(4,minmax(9.5rem,1fr))]"
        onSubmit={(e) => {
          e.preventDefault();
          update({ q: search.trim() });
        }}
      >
        <Field label="Search messages" className="col-span-2 xl:col-span-1">
          {(ids) => (
            <div className="relative">
              <Search className="pointer-events-none absolute top-2.5 left-3 size-4 text-slate-500" aria-hidden="true" />
              <input {...ids} type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="Words from any message" className={`${controlClass} pl-9`} maxLength={200} />
            </div>
          )}
        </Field>
        <SelectField label="Status" value={status} onValueChange={(v) => update({ status: v })} options={STATUS_OPTIONS} />
        <SelectField label="Feedback" value={feedback} onValueChange={(v) => update({ feedback: v })} options={FEEDBACK_OPTIONS} />
        <Field label="Active from">{(ids) => <input {...ids} type="date" value={from} max={to || undefined} onChange={(e) => update({ from: e.target.value })} className={controlClass} />}</Field>
        <Field label="Active until">{(ids) => <input {...ids} type="date" value={to} min={from || undefined} onChange={(e) => update({ to: e.target.value })} className={controlClass} />}</Field>
      </form>
      {list.isPending ? (
        <LoadingState label="Loading conversations…" />
      ) : list.isError ? (
        <ErrorState error={list.error} onRetry={() => void list.refetch()} />
      ) : items.length === 0 ? (
        filtered ? (
          <EmptyState title="No conversation matches" action={<Button onClick={() => setParams(new URLSearchParams(), { replace: true })}>Clear the filters</Button>}>
            {q ? `No message contains every word of “${q}”.` : 'Try other filters.'}
          </EmptyState>
        ) : (
          <EmptyState icon={<MessagesSquare className="size-8" />} title="No conversations yet">
            They appear here as soon as a visitor writes to this tenant&apos;s assistant.
          </EmptyState>
        )
      ) : (
        <>
          <p className="mb-2 text-sm text-slate-600" aria-live="polite">
            {formatInteger(items.length)}
            {list.hasNextPage ? '+' : ''} conversation{items.length === 1 ? '' : 's'}
            {filtered ? ' match' : ''}
          </p>
          <ul className="divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm">
            {items.map((c) => (
              <li key={c.id}>
                <Link to={`/t/${tenant.id}/conversations/${c.id}`} className="block px-4 py-3 hover:bg-slate-50 focus-visible:bg-slate-50 sm:px-5">
                  <div className="flex flex-col gap-1 sm:flex-row sm:items-start sm:justify-between sm:gap-4">
                    <p className="min-w-0 text-sm text-slate-900 sm:line-clamp-2">{c.snippet ? <Highlighted text={c.snippet} /> : (c.firstMessage ?? <span className="text-slate-600">(no visitor message)</span>)}</p>
                    <span className="shrink-0 text-xs text-slate-600" title={formatDateTime(c.lastActivityAt)}>
                      {formatRelative(c.lastActivityAt)}
                    </span>
                  </div>
                  <div className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-600">
                    <Badge tone={STATUS_TONE[c.status]}>{c.status}</Badge>
                    {c.origin === PLAYGROUND_ORIGIN && <Badge tone="indigo">playground</Badge>}
                    <span>{formatInteger(c.messageCount)} messages</span>
                    {c.feedback.positive > 0 && (
                      <span className="inline-flex items-center gap-1 text-emerald-700">
                        <ThumbsUp className="size-3.5" aria-hidden="true" />
                        <span className="sr-only">rated good:</span> {c.feedback.positive}
                      </span>
                    )}
                    {c.feedback.negative > 0 && (
                      <span className="inline-flex items-center gap-1 text-red-700">
                        <ThumbsDown className="size-3.5" aria-hidden="true" />
                        <span className="sr-only">rated bad:</span> {c.feedback.negative}
                      </span>
                    )}
                    {c.email && <span className="break-all">{c.email}</span>}
                    {c.agentName && <span>agent {c.agentName}</span>}
                    <span className="max-w-48 truncate font-mono" title={c.sessionId}>
                      {c.sessionId}
                    </span>
                  </div>
                </Link>
              </li>
            ))}
          </ul>
          {list.hasNextPage && (
            <div className="mt-4 flex justify-center">
              <Button loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
                Load more
              </Button>
            </div>
          )}
        </>
      )}
    </>
  );
}
