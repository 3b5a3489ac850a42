import { useMutation, useQuery } from '@tanstack/react-query';
import { CHAT_MESSAGE_MAX_CHARS, type TCitation, type TPlaygroundEvent, type TPromptMessage } from '@babble-buddy/shared';
import { AlertTriangle, Bug, ChevronRight, FlaskConical, MessageSquarePlus, Send } from 'lucide-react';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { Badge } from '../components/badge';
import { Button } from '../components/button';
import { CitationList } from '../components/citations';
import { SelectField, TextAreaField } from '../components/fields';
import { Card, PageHeader } from '../components/page';
import { RetrievedChunks, searchModeLabel } from '../components/retrieved-chunks';
import { EmptyState, ErrorState, LoadingState, Notice, Spinner } from '../components/states';
import { agentLabel, formatInteger, formatMs, formatUsd } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';

type PromptDebug = Extract<TPlaygroundEvent, { type: 'debug_prompt' }>;
type UsageDebug = Extract<TPlaygroundEvent, { type: 'debug_usage' }>;

/** One question and its answer, with what the pipeline reported about it. */
interface Turn {
  id: number;
  question: string;
  answer: string;
  state: 'streaming' | 'complete' | 'failed';
  citations: TCitation[];
  knowledgeOnly: boolean;
  error: { message: string; code: string | null } | null;
  prompt: PromptDebug | null;
  usage: UsageDebug | null;
}

const ROLE_LABEL: Record<TPromptMessage['role'], string> = { system: 'System', user: 'User', assistant: 'Assistant' };

/** Applies one stream event to its turn. */
function applyEvent(turn: Turn, event: TPlaygroundEvent): Turn {
  switch (event.type) {
    case 'chunk':
      return { ...turn, answer: turn.answer + event.text };
    case 'citation':
      return turn.citations.some((c) => c.index === event.citation.index) ? turn : { ...turn, citations: [...turn.citations, event.citation] };
    case 'debug_prompt':
      return { ...turn, prompt: event };
    case 'debug_usage':
      return { ...turn, usage: event };
    case 'done':
      return { ...turn, answer: event.response, state: 'complete', knowledgeOnly: event.knowledgeOnly ?? false };
    case 'error':
      return { ...turn, answer: event.partial, state: 'failed', error: { message: event.message, code: event.code } };
    default:
      return turn;
  }
}

function TurnView({ turn, selected, onSelect }: { turn: Turn; selected: boolean; onSelect: () => void }) {
  return (
    <li className="space-y-2">
      <div role="group" className="ml-auto max-w-[85%] rounded-xl border border-sky-200 bg-sky-50 px-4 py-3 sm:max-w-[75%]" aria-label="Your message">
        <p className="text-sm break-words whitespace-pre-wrap text-slate-900">{turn.question}</p>
      </div>
      <div
        role="group"
        aria-label="Assistant answer"
        data-turn-state={turn.state}
        className={`max-w-full rounded-xl border bg-white px-4 py-3 shadow-sm ${selected ? 'border-indigo-300 ring-1 ring-indigo-200' : 'border-slate-200'}`}
      >
        <div className="mb-1 flex flex-wrap items-center gap-2 text-xs text-slate-600">
          <span className="font-semibold text-slate-900">Assistant</span>
          {turn.state === 'streaming' && (
            <span className="inline-flex items-center gap-1" role="status">
              <Spinner className="size-3" /> writing…
            </span>
          )}
          {turn.knowledgeOnly && <Badge tone="amber">knowledge-only: no model reachable</Badge>}
          {turn.state === 'failed' && <Badge tone="red">failed</Badge>}
          <Button size="sm" variant="ghost" className="ml-auto" aria-pressed={selected} onClick={onSelect} icon={<Bug className="size-4" aria-hidden="true" />}>
            Debug
          </Button>
        </div>
        <p className="text-sm break-words whitespace-pre-wrap text-slate-900" data-answer>
          {turn.answer || (turn.state === 'streaming' ? <span className="text-slate-600">…</span> : <span className="text-slate-600">(empty)</span>)}
        </p>
        {turn.error && (
          <p className="mt-2 flex gap-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-800" role="alert">
            <AlertTriangle className="mt-0.5 size-4 shrink-0" aria-hidden="true" />
            <span>
              {turn.error.code && <span className="font-mono">{turn.error.code}: </span>}
              {turn.error.message}
            </span>
          </p>
        )}
        {turn.citations.length > 0 && (
          <div className="mt-3 border-t border-slate-100 pt-2">
            <CitationList citations={turn.citations} />
          </div>
        )}
      </div>
    </li>
  );
}

