import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ErrorCode, type TConversationExportFormat, type TTranscriptMessage } from '@babble-buddy/shared';
import { AlertTriangle, ArrowLeft, ChevronRight, Download, ThumbsDown, ThumbsUp, Trash2, Wrench } from 'lucide-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api } from '../api/client';
import { describeError, errorCode } from '../api/errors';
import { Badge } from '../components/badge';
import { Button } from '../components/button';
import { CitationList } from '../components/citations';
import { ConfirmDialog } from '../components/dialog';
import { ErrorState, LoadingState } from '../components/states';
import { Stat } from '../components/stat';
import { useToast } from '../components/toast';
import { saveFile } from '../lib/download';
import { formatDateTime, formatInteger, formatMs, formatUsd } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';
import { STATUS_TONE } from './conversations-page';
import { NotFoundPage } from './not-found-page';

const ROLE_LABEL: Record<TTranscriptMessage['role'], string> = { user: 'Visitor', assistant: 'Assistant', operator: 'Operator', system: 'System', tool: 'Tool' };
const ROLE_STYLE: Record<TTranscriptMessage['role'], string> = {
  user: 'border-sky-200 bg-sky-50',
  assistant: 'border-slate-200 bg-white',
  operator: 'border-violet-200 bg-violet-50',
  system: 'border-slate-200 bg-slate-50',
  tool: 'border-slate-200 bg-slate-50',
};

function Json({ value }: { value: unknown }) {
  return <pre className="overflow-x-auto rounded bg-slate-900 p-2 font-mono text-xs text-slate-100">{JSON.stringify(value, null, 2)}</pre>;
}

function Message({ message }: { message: TTranscriptMessage }) {
  const meta = [
    message.model && `${message.provider ? `${message.provider} · ` : ''}${message.model}`,
    message.promptTokens !== null && `${formatInteger(message.promptTokens)} in`,
    message.completionTokens !== null && `${formatInteger(message.completionTokens)} out`,
    message.latencyMs !== null && `${formatMs(message.latencyMs)} total`,
    message.ttftMs !== null && `${formatMs(message.ttftMs)} to first token`,
    message.costUsd !== null && formatUsd(message.costUsd),
  ].filter(Boolean) as string[];
  return (
    <li className={`rounded-xl border p-4 shadow-sm ${ROLE_STYLE[message.role]}`} aria-label={`${ROLE_LABEL[message.role]} message`}>
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs text-slate-600">
        <span className="font-semibold text-slate-900">{ROLE_LABEL[message.role]}</span>
        <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
        {message.status !== 'complete' && <Badge tone={message.status === 'failed' ? 'red' : 'amber'}>{message.status}</Badge>}
        {message.feedback !== null &&
          (message.feedback > 0 ? (
            <span className="inline-flex items-center gap-1 text-emerald-700">
              <ThumbsUp className="size-3.5" aria-hidden="true" /> rated good
            </span>
          ) : (
            <span className="inline-flex items-center gap-1 text-red-700">
              <ThumbsDown className="size-3.5" aria-hidden="true" /> rated bad
            </span>
          ))}
      </div>
      <p className="text-sm break-words whitespace-pre-wrap text-slate-900">{message.content || <span className="text-slate-600">(empty)</span>}</p>
      {message.error && (
        <p className="mt-2 flex gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
          <span>
            <span className="font-mono">{message.error.code}</span>: {message.error.message}
          </span>
        </p>
      )}
      {message.toolCalls.length > 0 && (
        <div className="mt-3 space-y-2">
          {message.toolCalls.map((call, i) => (
            <details key={call.id ?? i} className="group rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm">
              <summary className="flex cursor-pointer list-none flex-wrap items-center gap-2">
                <ChevronRight className="size-4 text-slate-600 transition-transform group-open:rotate-90" aria-hidden="true" />
                <Wrench className="size-4 text-slate-600" aria-hidden="true" />
                <span className="font-mono font-medium">{call.name}</span>
                {call.status && <Badge tone={call.status === 'failed' ? 'red' : 'gray'}>{call.status}</Badge>}
                {call.durationMs !== undefined && <span className="text-xs text-slate-600">{formatMs(call.durationMs)}</span>}
              </summary>
              <div className="mt-2 space-y-2">
                <p className="text-xs font-semibold text-slate-700">Arguments</p>
                <Json value={call.arguments ?? {}} />
                {call.result !== undefined && (
                  <>
                    <p className="text-xs font-semibold text-slate-700">Result</p>
                    <Json value={call.result} />
                  </>
                )}
              </div>
            </details>
          ))}
        </div>
      )}
      {message.citations.length > 0 && (
        <div className="mt-3">
          <CitationList citations={message.citations} />
        </div>
      )}
      {meta.length > 0 && <p className="mt-3 border-t border-slate-100 pt-2 font-mono text-xs text-slate-600">{meta.join(' · ')}</p>}
    </li>
  );
}

