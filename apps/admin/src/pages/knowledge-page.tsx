import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CRAWL_LIMITS, KNOWLEDGE_SEARCH_QUERY_MAX_CHARS, ZAddUrlRequest, ZCrawlOptions, type TKnowledgeSearchRequest, type TKnowledgeSource, type TKnowledgeSourceStatus } from '@babble-buddy/shared';
import { BookOpen, FileUp, Globe, RotateCw, Search, Trash2 } from 'lucide-react';
import { useCallback, useRef, useState, type DragEvent } from 'react';
import type { z } from 'zod';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { Badge, type Tone } from '../components/badge';
import { Button } from '../components/button';
import { ConfirmDialog } from '../components/dialog';
import { CheckboxField, SelectField, TextField } from '../components/fields';
import { RetrievedChunks, searchModeLabel } from '../components/retrieved-chunks';
import { Card, PageHeader, ReadOnlyNotice, Table, td, th } from '../components/page';
import { EmptyState, ErrorState, FormError, LoadingState, Notice } from '../components/states';
import { useToast } from '../components/toast';
import { optionalNumber, optionalText } from '../forms/issues';
import { useForm } from '../forms/use-form';
import { agentLabel, formatDateTime, formatInteger, formatMs, formatRelative } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';

/** What the worker reads (packages/ingest/src/detect.ts); anything else is refused with UNSUPPORTED_TYPE. */
const ACCEPT = '.pdf,.docx,.csv,.html,.htm,.xhtml,.md,.markdown,.mdx,.txt,.text';
/** Files sent at once; each gets its own request, so each has its own progress and its own answer. */
const PARALLEL_UPLOADS = 2;
/** While any source is still being worked on, the list is refreshed this often. */
const POLL_MS = 1500;

const STATUS_TONE: Record<TKnowledgeSourceStatus, Tone> = { queued: 'gray', parsing: 'sky', embedding: 'indigo', ready: 'green', failed: 'red' };
const isFinal = (status: TKnowledgeSourceStatus) => status === 'ready' || status === 'failed';

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function ProgressBar({ value, label, tone = 'indigo' }: { value: number; label: string; tone?: 'indigo' | 'green' | 'red' }) {
  const colour = tone === 'green' ? 'bg-emerald-600' : tone === 'red' ? 'bg-red-600' : 'bg-indigo-600';
  return (
    <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(value)} className="h-1.5 w-full overflow-hidden rounded-full bg-slate-200">
      <div className={`h-full rounded-full transition-[width] duration-200 ${colour}`} style={{ width: `${Math.max(0, Math.min(100, value))}%` }} />
    </div>
  );
}

// ── Uploads ─────────────────────────────────────────────────────────────────────────────────────

interface Upload {
  id: number;
  file: File;
  percent: number;
  state: 'waiting' | 'uploading' | 'stored' | 'duplicate' | 'failed';
  message?: string;
}

function useUploads(tenantId: string, onStored: () => void) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const queue = useRef<Upload[]>([]);
  const running = useRef(0);
  const nextId = useRef(1);

  const patch = useCallback((id: number, change: Partial<Upload>) => setUploads((list) => list.map((u) => (u.id === id ? { ...u, ...change } : u))), []);

  const pump = useCallback(() => {
    while (running.current < PARALLEL_UPLOADS && queue.current.length > 0) {
      const upload = queue.current.shift()!;
      running.current += 1;
      patch(upload.id, { state: 'uploading' });
      api.knowledge
        .upload(tenantId, [{ name: upload.file.name, body: upload.file }], {
          onProgress: (sent, total) => patch(upload.id, { percent: total > 0 ? (sent / total) * 100 : 0 }),
        })
        .then((answer) => {
          const duplicate = answer.duplicates[0];
          patch(upload.id, duplicate && answer.sources.length === 0 ? { state: 'duplicate', percent: 100, message: 'Already in the knowledge base' } : { state: 'stored', percent: 100 });
          onStored();
        })
        .catch((error: unknown) => {
          const { code, message } = describeError(error);
          if (code === 'CONFLICT') patch(upload.id, { state: 'duplicate', percent: 100, message: 'Already in the knowledge base' });
          else patch(upload.id, { state: 'failed', message });
        })
        .finally(() => {
          running.current -= 1;
          pump();
        });
    }
  }, [onStored, patch, tenantId]);

  const add = useCallback(
    (files: File[]) => {
      const added = files.map((file) => ({ id: nextId.current++, file, percent: 0, state: 'waiting' as const }));
      queue.current.push(...added);
      setUploads((list) => [...added, ...list]);
      pump();
    },
    [pump],
  );

  const clearFinished = useCallback(() => setUploads((list) => list.filter((u) => u.state === 'waiting' || u.state === 'uploading')), []);
  return { uploads, add, clearFinished };
}