function Figure({ name, label, value, detail, wide = false }: { name: string; label: string; value: string; detail?: string; wide?: boolean }) {
  return (
    <div className={`min-w-0 rounded-lg border border-slate-200 bg-slate-50 px-3 py-2 ${wide ? 'col-span-2' : ''}`} data-figure={name}>
      <dt className="text-xs font-medium text-slate-600">{label}</dt>
      <dd className="font-mono text-sm font-semibold break-words text-slate-900">{value}</dd>
      {detail && <dd className="text-xs text-slate-600">{detail}</dd>}
    </div>
  );
}

function UsageFigures({ usage, state }: { usage: UsageDebug | null; state: Turn['state'] }) {
  if (!usage) return <p className="text-sm text-slate-600">{state === 'streaming' ? 'Tokens, timings and cost arrive with the end of the answer.' : 'No model call finished for this answer.'}</p>;
  return (
    <>
      <dl className="grid grid-cols-2 gap-2">
        <Figure name="model" label="Model" value={`${usage.provider} · ${usage.model}`} wide />
        <Figure name="tokens" label="Tokens" value={`${formatInteger(usage.promptTokens)} in · ${formatInteger(usage.completionTokens)} out`} />
        <Figure name="cost" label="Cost" value={usage.costUsd === null ? 'unknown' : formatUsd(usage.costUsd)} detail={usage.costUsd === null ? 'no price known for this model' : undefined} />
        <Figure name="ttft" label="Time to first token" value={formatMs(usage.ttftMs)} />
        <Figure name="latency" label="Latency" value={formatMs(usage.latencyMs)} />
      </dl>
      {usage.failedAttempts.length > 0 && (
        <div className="mt-3">
          <Notice tone="warning">
            <p className="font-medium">Tried first, failed:</p>
            <ul className="mt-1 list-disc pl-5">
              {usage.failedAttempts.map((attempt, i) => (
                <li key={i} className="break-words">
                  {attempt.provider} · {attempt.model}: {attempt.error}
                </li>
              ))}
            </ul>
          </Notice>
        </div>
      )}
    </>
  );
}

function PromptMessages({ prompt }: { prompt: PromptDebug }) {
  return (
    <>
      <p className="mb-2 text-xs text-slate-600">
        {formatInteger(prompt.messages.length)} messages · about {formatInteger(prompt.promptTokensEstimate)} tokens
        {prompt.droppedTurns > 0 && ` · ${formatInteger(prompt.droppedTurns)} older turns left out`}
      </p>
      <ol className="space-y-2" aria-label="Prompt messages">
        {prompt.messages.map((message, i) => (
          <li key={i}>
            <details className="group rounded-md border border-slate-200 bg-white text-sm">
              <summary className="flex cursor-pointer list-none items-center gap-2 px-3 py-2">
                <ChevronRight className="size-4 shrink-0 text-slate-600 transition-transform group-open:rotate-90" aria-hidden="true" />
                <span className="font-medium text-slate-900">{ROLE_LABEL[message.role]}</span>
                <span className="min-w-0 truncate text-xs text-slate-600">{formatInteger(message.content.length)} characters</span>
              </summary>
              <pre className="max-h-96 overflow-auto border-t border-slate-200 bg-slate-50 px-3 py-2 font-mono text-xs break-words whitespace-pre-wrap text-slate-800" data-prompt-role={message.role}>
                {message.content}
              </pre>
            </details>
          </li>
        ))}
      </ol>
    </>
  );
}

