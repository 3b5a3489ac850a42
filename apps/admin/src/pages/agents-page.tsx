import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ZAgentInput, type TAgent } from '@babble-buddy/shared';
import { Bot, Pencil, Plus, Star, Trash2 } from 'lucide-react';
import { useState } from 'react';
import type { z } from 'zod';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { Badge } from '../components/badge';
import { Button } from '../components/button';
import { ConfirmDialog, Dialog, DialogActions } from '../components/dialog';
import { CheckboxField, TextAreaField, TextField } from '../components/fields';
import { PageHeader, ReadOnlyNotice } from '../components/page';
import { EmptyState, ErrorState, FormError, LoadingState } from '../components/states';
import { useToast } from '../components/toast';
import { useForm } from '../forms/use-form';
import { formatRelative } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';

const PROMPT_MAX = 20_000;

interface Values extends Record<string, unknown> {
  name: string;
  systemPrompt: string;
  isDefault: boolean;
}

const toRequest = (v: Values) => ({ name: v.name, systemPrompt: v.systemPrompt, isDefault: v.isDefault });

function AgentDialog({ agent, onClose, isFirst }: { agent: TAgent | null; onClose: () => void; isFirst: boolean }) {
  const { tenant } = useTenant();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<Values, typeof ZAgentInput>({
    initial: { name: agent?.name ?? '', systemPrompt: agent?.systemPrompt ?? '', isDefault: agent?.isDefault ?? isFirst },
    schema: ZAgentInput,
    toRequest,
  });
  const save = useMutation({
    mutationFn: (request: z.output<typeof ZAgentInput>) =>
      agent ? api.agents.update(tenant.id, agent.id, agent.isDefault ? { name: request.name, systemPrompt: request.systemPrompt } : request) : api.agents.create(tenant.id, request),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ['agents', tenant.id] });
      toast.success(`${saved.name} saved`);
      onClose();
    },
    onError: (error) => form.showServerError(error),
  });
  const chars = form.values.systemPrompt.length;
  return (
    <Dialog
      open
      size="lg"
      onClose={onClose}
      title={agent ? `Edit ${agent.name}` : 'New agent'}
      description="An agent is a persona: a name and the system prompt the model follows."
      onSubmit={() => {
        const request = form.validate();
        if (request) save.mutate(request);
      }}
      footer={<DialogActions onCancel={onClose} submitLabel="Save agent" pending={save.isPending} />}
    >
      <FormError message={form.formError} />
      <TextField label="Name" value={form.values.name} onValueChange={(v) => form.set('name', v)} error={form.errors['name']} required />
      <TextAreaField
        label="System prompt"
        rows={12}
        hint={`${chars.toLocaleString('en')} / ${PROMPT_MAX.toLocaleString('en')} characters. Tell the assistant who it is, what it may answer and how to behave when it does not know.`}
        value={form.values.systemPrompt}
        onValueChange={(v) => form.set('systemPrompt', v)}
        error={form.errors['systemPrompt']}
      />
      {!agent?.isDefault && (
        <CheckboxField label="Default agent" hint="Conversations that name no agent use the default." checked={form.values.isDefault} onCheckedChange={(checked) => form.set('isDefault', checked)} />
      )}
    </Dialog>
  );
}

export function AgentsPage() {
  const { tenant, role, canAdmin } = useTenant();
  usePageTitle(`Agents · ${tenant.name}`);
  const queryClient = useQueryClient();
  const toast = useToast();
  const agents = useQuery({ queryKey: ['agents', tenant.id], queryFn: () => api.agents.list(tenant.id) });
  const [editing, setEditing] = useState<TAgent | 'new' | null>(null);
  const [deleting, setDeleting] = useState<TAgent | null>(null);
  const makeDefault = useMutation({
    mutationFn: (agent: TAgent) => api.agents.update(tenant.id, agent.id, { isDefault: true }),
    onSuccess: async (agent) => {
      await queryClient.invalidateQueries({ queryKey: ['agents', tenant.id] });
      toast.success(`${agent.name} is now the default agent`);
    },
    onError: (error) => toast.error(describeError(error).message),
  });
  const remove = useMutation({
    mutationFn: (agent: TAgent) => api.agents.remove(tenant.id, agent.id),
    onSuccess: async (_r, agent) => {
      await queryClient.invalidateQueries({ queryKey: ['agents', tenant.id] });
      toast.success(`${agent.name} deleted`);
      setDeleting(null);
    },
  });

  return (
    <>
      <PageHeader
        title="Agents & system prompts"
        description="Each tenant has one default agent; others can be chosen per conversation."
        actions={
          canAdmin && (
            <Button variant="primary" icon={<Plus className="size-4" aria-hidden="true" />} onClick={() => setEditing('new')}>
              New agent
            </Button>
          )
        }
      />
      {!canAdmin && <ReadOnlyNotice role={role} what="the agents and their prompts" />}
      {agents.isPending ? (
        <LoadingState />
      ) : agents.isError ? (
        <ErrorState error={agents.error} onRetry={() => void agents.refetch()} />
      ) : agents.data.length === 0 ? (
        <EmptyState icon={<Bot className="size-8" />} title="No agents" action={canAdmin && <Button onClick={() => setEditing('new')}>Create an agent</Button>}>
          Without an agent, the assistant answers with a generic prompt.
        </EmptyState>
      ) : (
        <ul className="grid gap-4 lg:grid-cols-2">
          {agents.data.map((agent) => (
            <li key={agent.id} className="flex flex-col rounded-xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5">
              <div className="flex items-start justify-between gap-3">
                <div className="min-w-0">
                  <h2 className="flex flex-wrap items-center gap-2 text-base font-semibold text-slate-900">
                    {agent.name}
                    {agent.isDefault && (
                      <Badge tone="indigo">
                        <Star className="size-3" aria-hidden="true" /> default
                      </Badge>
                    )}
                  </h2>
                  <p className="text-xs text-slate-600">Edited {formatRelative(agent.updatedAt)}</p>
                </div>
              </div>
              <pre className="mt-3 max-h-40 flex-1 overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs whitespace-pre-wrap text-slate-800">{agent.systemPrompt || '(empty prompt)'}</pre>
              {canAdmin && (
                <div className="mt-3 flex flex-wrap gap-2">
                  <Button size="sm" icon={<Pencil className="size-4" aria-hidden="true" />} onClick={() => setEditing(agent)} aria-label={`Edit ${agent.name}`}>
                    Edit
                  </Button>
                  {!agent.isDefault && (
                    <Button size="sm" icon={<Star className="size-4" aria-hidden="true" />} loading={makeDefault.isPending && makeDefault.variables?.id === agent.id} onClick={() => makeDefault.mutate(agent)}>
                      Make default
                    </Button>
                  )}
                  <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" icon={<Trash2 className="size-4" aria-hidden="true" />} onClick={() => setDeleting(agent)} aria-label={`Delete ${agent.name}`}>
                    Delete
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {editing && <AgentDialog agent={editing === 'new' ? null : editing} isFirst={(agents.data?.length ?? 0) === 0} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={deleting !== null}
        onClose={() => {
          setDeleting(null);
          remove.reset();
        }}
        onConfirm={() => deleting && remove.mutate(deleting)}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete agent"
        pending={remove.isPending}
        error={remove.error ? describeError(remove.error).message : null}
      >
        {deleting?.isDefault ? 'It is the default agent: the oldest remaining agent becomes the default. ' : ''}Past conversations keep their messages.
      </ConfirmDialog>
    </>
  );
}
