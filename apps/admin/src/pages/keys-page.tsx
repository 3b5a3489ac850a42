import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ZCreateKeyRequest, ZUpdateKeyRequest, type TApiKey, type TCreatedKey, type TKeyKind } from '@babble-buddy/shared';
import { KeyRound, Pencil, Plus } from 'lucide-react';
import { useState } from 'react';
import type { z } from 'zod';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { Badge } from '../components/badge';
import { Button } from '../components/button';
import { SecretBox } from '../components/copy-button';
import { ConfirmDialog, Dialog, DialogActions } from '../components/dialog';
import { SelectField, TextAreaField, TextField } from '../components/fields';
import { Card, PageHeader, ReadOnlyNotice, Table, td, th } from '../components/page';
import { EmptyState, ErrorState, FormError, LoadingState, Notice } from '../components/states';
import { useToast } from '../components/toast';
import { lines, optionalNumber, optionalText } from '../forms/issues';
import { useForm } from '../forms/use-form';
import { formatDate, formatDateTime, formatInteger, formatRelative } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';

function keyState(key: TApiKey): { label: string; tone: 'green' | 'red' | 'amber' } {
  if (key.revokedAt) return { label: 'revoked', tone: 'red' };
  if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return { label: 'expired', tone: 'amber' };
  return { label: 'active', tone: 'green' };
}

interface Values extends Record<string, string> {
  kind: TKeyKind;
  name: string;
  allowedOrigins: string;
  rateLimitPerMinute: string;
  expiresOn: string;
}
const INITIAL: Values = { kind: 'publishable', name: '', allowedOrigins: '', rateLimitPerMinute: '', expiresOn: '' };

/** A date picked in the form expires at the end of that local day. */
function endOfDay(date: string): string | undefined {
  if (!date) return undefined;
  const end = new Date(`${date}T23:59:59`);
  return Number.isNaN(end.getTime()) ? 'invalid' : end.toISOString();
}

const toRequest = (v: Values) => ({
  kind: v.kind,
  name: optionalText(v.name),
  allowedOrigins: v.kind === 'publishable' && lines(v.allowedOrigins).length ? lines(v.allowedOrigins) : undefined,
  rateLimitPerMinute: optionalNumber(v.rateLimitPerMinute),
  expiresAt: endOfDay(v.expiresOn),
});

function CreateKeyDialog({ tenantId, open, onClose, onCreated }: { tenantId: string; open: boolean; onClose: () => void; onCreated: (key: TCreatedKey) => void }) {
  const queryClient = useQueryClient();
  const form = useForm<Values, typeof ZCreateKeyRequest>({ initial: INITIAL, schema: ZCreateKeyRequest, toRequest });
  const create = useMutation({
    mutationFn: (request: z.output<typeof ZCreateKeyRequest>) => api.keys.create(tenantId, request),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['keys', tenantId] });
      form.reset(INITIAL);
      onCreated(created);
    },
    onError: (error) => form.showServerError(error),
  });
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="New API key"
      onSubmit={() => {
        const request = form.validate();
        if (request) create.mutate(request);
      }}
      footer={<DialogActions onCancel={onClose} submitLabel="Create key" pending={create.isPending} />}
    >
      <FormError message={form.formError} />
      <SelectField
        label="Kind"
        value={form.values.kind}
        onValueChange={(v) => form.set('kind', v)}
        options={[
          { value: 'publishable', label: 'Publishable (pk_…): for the widget in web pages' },
          { value: 'secret', label: 'Secret (sk_…): for your servers only' },
        ]}
        error={form.errors['kind']}
      />
      <TextField label="Name" hint="What it is for, e.g. Shop widget." value={form.values.name} onValueChange={(v) => form.set('name', v)} error={form.errors['name']} />
      {form.values.kind === 'publishable' && (
        <TextAreaField
          label="Allowed origins"
          hint="Sites that may use this key, one per line, e.g. https://shop.example.com. Browsers on other sites are refused."
          rows={3}
          spellCheck={false}
          value={form.values.allowedOrigins}
          onValueChange={(v) => form.set('allowedOrigins', v)}
          error={form.errors['allowedOrigins']}
        />
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Rate limit (requests a minute)"
          inputMode="numeric"
          hint="Empty: the tenant's limit."
          value={form.values.rateLimitPerMinute}
          onValueChange={(v) => form.set('rateLimitPerMinute', v)}
          error={form.errors['rateLimitPerMinute']}
        />
        <TextField label="Expires on" type="date" hint="Empty: never." value={form.values.expiresOn} onValueChange={(v) => form.set('expiresOn', v)} error={form.errors['expiresAt']} />
      </div>
    </Dialog>
  );
}