function UploadCard({ tenantId, onStored }: { tenantId: string; onStored: () => void }) {
  const { uploads, add, clearFinished } = useUploads(tenantId, onStored);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    const files = [...event.dataTransfer.files];
    if (files.length) add(files);
  };

  return (
    <Card title="Upload files" description="PDF, Word (.docx), CSV, HTML, Markdown or plain text. Several at once; each shows its own progress.">
      <div
        data-dropzone
        onDragOver={(event) => {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
        className={`flex flex-col items-center justify-center gap-3 rounded-lg border-2 border-dashed px-4 py-8 text-center transition-colors ${over ? 'border-indigo-500 bg-indigo-50' : 'border-slate-300'}`}
      >
        <FileUp className="size-8 text-slate-400" aria-hidden="true" />
        <p className="text-sm text-slate-700">Drop files here, or</p>
        <Button onClick={() => input.current?.click()}>Choose files</Button>
        <input
          ref={input}
          type="file"
          multiple
          accept={ACCEPT}
          className="sr-only"
          aria-label="Files to upload"
          tabIndex={-1}
          onChange={(event) => {
            const files = [...(event.target.files ?? [])];
            event.target.value = '';
            if (files.length) add(files);
          }}
        />
      </div>
      {uploads.length > 0 && (
        <div className="mt-4 space-y-3">
          <ul className="space-y-3" aria-label="Uploads">
            {uploads.map((u) => (
              <li key={u.id} className="space-y-1" data-upload={u.file.name} data-state={u.state}>
                <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
                  <span className="min-w-0 font-medium break-all text-slate-800">{u.file.name}</span>
                  <span className="text-xs text-slate-600">
                    {formatBytes(u.file.size)} ·{' '}
                    {u.state === 'waiting' ? 'waiting' : u.state === 'uploading' ? `${Math.round(u.percent)}%` : u.state === 'stored' ? 'uploaded, queued for indexing' : u.state === 'duplicate' ? u.message : 'failed'}
                  </span>
                </div>
                <ProgressBar value={u.state === 'failed' ? 100 : u.percent} label={`Upload of ${u.file.name}`} tone={u.state === 'failed' ? 'red' : u.state === 'uploading' || u.state === 'waiting' ? 'indigo' : 'green'} />
                {u.state === 'failed' && (
                  <p className="text-xs text-red-700" role="alert">
                    {u.message}
                  </p>
                )}
              </li>
            ))}
          </ul>
          {uploads.some((u) => u.state !== 'waiting' && u.state !== 'uploading') && (
            <Button size="sm" variant="ghost" onClick={clearFinished}>
              Clear finished uploads
            </Button>
          )}
        </div>
      )}
    </Card>
  );
}

// ── URLs and crawls ─────────────────────────────────────────────────────────────────────────────

interface UrlValues extends Record<string, string | boolean> {
  url: string;
  title: string;
  crawl: boolean;
  maxPages: string;
  maxDepth: string;
}
const URL_INITIAL: UrlValues = { url: '', title: '', crawl: false, maxPages: '20', maxDepth: '2' };

/** The crawl's issue, shown on the limit it concerns (both share the request's `crawl` field). */
function crawlError(error: string | undefined, field: 'maxPages' | 'maxDepth', value: string): string | undefined {
  return error && !ZCrawlOptions.shape[field].safeParse(optionalNumber(value)).success ? error : undefined;
}

function AddUrlCard({ tenantId, onAdded }: { tenantId: string; onAdded: () => void }) {
  const toast = useToast();
  const form = useForm<UrlValues, typeof ZAddUrlRequest>({
    initial: URL_INITIAL,
    schema: ZAddUrlRequest,
    toRequest: (v) => ({
      url: v.url.trim(),
      title: optionalText(v.title),
      crawl: v.crawl ? { maxPages: optionalNumber(v.maxPages), maxDepth: optionalNumber(v.maxDepth) } : undefined,
    }),
  });
  const add = useMutation({
    mutationFn: (request: z.output<typeof ZAddUrlRequest>) => api.knowledge.addUrl(tenantId, request),
    onSuccess: (source) => {
      toast.success(`${source.crawl ? 'Crawl of' : 'Page'} ${source.url ?? source.title} queued`);
      form.reset(URL_INITIAL);
      onAdded();
    },
    onError: (error) => form.showServerError(error),
  });
  return (
    <Card title="Add a web page or site" description="One page, or a crawl of the same site that follows links and the sitemap, within the limits below. robots.txt is respected.">
      <form
        aria-label="Add a web page"
        className="space-y-4"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const request = form.validate();
          if (request) add.mutate(request);
        }}
      >
        <FormError message={form.formError} />
        <TextField label="URL" type="url" inputMode="url" spellCheck={false} placeholder="https://help.example.com/faq" value={form.values.url} onValueChange={(v) => form.set('url', v)} error={form.errors['url']} />
        <TextField label="Title" hint="Optional: the page's own title otherwise." value={form.values.title} onValueChange={(v) => form.set('title', v)} error={form.errors['title']} />
        <CheckboxField label="Crawl the site from this page" checked={form.values.crawl} onCheckedChange={(v) => form.set('crawl', v)} />
        {form.values.crawl && (
          <div className="grid gap-4 sm:grid-cols-2">
            <TextField
              label="Pages at most"
              inputMode="numeric"
              hint={`1–${CRAWL_LIMITS.maxPages}, the start page included.`}
              value={form.values.maxPages}
              onValueChange={(v) => form.set('maxPages', v)}
              error={crawlError(form.errors['crawl'], 'maxPages', form.values.maxPages)}
            />
            <TextField
              label="Link depth"
              inputMode="numeric"
              hint={`0–${CRAWL_LIMITS.maxDepth}: links followed from the start page.`}
              value={form.values.maxDepth}
              onValueChange={(v) => form.set('maxDepth', v)}
              error={crawlError(form.errors['crawl'], 'maxDepth', form.values.maxDepth)}
            />
          </div>
        )}
        <Button type="submit" variant="primary" loading={add.isPending} icon={<Globe className="size-4" aria-hidden="true" />}>
          {form.values.crawl ? 'Start crawl' : 'Add page'}
        </Button>
      </form>
    </Card>
  );
}

