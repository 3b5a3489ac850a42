import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ZEmbeddingConfigInput, ZLlmConfigInput, type TEmbeddingConfig, type TEmbeddingConfigUpdate, type TEmbeddingProvider, type TLlmConfig, type TLlmProvider, type TLlmTestResult } from '@babble-buddy/shared';
import { CheckCircle2, Plug, Plus, RefreshCw, Trash2, XCircle, AlertTriangle } from 'lucide-react';
import { useId, useState } from 'react';
import type { z } from 'zod';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { ApiKeyField } from '../components/api-key-field';
import { Badge } from '../components/badge';
import { Button } from '../components/button';
import { ConfirmDialog } from '../components/dialog';
import { CheckboxField, SelectField, TextField } from '../components/fields';
import { Card, PageHeader, ReadOnlyNotice } from '../components/page';
import { ErrorState, FormError, LoadingState, Notice, Spinner } from '../components/states';
import { useToast } from '../components/toast';
import { optionalNumber, optionalText } from '../forms/issues';
import { useForm } from '../forms/use-form';
import { formatDateTime, formatMs } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';

const PROVIDERS: { value: TLlmProvider; label: string }[] = [
  { value: 'ollama', label: 'Ollama (local models)' },
  { value: 'openai', label: 'OpenAI or OpenAI-compatible' },
];
const DEFAULT_URL: Record<TLlmProvider, string> = { ollama: 'http://127.0.0.1:11434', openai: 'https://api.openai.com/v1' };

interface LlmValues extends Record<string, unknown> {
  provider: TLlmProvider;
  model: string;
  baseUrl: string;
  apiKey: string;
  clearKey: boolean;
  temperature: string;
  maxTokens: string;
  inputPricePer1M: string;
  outputPricePer1M: string;
  enabled: boolean;
}

function initialValues(config: TLlmConfig | undefined): LlmValues {
  return {
    provider: config?.provider ?? 'ollama',
    model: config?.model ?? '',
    baseUrl: config?.baseUrl ?? '',
    apiKey: '',
    clearKey: false,
    temperature: config?.temperature?.toString() ?? '',
    maxTokens: config?.maxTokens?.toString() ?? '',
    inputPricePer1M: config?.inputPricePer1M?.toString() ?? '',
    outputPricePer1M: config?.outputPricePer1M?.toString() ?? '',
    enabled: config?.enabled ?? true,
  };
}

const nullableNumber = (value: string) => optionalNumber(value) ?? null;
const toLlmRequest = (v: LlmValues) => ({
  provider: v.provider,
  model: v.model,
  baseUrl: optionalText(v.baseUrl) ?? null,
  ...(v.clearKey ? { apiKey: null } : optionalText(v.apiKey) ? { apiKey: v.apiKey.trim() } : {}),
  temperature: nullableNumber(v.temperature),
  maxTokens: nullableNumber(v.maxTokens),
  inputPricePer1M: nullableNumber(v.inputPricePer1M),
  outputPricePer1M: nullableNumber(v.outputPricePer1M),
  enabled: v.enabled,
});

/** The outcome of a connection test, worded for an operator, with the provider's exact error. */
function TestResult({ result, model }: { result: TLlmTestResult; model: string }) {
  if (result.status === 'unreachable') {
    return (
      <div className="flex gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900" data-test-result="unreachable">
        <XCircle className="mt-0.5 size-4 shrink-0 text-red-600" aria-hidden="true" />
        <div className="min-w-0">
          <p className="font-semibold">Connection failed{result.latencyMs ? ` after ${formatMs(result.latencyMs)}` : ''}</p>
          <p className="font-mono text-xs break-words">{result.error ?? 'No answer'}</p>
        </div>
      </div>
    );
  }
  const missing = result.modelAvailable === false;
  return (
    <div className={`flex gap-2 rounded-md border px-3 py-2 text-sm ${missing ? 'border-amber-200 bg-amber-50 text-amber-900' : 'border-emerald-200 bg-emerald-50 text-emerald-900'}`} data-test-result="connected">
      {missing ? <AlertTriangle className="mt-0.5 size-4 shrink-0 text-amber-600" aria-hidden="true" /> : <CheckCircle2 className="mt-0.5 size-4 shrink-0 text-emerald-600" aria-hidden="true" />}
      <div>
        <p className="font-semibold">Connected in {formatMs(result.latencyMs)}</p>
        <p>
          {missing
            ? `The provider does not list the model "${model}". Pick one of its ${result.models?.length ?? 0} models, or pull it first.`
            : result.modelAvailable
              ? `The model "${model}" is available.`
              : `${result.models?.length ?? 0} models available.`}
        </p>
      </div>
    </div>
  );
}