interface EditValues extends Record<string, string> {
  name: string;
  allowedOrigins: string;
  rateLimitPerMinute: string;
  expiresOn: string;
}

/** An ISO time as the local date a date input shows. */
function localDate(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function EditKeyDialog({ tenantId, apiKey, onClose }: { tenantId: string; apiKey: TApiKey; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const publishable = apiKey.kind === 'publishable';
  const form = useForm<EditValues, typeof ZUpdateKeyRequest>({
    initial: {
      name: apiKey.name ?? '',
      allowedOrigins: apiKey.allowedOrigins.join('\n'),
      rateLimitPerMinute: apiKey.rateLimitPerMinute?.toString() ?? '',
      expiresOn: localDate(apiKey.expiresAt),
    },
    schema: ZUpdateKeyRequest,
    toRequest: (v) => ({
      name: optionalText(v.name) ?? null,
      ...(publishable ? { allowedOrigins: lines(v.allowedOrigins) } : {}),
      rateLimitPerMinute: optionalNumber(v.rateLimitPerMinute) ?? null,
      // An unchanged date keeps the exact expiry time.
      ...(v.expiresOn === localDate(apiKey.expiresAt) ? {} : { expiresAt: endOfDay(v.expiresOn) ?? null }),
    }),
  });
  const save = useMutation({
    mutationFn: (request: z.output<typeof ZUpdateKeyRequest>) => api.keys.update(tenantId, apiKey.id, request),
    onSuccess: async (key) => {
      await queryClient.invalidateQueries({ queryKey: ['keys', tenantId] });
      toast.success(`Key ${key.prefix}… saved`);
      onClose();
    },
    onError: (error) => form.showServerError(error),
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Edit ${apiKey.prefix}…`}
      description="The key itself stays the same: nothing that uses it needs changing."
      onSubmit={() => {
        const request = form.validate();
        if (request) save.mutate(request);
      }}
      footer={<DialogActions onCancel={onClose} submitLabel="Save" pending={save.isPending} />}
    >
      <FormError message={form.formError} />
      <TextField label="Name" value={form.values.name} onValueChange={(v) => form.set('name', v)} error={form.errors['name']} />
      {publishable && (
        <TextAreaField
          label="Allowed origins"
          hint="One per line. Browsers on other sites are refused."
          rows={3}
          spellCheck={false}
          value={form.values.allowedOrigins}
          onValueChange={(v) => form.set('allowedOrigins', v)}
          error={form.errors['allowedOrigins']}
        />
      )}
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField
          label="Rate limit (requests a minute)"
          inputMode="numeric"
          hint="Empty: the tenant's limit."
          value={form.values.rateLimitPerMinute}
          onValueChange={(v) => form.set('rateLimitPerMinute', v)}
          error={form.errors['rateLimitPerMinute']}
        />
        <TextField label="Expires on" type="date" hint="Empty: never." value={form.values.expiresOn} onValueChange={(v) => form.set('expiresOn', v)} error={form.errors['expiresAt']} />
      </div>
    </Dialog>
  );
}

export function KeysPage() {
  const { tenant, role, canAdmin } = useTenant();
  usePageTitle(`API keys · ${tenant.name}`);
  const queryClient = useQueryClient();
  const toast = useToast();
  const keys = useQuery({ queryKey: ['keys', tenant.id], queryFn: () => api.keys.list(tenant.id) });
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TCreatedKey | null>(null);
  const [revoking, setRevoking] = useState<TApiKey | null>(null);
  const [editing, setEditing] = useState<TApiKey | null>(null);
  const revoke = useMutation({
    mutationFn: (key: TApiKey) => api.keys.revoke(tenant.id, key.id),
    onSuccess: async (key) => {
      await queryClient.invalidateQueries({ queryKey: ['keys', tenant.id] });
      toast.success(`Key ${key.prefix}… revoked`);
      setRevoking(null);
    },
  });

  return (
    <>
      <PageHeader
        title="API keys"
        description={
          <>
            Publishable keys open widget sessions from the sites you allow; secret keys are for servers. Keys are stored hashed: the full key is shown once, when it is
            created.
          </>
        }
        actions={
          canAdmin && (
            <Button variant="primary" icon={<Plus className="size-4" aria-hidden="true" />} onClick={() => setCreating(true)}>
              New key
            </Button>
          )
        }
      />
      {!canAdmin && <ReadOnlyNotice role={role} what="the keys" />}
      <Card>
        {keys.isPending ? (
          <LoadingState />
        ) : keys.isError ? (
          <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
        ) : keys.data.length === 0 ? (
          <EmptyState icon={<KeyRound className="size-8" />} title="No keys" action={canAdmin && <Button onClick={() => setCreating(true)}>Create a key</Button>}>
            Without a key, nothing can chat with this tenant&apos;s assistant.
          </EmptyState>
        ) : (
          <Table label="API keys">
            <thead>
              <tr>
                <th className={th}>Key</th>
                <th className={`${th} hidden sm:table-cell`}>Status</th>
                <th className={`${th} hidden md:table-cell`}>Allowed origins</th>
                <th className={`${th} hidden lg:table-cell`}>Limit</th>
                <th className={`${th} hidden md:table-cell`}>Expires</th>
                <th className={`${th} hidden sm:table-cell`}>Last used</th>
                <th className={th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {keys.data.map((key) => {
                const state = keyState(key);
                return (
                  <tr key={key.id} className={key.revokedAt ? 'text-slate-500' : ''}>
                    <td className={td}>
                      <p className="font-medium">{key.name ?? (key.kind === 'publishable' ? 'Publishable key' : 'Secret key')}</p>
                      <p className="font-mono text-xs whitespace-nowrap text-slate-600">{key.prefix}…</p>
                      <p className="text-xs text-slate-600">{key.kind}</p>
                      <p className="mt-1 flex flex-wrap items-center gap-2 text-xs text-slate-600 sm:hidden">
                        <Badge tone={state.tone}>{state.label}</Badge> used {formatRelative(key.lastUsedAt)}
                      </p>
                    </td>
                    <td className={`${td} hidden sm:table-cell`}>
                      <Badge tone={state.tone}>{state.label}</Badge>
                    </td>
                    <td className={`${td} hidden max-w-64 md:table-cell`}>
                      {key.kind === 'secret' ? (
                        <span className="text-slate-600">servers only</span>
                      ) : key.allowedOrigins.length ? (
                        <ul className="space-y-0.5 font-mono text-xs break-all">
                          {key.allowedOrigins.map((origin) => (
                            <li key={origin}>{origin}</li>
                          ))}
                        </ul>
                      ) : (
                        <span className="text-amber-800">none: every site is refused</span>
                      )}
                    </td>
                    <td className={`${td} hidden lg:table-cell`}>{key.rateLimitPerMinute ? `${formatInteger(key.rateLimitPerMinute)}/min` : <span className="text-slate-600">tenant&apos;s</span>}</td>
                    <td className={`${td} hidden md:table-cell`}>{key.expiresAt ? formatDate(key.expiresAt) : <span className="text-slate-600">never</span>}</td>
                    <td className={`${td} hidden sm:table-cell`} title={key.lastUsedAt ? formatDateTime(key.lastUsedAt) : undefined}>
                      {formatRelative(key.lastUsedAt)}
                    </td>
                    <td className={`${td} text-right`}>
                      {canAdmin && !key.revokedAt && (
                        <div className="flex flex-wrap justify-end gap-1">
                          <Button size="sm" variant="ghost" icon={<Pencil className="size-4" aria-hidden="true" />} onClick={() => setEditing(key)} aria-label={`Edit ${key.prefix}…`}>
                            <span className="hidden sm:inline">Edit</span>
                          </Button>
                          <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.prefix}…`}>
                            Revoke
                          </Button>
                        </div>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
      <CreateKeyDialog
        tenantId={tenant.id}
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(key) => {
          setCreating(false);
          setCreated(key);
        }}
      />
      <Dialog
        open={created !== null}
        onClose={() => setCreated(null)}
        title="Copy your new key"
        footer={
          <Button variant="primary" onClick={() => setCreated(null)} data-autofocus>
            Done
          </Button>
        }
      >
        {created && (
          <>
            <Notice tone="warning">This is the only time the full key is shown. Store it somewhere safe now.</Notice>
            <SecretBox label={created.key.kind === 'publishable' ? 'Publishable key' : 'Secret key'} secret={created.secret} />
          </>
        )}
      </Dialog>
      {editing && <EditKeyDialog tenantId={tenant.id} apiKey={editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={revoking !== null}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => revoking && revoke.mutate(revoking)}
        title={`Revoke ${revoking?.prefix ?? ''}…?`}
        confirmLabel="Revoke key"
        pending={revoke.isPending}
        error={revoke.error ? describeError(revoke.error).message : null}
      >
        Everything using this key stops working at once: widgets lose their sessions and servers get KEY_REVOKED. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