// ── Search preview ──────────────────────────────────────────────────────────────────────────────

const ALL_SOURCES = '';

/** What retrieval would hand the model for a question: the chunks, their scores, how the search ran. */
function SearchCard({ tenantId }: { tenantId: string }) {
  const [query, setQuery] = useState('');
  const [agentId, setAgentId] = useState(ALL_SOURCES);
  const agents = useQuery({ queryKey: ['agents', tenantId], queryFn: () => api.agents.list(tenantId) });
  const search = useMutation({ mutationFn: (request: TKnowledgeSearchRequest) => api.knowledge.search(tenantId, request) });
  const options = [{ value: ALL_SOURCES, label: 'Every source (no agent)' }, ...(agents.data ?? []).map((a) => ({ value: a.id, label: agentLabel(a) }))];
  return (
    <Card title="Search preview" description="The passages retrieval would give the assistant for a question, best first, with their scores. As an agent: the tenant-wide sources and that agent’s own.">
      <form
        role="search"
        aria-label="Search the knowledge base"
        className="grid gap-4 sm:grid-cols-[1fr_14rem_auto] sm:items-end"
        onSubmit={(event) => {
          event.preventDefault();
          if (query.trim()) search.mutate({ query: query.trim(), k: 8, ...(agentId ? { agentId } : {}) });
        }}
      >
        <TextField label="Question" type="search" placeholder="How long do refunds take?" maxLength={KNOWLEDGE_SEARCH_QUERY_MAX_CHARS} value={query} onValueChange={setQuery} />
        <SelectField label="Search as" value={agentId} onValueChange={setAgentId} options={options} />
        <Button type="submit" variant="primary" loading={search.isPending} disabled={!query.trim()} icon={<Search className="size-4" aria-hidden="true" />}>
          Search
        </Button>
      </form>
      <div className="mt-4 space-y-3" aria-live="polite">
        {search.isError && <ErrorState title="The search failed" error={search.error} />}
        {search.data && (
          <>
            <p className="text-xs text-slate-600" data-search-summary>
              {formatInteger(search.data.results.length)} result{search.data.results.length === 1 ? '' : 's'} for “{search.data.query}” · {searchModeLabel(search.data)} · {formatMs(Math.round(search.data.tookMs))}
            </p>
            {search.data.notice && <Notice tone="warning">{search.data.notice}</Notice>}
            {search.data.results.length === 0 ? (
              <EmptyState icon={<Search className="size-8" />} title="Nothing matches">
                No ready passage is close to this question. Try other words, or check that its document has finished indexing.
              </EmptyState>
            ) : (
              <RetrievedChunks results={search.data.results} label="Search results" />
            )}
          </>
        )}
      </div>
    </Card>
  );
}