function LlmConfigCard({ priority, config, onDiscard }: { priority: number; config: TLlmConfig | undefined; onDiscard?: () => void }) {
  const { tenant, canAdmin } = useTenant();
  const queryClient = useQueryClient();
  const toast = useToast();
  const listId = useId();
  const form = useForm<LlmValues, typeof ZLlmConfigInput>({ initial: initialValues(config), schema: ZLlmConfigInput, toRequest: toLlmRequest });
  const [test, setTest] = useState<TLlmTestResult | null>(null);
  const [removing, setRemoving] = useState(false);
  const v = form.values;

  // The models the provider serves, for the model field (admins only: the gateway makes the call).
  const probeRequest = { provider: v.provider, baseUrl: optionalText(v.baseUrl) ?? null, priority, ...(optionalText(v.apiKey) && !v.clearKey ? { apiKey: v.apiKey.trim() } : {}) };
  const models = useQuery({
    queryKey: ['llm-models', tenant.id, priority, config?.updatedAt ?? 'new', v.provider],
    queryFn: () => api.llm.models(tenant.id, probeRequest),
    enabled: canAdmin && config !== undefined,
    retry: false,
    staleTime: 5 * 60_000,
  });
  const listed = test?.models ?? models.data?.models ?? [];

  const save = useMutation({
    mutationFn: (request: z.output<typeof ZLlmConfigInput>) => api.llm.save(tenant.id, priority, request),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['llm', tenant.id] });
      form.reset(initialValues(saved));
      toast.success(priority === 0 ? 'Primary model saved' : `Fallback ${priority} saved`);
    },
    onError: (error) => form.showServerError(error),
  });
  const probe = useMutation({
    mutationFn: () => api.llm.models(tenant.id, { ...probeRequest, ...(v.model.trim() ? { model: v.model.trim() } : {}) }),
    onMutate: () => setTest(null),
    onSuccess: setTest,
    onError: (error) => form.setFormError(describeError(error).message),
  });
  const remove = useMutation({
    mutationFn: () => api.llm.remove(tenant.id, priority),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['llm', tenant.id] });
      setRemoving(false);
      toast.success(priority === 0 ? 'Primary model removed: the server default applies' : `Fallback ${priority} removed`);
    },
  });

  const title = priority === 0 ? 'Primary model' : `Fallback ${priority}`;
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          {title}
          {config && !config.enabled && <Badge tone="amber">disabled</Badge>}
          {!config && <Badge tone="sky">not saved</Badge>}
        </span>
      }
      description={priority === 0 ? 'Answers every conversation of this tenant.' : 'Tried in order when the models before it fail.'}
      actions={
        canAdmin &&
        (config ? (
          <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" icon={<Trash2 className="size-4" aria-hidden="true" />} onClick={() => setRemoving(true)}>
            Remove
          </Button>
        ) : (
          onDiscard && (
            <Button size="sm" variant="ghost" onClick={onDiscard}>
              Discard
            </Button>
          )
        ))
      }
    >
      <form
        noValidate
        className="space-y-4"
        aria-label={title}
        onSubmit={(e) => {
          e.preventDefault();
          const request = form.validate();
          if (request) save.mutate(request);
        }}
      >
        <FormError message={form.formError} />
        <fieldset disabled={!canAdmin} className="grid gap-4 md:grid-cols-2">
          <SelectField label="Provider" value={v.provider} onValueChange={(p) => form.set('provider', p)} options={PROVIDERS} error={form.errors['provider']} />
          <TextField
            label="Base URL"
            type="url"
            spellCheck={false}
            placeholder={DEFAULT_URL[v.provider]}
            hint={`Empty: ${DEFAULT_URL[v.provider]}`}
            value={v.baseUrl}
            onValueChange={(value) => form.set('baseUrl', value)}
            error={form.errors['baseUrl']}
          />
          <div className="space-y-1.5">
            <TextField
              label="Model"
              list={listId}
              spellCheck={false}
              placeholder={v.provider === 'ollama' ? 'llama3.2' : 'gpt-4o-mini'}
              value={v.model}
              onValueChange={(value) => form.set('model', value)}
              error={form.errors['model']}
              required
              hint={
                models.isFetching
                  ? 'Asking the provider for its models…'
                  : listed.length
                    ? `${listed.length} models listed by the provider: pick one or type a name.`
                    : models.data?.error
                      ? `The provider's models could not be listed: ${models.data.error}`
                      : canAdmin
                        ? 'Type the model name, or test the connection to list the provider’s models.'
                        : undefined
              }
            />
            <datalist id={listId}>
              {listed.map((name) => (
                <option key={name} value={name} />
              ))}
            </datalist>
          </div>
          <ApiKeyField
            stored={config?.hasApiKey ?? false}
            value={v.apiKey}
            onValueChange={(value) => form.set('apiKey', value)}
            clear={v.clearKey}
            onClearChange={(clear) => form.set('clearKey', clear)}
            error={form.errors['apiKey']}
            hint={v.provider === 'ollama' ? 'Ollama needs none.' : undefined}
          />
          <TextField label="Temperature" inputMode="decimal" hint="0 (focused) to 2 (creative). Empty: the model's default." value={v.temperature} onValueChange={(value) => form.set('temperature', value)} error={form.errors['temperature']} />
          <TextField label="Max tokens per answer" inputMode="numeric" hint="Empty: the model's default." value={v.maxTokens} onValueChange={(value) => form.set('maxTokens', value)} error={form.errors['maxTokens']} />
          <TextField label="Input price (USD per 1M tokens)" inputMode="decimal" hint="For cost figures; empty: the built-in price list." value={v.inputPricePer1M} onValueChange={(value) => form.set('inputPricePer1M', value)} error={form.errors['inputPricePer1M']} />
          <TextField label="Output price (USD per 1M tokens)" inputMode="decimal" value={v.outputPricePer1M} onValueChange={(value) => form.set('outputPricePer1M', value)} error={form.errors['outputPricePer1M']} />
          <div className="md:col-span-2">
            <CheckboxField label="Enabled" hint="A disabled model is skipped." checked={v.enabled} onCheckedChange={(checked) => form.set('enabled', checked)} disabled={!canAdmin} />
          </div>
        </fieldset>
        <div aria-live="polite" className="space-y-2">
          {probe.isPending && (
            <p className="flex items-center gap-2 text-sm text-slate-700">
              <Spinner className="size-4" /> Testing the connection…
            </p>
          )}
          {test && <TestResult result={test} model={v.model.trim()} />}
        </div>
        {canAdmin && (
          <div className="flex flex-wrap items-center gap-2">
            <Button type="submit" variant="primary" loading={save.isPending}>
              Save
            </Button>
            <Button icon={<Plug className="size-4" aria-hidden="true" />} loading={probe.isPending} onClick={() => probe.mutate()}>
              Test connection
            </Button>
            {config && (
              <Button variant="ghost" icon={<RefreshCw className="size-4" aria-hidden="true" />} onClick={() => void models.refetch()} disabled={models.isFetching}>
                Reload models
              </Button>
            )}
            {config && <span className="text-xs text-slate-600">Saved {formatDateTime(config.updatedAt)}</span>}
          </div>
        )}
      </form>
      <ConfirmDialog
        open={removing}
        onClose={() => setRemoving(false)}
        onConfirm={() => remove.mutate()}
        title={`Remove the ${title.toLowerCase()}?`}
        confirmLabel="Remove"
        pending={remove.isPending}
        error={remove.error ? describeError(remove.error).message : null}
      >
        {priority === 0 ? 'Conversations will use the server’s default model until you save another.' : 'It will no longer be tried when the models before it fail.'}
      </ConfirmDialog>
    </Card>
  );
}