function DebugPanel({ turn }: { turn: Turn | undefined }) {
  return (
    <Card title="Debug" description={turn ? `For: “${turn.question.length > 60 ? `${turn.question.slice(0, 59)}…` : turn.question}”` : 'What the pipeline did for an answer.'}>
      {!turn ? (
        <EmptyState icon={<Bug className="size-8" />} title="Nothing to show yet">
          Send a message: the chunks retrieval found, the prompt as the model received it, tokens, timings and cost appear here.
        </EmptyState>
      ) : (
        <div className="space-y-5" aria-label="Debug of the selected answer" role="region">
          <section aria-labelledby="debug-usage">
            <h3 id="debug-usage" className="mb-2 text-sm font-semibold text-slate-900">
              Model call
            </h3>
            <UsageFigures usage={turn.usage} state={turn.state} />
          </section>
          <section aria-labelledby="debug-chunks">
            <h3 id="debug-chunks" className="mb-2 text-sm font-semibold text-slate-900">
              Retrieved chunks
            </h3>
            {!turn.prompt ? (
              <LoadingState label="Retrieving…" className="py-4" />
            ) : !turn.prompt.retrieval ? (
              <p className="text-sm text-slate-600">Nothing was retrieved: this agent has no ready knowledge, or nothing matched.</p>
            ) : (
              <>
                <p className="mb-2 text-xs break-words text-slate-600">
                  Searched for “{turn.prompt.retrieval.query}” · {searchModeLabel(turn.prompt.retrieval)}
                </p>
                <RetrievedChunks results={turn.prompt.retrieval.results} label="Retrieved chunks" cited />
              </>
            )}
          </section>
          <section aria-labelledby="debug-prompt">
            <h3 id="debug-prompt" className="mb-2 text-sm font-semibold text-slate-900">
              Assembled prompt
            </h3>
            {turn.prompt ? <PromptMessages prompt={turn.prompt} /> : <LoadingState label="Assembling…" className="py-4" />}
          </section>
        </div>
      )}
    </Card>
  );
}

const DEFAULT_AGENT = '';