// ── Sources ─────────────────────────────────────────────────────────────────────────────────────

function sourceLabel(source: TKnowledgeSource): string {
  return source.title || source.filename || source.url || 'Untitled';
}

function SourceStatus({ source }: { source: TKnowledgeSource }) {
  const working = !isFinal(source.status);
  return (
    <div className="min-w-32 space-y-1" data-source-status={source.status}>
      <div className="flex flex-wrap items-center gap-2">
        <Badge tone={STATUS_TONE[source.status]}>{source.status}</Badge>
        {working && source.stage && source.stage !== source.status && <span className="text-xs text-slate-600">{source.stage}</span>}
        {working && <span className="text-xs text-slate-600 tabular-nums">{source.progress}%</span>}
      </div>
      {working && <ProgressBar value={source.progress} label={`Indexing ${sourceLabel(source)}`} />}
      {source.status === 'failed' && (
        <p className="max-w-80 text-xs text-red-700">
          {source.errorMessage ?? 'Failed'}
          {source.errorCode && <span className="ml-1 font-mono text-[11px] text-red-800">({source.errorCode})</span>}
        </p>
      )}
    </div>
  );
}

function describeSize(source: TKnowledgeSource): string {
  const parts: string[] = [];
  if (source.kind === 'file' && source.sizeBytes !== null) parts.push(formatBytes(source.sizeBytes));
  if (source.crawl) parts.push(`up to ${source.crawl.maxPages} pages, depth ${source.crawl.maxDepth}`);
  if (source.pageCount !== null) parts.push(`${formatInteger(source.pageCount)} page${source.pageCount === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

export function KnowledgePage() {
  const { tenant, role, canAdmin } = useTenant();
  usePageTitle(`Knowledge base · ${tenant.name}`);
  const queryClient = useQueryClient();
  const toast = useToast();
  const queryKey = ['knowledge', tenant.id];
  const sources = useQuery({
    queryKey,
    queryFn: () => api.knowledge.list(tenant.id, { limit: 200 }),
    // Live status: polled while anything is still being worked on, quiet otherwise.
    refetchInterval: (query) => (query.state.data?.sources.some((s) => !isFinal(s.status)) ? POLL_MS : false),
  });
  const refresh = useCallback(() => void queryClient.invalidateQueries({ queryKey: ['knowledge', tenant.id] }), [queryClient, tenant.id]);
  const [deleting, setDeleting] = useState<TKnowledgeSource | null>(null);
  const remove = useMutation({
    mutationFn: (source: TKnowledgeSource) => api.knowledge.remove(tenant.id, source.id),
    onSuccess: async (_nothing, source) => {
      await queryClient.invalidateQueries({ queryKey: ['knowledge', tenant.id] });
      toast.success(`${sourceLabel(source)} deleted`);
      setDeleting(null);
    },
  });
  const reindex = useMutation({
    mutationFn: (source: TKnowledgeSource) => api.knowledge.reindex(tenant.id, source.id),
    onSuccess: async (source) => {
      await queryClient.invalidateQueries({ queryKey: ['knowledge', tenant.id] });
      toast.success(`${sourceLabel(source)} queued for indexing`);
    },
    onError: (error) => toast.error(describeError(error).message),
  });

  return (
    <>
      <PageHeader
        title="Knowledge base"
        description="Documents and web pages the assistant answers from. Each is read, split into passages and embedded in the background; its status updates here as it goes."
      />
      {!canAdmin && <ReadOnlyNotice role={role} what="the knowledge base" />}
      {canAdmin && (
        <div className="mb-6 grid gap-6 lg:grid-cols-2">
          <UploadCard tenantId={tenant.id} onStored={refresh} />
          <AddUrlCard tenantId={tenant.id} onAdded={refresh} />
        </div>
      )}
      <div className="mb-6">
        <SearchCard tenantId={tenant.id} />
      </div>
      <Card title="Sources">
        {sources.isPending ? (
          <LoadingState />
        ) : sources.isError ? (
          <ErrorState error={sources.error} onRetry={() => void sources.refetch()} />
        ) : sources.data.sources.length === 0 ? (
          <EmptyState icon={<BookOpen className="size-8" />} title="No sources yet">
            {canAdmin ? 'Upload files or add a web page above: the assistant cites what it finds in them.' : 'An admin of this tenant adds documents and web pages here.'}
          </EmptyState>
        ) : (
          <>
            <Table label="Knowledge sources">
              <thead>
                <tr>
                  <th className={th}>Source</th>
                  <th className={th}>Status</th>
                  <th className={`${th} hidden md:table-cell`}>Passages</th>
                  <th className={`${th} hidden lg:table-cell`}>Updated</th>
                  <th className={th}>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {sources.data.sources.map((source) => (
                  <tr key={source.id} data-source={sourceLabel(source)}>
                    <td className={`${td} max-w-72`}>
                      <p className="font-medium break-words">{sourceLabel(source)}</p>
                      {source.url && source.url !== source.title && <p className="font-mono text-xs break-all text-slate-600">{source.url}</p>}
                      {source.filename && source.filename !== source.title && <p className="text-xs break-all text-slate-600">{source.filename}</p>}
                      <p className="text-xs text-slate-600">
                        {source.kind === 'url' && source.crawl ? 'crawl' : source.kind}
                        {describeSize(source) && ` · ${describeSize(source)}`}
                      </p>
                    </td>
                    <td className={td}>
                      <SourceStatus source={source} />
                    </td>
                    <td className={`${td} hidden tabular-nums md:table-cell`}>{formatInteger(source.chunkCount)}</td>
                    <td className={`${td} hidden lg:table-cell`} title={formatDateTime(source.updatedAt)}>
                      {formatRelative(source.indexedAt ?? source.updatedAt)}
                    </td>
                    <td className={`${td} text-right`}>
                      {canAdmin && (
                        <div className="flex flex-wrap justify-end gap-1">
                          <Button
                            size="sm"
                            variant="ghost"
                            icon={<RotateCw className="size-4" aria-hidden="true" />}
                            onClick={() => reindex.mutate(source)}
                            disabled={!isFinal(source.status) || (reindex.isPending && reindex.variables?.id === source.id)}
                            aria-label={`Reindex ${sourceLabel(source)}`}
                          >
                            <span className="hidden sm:inline">Reindex</span>
                          </Button>
                          <Button
                            size="sm"
                            variant="ghost"
                            className="text-red-700 hover:bg-red-50"
                            icon={<Trash2 className="size-4" aria-hidden="true" />}
                            onClick={() => setDeleting(source)}
                            aria-label={`Delete ${sourceLabel(source)}`}
                          >
                            <span className="hidden sm:inline">Delete</span>
                          </Button>
                        </div>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </Table>
            {sources.data.nextCursor && <p className="mt-3 text-xs text-slate-600">Showing the newest 200 sources.</p>}
          </>
        )}
      </Card>
      <ConfirmDialog
        open={deleting !== null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting)}
        title={`Delete ${deleting ? sourceLabel(deleting) : ''}?`}
        confirmLabel="Delete source"
        pending={remove.isPending}
        error={remove.error ? describeError(remove.error).message : null}
      >
        Its passages are removed from the knowledge base at once{deleting?.crawl ? ', with every page the crawl stored' : ''}; the assistant stops citing it. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