interface EmbeddingValues extends Record<string, unknown> {
  provider: TEmbeddingProvider;
  model: string;
  baseUrl: string;
  apiKey: string;
  clearKey: boolean;
  dimensions: string;
}

function embeddingValues(config: TEmbeddingConfig): EmbeddingValues {
  return { provider: config.provider, model: config.model ?? '', baseUrl: config.baseUrl ?? '', apiKey: '', clearKey: false, dimensions: config.dimensions?.toString() ?? '' };
}

const toEmbeddingRequest = (v: EmbeddingValues) => ({
  provider: v.provider,
  ...(v.provider === 'none' ? {} : { model: optionalText(v.model) }),
  baseUrl: optionalText(v.baseUrl) ?? null,
  ...(v.clearKey ? { apiKey: null } : optionalText(v.apiKey) ? { apiKey: v.apiKey.trim() } : {}),
  dimensions: optionalNumber(v.dimensions) ?? null,
});

function EmbeddingCard({ config }: { config: TEmbeddingConfig }) {
  const { tenant, canAdmin } = useTenant();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<EmbeddingValues, typeof ZEmbeddingConfigInput>({ initial: embeddingValues(config), schema: ZEmbeddingConfigInput, toRequest: toEmbeddingRequest });
  const v = form.values;
  const onSaved = (update: TEmbeddingConfigUpdate, message: string) => {
    queryClient.setQueryData(['embedding', tenant.id], update.config);
    form.reset(embeddingValues(update.config));
    toast.success(update.reindexing ? `${message}; the knowledge base is being indexed again with the new model` : message);
  };
  const save = useMutation({
    mutationFn: (request: z.output<typeof ZEmbeddingConfigInput>) => api.embedding.save(tenant.id, request),
    onSuccess: (update) => onSaved(update, 'Embedding settings saved'),
    onError: (error) => form.showServerError(error),
  });
  const reset = useMutation({
    mutationFn: () => api.embedding.reset(tenant.id),
    onSuccess: (update) => onSaved(update, 'Back to the server’s default embedding model'),
    onError: (error) => form.showServerError(error),
  });
  return (
    <Card
      title={
        <span className="flex items-center gap-2">
          Embeddings {config.source === 'default' ? <Badge>server default</Badge> : <Badge tone="indigo">this tenant</Badge>}
        </span>
      }
      description="The model that turns knowledge and questions into vectors for search. None: full-text search only."
    >
      <form
        noValidate
        className="space-y-4"
        aria-label="Embeddings"
        onSubmit={(e) => {
          e.preventDefault();
          const request = form.validate();
          if (request) save.mutate(request);
        }}
      >
        {config.source === 'default' && (
          <Notice>
            This tenant uses the server’s default: {config.label ? <span className="font-mono">{config.label}</span> : 'full-text search only'}.{canAdmin ? ' Save settings here to give it its own.' : ''}
          </Notice>
        )}
        <FormError message={form.formError} />
        <fieldset disabled={!canAdmin} className="grid gap-4 md:grid-cols-2">
          <SelectField
            label="Provider"
            value={v.provider}
            onValueChange={(p) => form.set('provider', p)}
            options={[...PROVIDERS, { value: 'none' as const, label: 'None (full-text search only)' }]}
            error={form.errors['provider']}
          />
          {v.provider !== 'none' && (
            <>
              <TextField label="Embedding model" spellCheck={false} placeholder={v.provider === 'ollama' ? 'nomic-embed-text' : 'text-embedding-3-small'} value={v.model} onValueChange={(value) => form.set('model', value)} error={form.errors['model']} required />
              <TextField label="Base URL" type="url" spellCheck={false} placeholder={DEFAULT_URL[v.provider]} value={v.baseUrl} onValueChange={(value) => form.set('baseUrl', value)} error={form.errors['baseUrl']} />
              <TextField label="Dimensions" inputMode="numeric" hint="Only for models that can shorten their vectors (OpenAI text-embedding-3-*). Empty: the model's own." value={v.dimensions} onValueChange={(value) => form.set('dimensions', value)} error={form.errors['dimensions']} />
              <ApiKeyField stored={config.hasApiKey} value={v.apiKey} onValueChange={(value) => form.set('apiKey', value)} clear={v.clearKey} onClearChange={(clear) => form.set('clearKey', clear)} error={form.errors['apiKey']} />
            </>
          )}
        </fieldset>
        {canAdmin && (
          <>
            <p className="text-sm text-slate-600">Changing the embedding model indexes the knowledge base again in the background; search uses the new vectors when it is done.</p>
            <div className="flex flex-wrap gap-2">
              <Button type="submit" variant="primary" loading={save.isPending}>
                Save embeddings
              </Button>
              {config.source === 'tenant' && (
                <Button loading={reset.isPending} onClick={() => reset.mutate()}>
                  Use the server default
                </Button>
              )}
            </div>
          </>
        )}
      </form>
    </Card>
  );
}