export function PlaygroundPage() {
  const { tenant } = useTenant();
  usePageTitle(`Playground · ${tenant.name}`);
  const agents = useQuery({ queryKey: ['agents', tenant.id], queryFn: () => api.agents.list(tenant.id) });
  const [agentId, setAgentId] = useState<string | null>(null);
  const [draft, setDraft] = useState('');
  const [turns, setTurns] = useState<Turn[]>([]);
  const [selected, setSelected] = useState<number | null>(null);
  const [startError, setStartError] = useState<unknown>(null);
  const sessionId = useRef<string | null>(null);
  const nextId = useRef(1);
  const abort = useRef<AbortController | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  // The default agent is preselected once the list arrives.
  const chosenAgent = agentId ?? agents.data?.find((a) => a.isDefault)?.id ?? DEFAULT_AGENT;
  useEffect(() => () => abort.current?.abort(), []);

  const patch = (id: number, change: (turn: Turn) => Turn) => setTurns((list) => list.map((t) => (t.id === id ? change(t) : t)));

  const send = useMutation({
    mutationFn: async (message: string) => {
      const id = nextId.current++;
      const controller = new AbortController();
      abort.current = controller;
      setStartError(null);
      setTurns((list) => [...list, { id, question: message, answer: '', state: 'streaming', citations: [], knowledgeOnly: false, error: null, prompt: null, usage: null }]);
      setSelected(id);
      try {
        const request = { message, ...(sessionId.current ? { sessionId: sessionId.current } : {}), ...(chosenAgent ? { agentId: chosenAgent } : {}) };
        for await (const event of api.playground.chat(tenant.id, request, { signal: controller.signal })) {
          if (event.type === 'meta') sessionId.current = event.sessionId;
          patch(id, (turn) => applyEvent(turn, event));
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        // Refused before anything was stored (rate limit, unknown agent…): the question goes back to the box.
        setTurns((list) => list.filter((t) => t.id !== id));
        setSelected(null);
        setDraft((current) => current || message);
        setStartError(error);
        throw error;
      }
    },
  });

  const submit = () => {
    const message = draft.trim();
    if (!message || send.isPending) return;
    setDraft('');
    send.mutate(message);
  };

  const newConversation = () => {
    abort.current?.abort();
    sessionId.current = null;
    setTurns([]);
    setSelected(null);
    setStartError(null);
    send.reset();
    input.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  const agentOptions = agents.data?.length
    ? agents.data.map((a) => ({ value: a.id, label: agentLabel(a) }))
    : [{ value: DEFAULT_AGENT, label: 'No agents: the tenant’s defaults' }];
  const shown = turns.find((t) => t.id === selected) ?? turns.at(-1);

  return (
    <>
      <PageHeader
        title="Playground"
        description="Chat as a visitor of this tenant: the real pipeline answers (knowledge, prompt, model) and the conversation is stored, marked “playground”."
        actions={
          <Button icon={<MessageSquarePlus className="size-4" aria-hidden="true" />} onClick={newConversation} disabled={turns.length === 0 && !send.isPending}>
            New conversation
          </Button>
        }
      />
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Card title="Conversation" description={sessionId.current ? <span className="font-mono text-xs break-all">session {sessionId.current}</span> : 'A new conversation starts with your first message.'}>
          {agents.isPending ? (
            <LoadingState label="Loading agents…" />
          ) : agents.isError ? (
            <ErrorState error={agents.error} onRetry={() => void agents.refetch()} />
          ) : (
            <div className="space-y-4">
              <SelectField label="Agent" value={chosenAgent} onValueChange={setAgentId} options={agentOptions} disabled={agents.data.length === 0} hint="Its system prompt and its own knowledge sources are used." />
              {turns.length === 0 ? (
                <EmptyState icon={<FlaskConical className="size-8" />} title="Ask something">
                  Write a question a visitor would ask. The answer streams here; the debug panel shows how it was made.
                </EmptyState>
              ) : (
                <ol className="space-y-4" aria-label="Transcript" aria-busy={send.isPending}>
                  {turns.map((turn) => (
                    <TurnView key={turn.id} turn={turn} selected={turn.id === shown?.id} onSelect={() => setSelected(turn.id)} />
                  ))}
                </ol>
              )}
              {startError !== null && <ErrorState title="The message was not sent" error={startError} />}
              <form
                aria-label="Write to the assistant"
                className="space-y-2"
                onSubmit={(event) => {
                  event.preventDefault();
                  submit();
                }}
              >
                <TextAreaField
                  ref={input}
                  label="Message"
                  rows={3}
                  maxLength={CHAT_MESSAGE_MAX_CHARS}
                  hint="Enter sends, Shift+Enter starts a new line."
                  value={draft}
                  onValueChange={setDraft}
                  onKeyDown={onKeyDown}
                />
                <div className="flex justify-end">
                  <Button type="submit" variant="primary" loading={send.isPending} disabled={!draft.trim()} icon={<Send className="size-4" aria-hidden="true" />}>
                    Send
                  </Button>
                </div>
              </form>
            </div>
          )}
        </Card>
        <DebugPanel turn={shown} />
      </div>
      <p className="sr-only" role="status" aria-live="polite">
        {shown?.state === 'complete' ? 'The answer is complete.' : shown?.state === 'failed' ? 'The answer failed.' : ''}
      </p>
    </>
  );
}