export function ConversationPage() {
  const { tenant, canAdmin } = useTenant();
  const { conversationId = '' } = useParams();
  usePageTitle(`Conversation · ${tenant.name}`);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [deleting, setDeleting] = useState(false);
  const detail = useQuery({ queryKey: ['conversation', tenant.id, conversationId], queryFn: () => api.conversations.get(tenant.id, conversationId) });
  const exporter = useMutation({
    mutationFn: (format: TConversationExportFormat) => api.conversations.export(tenant.id, conversationId, format),
    onSuccess: (file) => {
      saveFile(file);
      toast.success(`Exported ${file.filename}`);
    },
    onError: (error) => toast.error(describeError(error).message),
  });
  const remove = useMutation({
    mutationFn: () => api.conversations.remove(tenant.id, conversationId),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: ['conversation', tenant.id, conversationId] });
      await queryClient.invalidateQueries({ queryKey: ['conversations', tenant.id] });
      toast.success('The conversation and its messages were deleted');
      navigate(`/t/${tenant.id}/conversations`, { replace: true });
    },
  });

  if (detail.isPending) return <LoadingState label="Loading the conversation…" />;
  if (detail.isError) {
    if (errorCode(detail.error) === ErrorCode.NotFound) return <NotFoundPage what="conversation" />;
    return <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />;
  }
  const { conversation, messages, totals } = detail.data;

  return (
    <>
      <Link to={`/t/${tenant.id}/conversations`} className="mb-4 inline-flex items-center gap-1.5 text-sm font-medium text-slate-700 hover:text-slate-900">
        <ArrowLeft className="size-4" aria-hidden="true" /> Conversations
      </Link>
      <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-start sm:justify-between">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-2xl font-semibold tracking-tight text-slate-900">
            Conversation <Badge tone={STATUS_TONE[conversation.status]}>{conversation.status}</Badge>
          </h1>
          <p className="mt-1 font-mono text-xs break-all text-slate-600">session {conversation.sessionId}</p>
        </div>
        <div className="flex flex-wrap gap-2">
          <Button icon={<Download className="size-4" aria-hidden="true" />} loading={exporter.isPending && exporter.variables === 'json'} onClick={() => exporter.mutate('json')}>
            Export JSON
          </Button>
          <Button icon={<Download className="size-4" aria-hidden="true" />} loading={exporter.isPending && exporter.variables === 'csv'} onClick={() => exporter.mutate('csv')}>
            Export CSV
          </Button>
          {canAdmin && (
            <Button variant="danger" icon={<Trash2 className="size-4" aria-hidden="true" />} onClick={() => setDeleting(true)}>
              Delete
            </Button>
          )}
        </div>
      </div>
      <dl className="mb-6 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat label="Started" small value={formatDateTime(conversation.createdAt)} detail={`last active ${formatDateTime(conversation.lastActivityAt)}`} />
        <Stat label="Messages" value={formatInteger(messages.length)} detail={`${formatInteger(totals.llmRequests)} model call${totals.llmRequests === 1 ? '' : 's'}`} />
        <Stat label="Tokens" value={formatInteger(totals.promptTokens + totals.completionTokens)} detail={`${formatInteger(totals.promptTokens)} in · ${formatInteger(totals.completionTokens)} out`} />
        <Stat label="Cost" value={formatUsd(totals.costUsd)} detail={totals.costUsd === null ? 'no price known for the model' : undefined} />
      </dl>
      <div className="mb-6 grid gap-x-6 gap-y-1 rounded-xl border border-slate-200 bg-white p-4 text-sm shadow-sm sm:grid-cols-2">
        <p>
          <span className="text-slate-600">Visitor: </span>
          {conversation.email ?? conversation.visitorId ?? 'anonymous'}
        </p>
        <p>
          <span className="text-slate-600">Agent: </span>
          {conversation.agentName ?? 'default'}
        </p>
        <p className="break-all">
          <span className="text-slate-600">Origin: </span>
          {conversation.origin ?? 'server (secret key)'}
        </p>
        {conversation.hostContext && (
          <details className="sm:col-span-2">
            <summary className="cursor-pointer text-slate-700">Context sent by the host page</summary>
            <div className="mt-2">
              <Json value={conversation.hostContext} />
            </div>
          </details>
        )}
      </div>
      <h2 className="mb-3 text-lg font-semibold text-slate-900">Transcript</h2>
      <ol className="space-y-3">
        {messages.map((message) => (
          <Message key={message.id} message={message} />
        ))}
      </ol>
      <ConfirmDialog
        open={deleting}
        onClose={() => {
          setDeleting(false);
          remove.reset();
        }}
        onConfirm={() => remove.mutate()}
        title="Delete this conversation?"
        confirmLabel="Delete for good"
        pending={remove.isPending}
        error={remove.error ? describeError(remove.error).message : null}
      >
        The conversation and its {formatInteger(messages.length)} messages are deleted from the database for good (usage figures keep their token counts, without the
        text). This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