export function ModelPage() {
  const { tenant, role, canAdmin } = useTenant();
  usePageTitle(`Model settings · ${tenant.name}`);
  const llm = useQuery({ queryKey: ['llm', tenant.id], queryFn: () => api.llm.list(tenant.id) });
  const embedding = useQuery({ queryKey: ['embedding', tenant.id], queryFn: () => api.embedding.get(tenant.id) });
  const [drafts, setDrafts] = useState<number[]>([]);

  if (llm.isPending || embedding.isPending) return <LoadingState label="Loading the model settings…" />;
  if (llm.isError || embedding.isError) return <ErrorState error={llm.error ?? embedding.error} onRetry={() => void (llm.refetch(), embedding.refetch())} />;

  const saved = new Map(llm.data.map((c) => [c.priority, c]));
  const priorities = [...new Set([0, ...saved.keys(), ...drafts])].sort((a, b) => a - b);
  const nextFree = Array.from({ length: 10 }, (_, i) => i).find((p) => !priorities.includes(p));

  return (
    <>
      <PageHeader title="Model settings" description="Which model answers this tenant’s visitors, what it may cost, and what happens when it fails." />
      {!canAdmin && <ReadOnlyNotice role={role} what="the model settings" />}
      {!saved.has(0) && <div className="mb-4"><Notice>No model is saved for this tenant yet: it uses the server’s default model from its environment.</Notice></div>}
      <div className="space-y-6">
        {priorities.map((priority) => (
          <LlmConfigCard key={`${priority}-${saved.get(priority)?.updatedAt ?? 'draft'}`} priority={priority} config={saved.get(priority)} onDiscard={priority === 0 ? undefined : () => setDrafts((d) => d.filter((p) => p !== priority))} />
        ))}
        {canAdmin && nextFree !== undefined && (
          <Button icon={<Plus className="size-4" aria-hidden="true" />} onClick={() => setDrafts((d) => [...d, nextFree])}>
            Add a fallback model
          </Button>
        )}
        <EmbeddingCard key={embedding.data.updatedAt ?? 'default'} config={embedding.data} />
      </div>
    </>
  );
}
