import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ZCreateTenantRequest, ZOrigin, ZUpdateTenantRequest, type TCreateTenantResponse, type TTenant } from '@babble-buddy/shared';
import { Building2, Pencil, Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import { z } from 'zod';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { can } from '../auth/permissions';
import { Badge } from '../components/badge';
import { Button, ButtonLink } from '../components/button';
import { SecretBox } from '../components/copy-button';
import { ConfirmDialog, Dialog, DialogActions } from '../components/dialog';
import { TextAreaField, TextField } from '../components/fields';
import { Card, PageHeader, Table, td, th } from '../components/page';
import { EmptyState, ErrorState, FormError, LoadingState, Notice } from '../components/states';
import { useToast } from '../components/toast';
import { lines, optionalNumber, optionalText } from '../forms/issues';
import { useForm } from '../forms/use-form';
import { formatDate, formatInteger } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenants } from '../tenant-context';

const PLANS = ['free', 'starter', 'pro', 'enterprise'];

function PlanList() {
  return (
    <datalist id="plans">
      {PLANS.map((plan) => (
        <option key={plan} value={plan} />
      ))}
    </datalist>
  );
}

/** The API checks the widget key's origins with ZOrigin; so does the form. */
const ZCreateTenantForm = ZCreateTenantRequest.extend({ allowedOrigins: z.array(ZOrigin).max(50).optional() });

interface CreateValues extends Record<string, string> {
  name: string;
  slug: string;
  plan: string;
  rateLimitPerMinute: string;
  allowedOrigins: string;
}
const toCreateRequest = (v: CreateValues) => ({
  name: v.name,
  slug: optionalText(v.slug),
  plan: optionalText(v.plan),
  rateLimitPerMinute: optionalNumber(v.rateLimitPerMinute),
  allowedOrigins: lines(v.allowedOrigins).length ? lines(v.allowedOrigins) : undefined,
});

function CreateTenantDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (created: TCreateTenantResponse) => void }) {
  const queryClient = useQueryClient();
  const form = useForm<CreateValues, typeof ZCreateTenantForm>({
    initial: { name: '', slug: '', plan: 'free', rateLimitPerMinute: '', allowedOrigins: '' },
    schema: ZCreateTenantForm,
    toRequest: toCreateRequest,
  });
  const create = useMutation({
    mutationFn: (request: z.output<typeof ZCreateTenantForm>) => api.tenants.create(request),
    onSuccess: async (created) => {
      await queryClient.invalidateQueries({ queryKey: ['tenants'] });
      form.reset({ name: '', slug: '', plan: 'free', rateLimitPerMinute: '', allowedOrigins: '' });
      onCreated(created);
    },
    onError: (error) => form.showServerError(error, { CONFLICT: 'slug' }),
  });
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="New tenant"
      description="A tenant is one business with its own keys, model, agents and conversations. It starts with a default agent and a key pair."
      onSubmit={() => {
        const request = form.validate();
        if (request) create.mutate(request);
      }}
      footer={<DialogActions onCancel={onClose} submitLabel="Create tenant" pending={create.isPending} />}
    >
      <FormError message={form.formError} />
      <TextField label="Name" value={form.values.name} onValueChange={(v) => form.set('name', v)} error={form.errors['name']} required />
      <TextField
        label="Slug"
        hint="Lowercase letters, digits and dashes. Leave empty to derive it from the name."
        value={form.values.slug}
        onValueChange={(v) => form.set('slug', v)}
        error={form.errors['slug']}
        spellCheck={false}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Plan" list="plans" value={form.values.plan} onValueChange={(v) => form.set('plan', v)} error={form.errors['plan']} />
        <TextField
          label="Rate limit"
          inputMode="numeric"
          hint="Requests a minute per key. Empty: the server default."
          value={form.values.rateLimitPerMinute}
          onValueChange={(v) => form.set('rateLimitPerMinute', v)}
          error={form.errors['rateLimitPerMinute']}
        />
      </div>
      <PlanList />
      <TextAreaField
        label="Widget origins"
        hint="Sites allowed to use the widget key, one per line, e.g. https://shop.example.com"
        rows={3}
        value={form.values.allowedOrigins}
        onValueChange={(v) => form.set('allowedOrigins', v)}
        error={form.errors['allowedOrigins']}
        spellCheck={false}
      />
    </Dialog>
  );
}

function CreatedKeysDialog({ created, onClose }: { created: TCreateTenantResponse | null; onClose: () => void }) {
  return (
    <Dialog
      open={created !== null}
      onClose={onClose}
      title={created ? `${created.tenant.name} is ready` : ''}
      footer={
        <>
          {created && <ButtonLink to={`/t/${created.tenant.id}/model`}>Set up its model</ButtonLink>}
          <Button variant="primary" onClick={onClose} data-autofocus>
            I have copied the keys
          </Button>
        </>
      }
    >
      {created && (
        <>
          <Notice tone="warning">These keys are shown this once. Copy them now: only a hash is stored, so nobody can show them again.</Notice>
          <SecretBox label="Publishable key (for the widget on your site)" secret={created.publishableKey} />
          <SecretBox label="Secret key (for your servers only)" secret={created.secretKey} />
        </>
      )}
    </Dialog>
  );
}

interface EditValues extends Record<string, string> {
  name: string;
  plan: string;
  rateLimitPerMinute: string;
}
const toUpdateRequest = (v: EditValues) => ({
  name: v.name,
  plan: v.plan,
  rateLimitPerMinute: v.rateLimitPerMinute.trim() === '' ? null : Number(v.rateLimitPerMinute),
});

function EditTenantDialog({ tenant, onClose }: { tenant: TTenant; onClose: () => void }) {
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<EditValues, typeof ZUpdateTenantRequest>({
    initial: { name: tenant.name, plan: tenant.plan, rateLimitPerMinute: tenant.rateLimitPerMinute?.toString() ?? '' },
    schema: ZUpdateTenantRequest,
    toRequest: toUpdateRequest,
  });
  const save = useMutation({
    mutationFn: (request: z.output<typeof ZUpdateTenantRequest>) => api.tenants.update(tenant.id, request),
    onSuccess: async (updated) => {
      await queryClient.invalidateQueries({ queryKey: ['tenants'] });
      toast.success(`${updated.name} saved`);
      onClose();
    },
    onError: (error) => form.showServerError(error),
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={`Edit ${tenant.name}`}
      onSubmit={() => {
        const request = form.validate();
        if (request) save.mutate(request);
      }}
      footer={<DialogActions onCancel={onClose} submitLabel="Save" pending={save.isPending} />}
    >
      <FormError message={form.formError} />
      <TextField label="Name" value={form.values.name} onValueChange={(v) => form.set('name', v)} error={form.errors['name']} required />
      <div className="grid gap-4 sm:grid-cols-2">
        <TextField label="Plan" list="plans" value={form.values.plan} onValueChange={(v) => form.set('plan', v)} error={form.errors['plan']} required />
        <TextField
          label="Rate limit"
          inputMode="numeric"
          hint="Requests a minute per key (keys with their own limit keep it). Empty: the server default."
          value={form.values.rateLimitPerMinute}
          onValueChange={(v) => form.set('rateLimitPerMinute', v)}
          error={form.errors['rateLimitPerMinute']}
        />
      </div>
      <PlanList />
      <p className="text-sm text-slate-600">
        Slug: <span className="font-mono">{tenant.slug}</span> (fixed)
      </p>
    </Dialog>
  );
}

type Pending = { kind: 'status' | 'delete'; tenant: TTenant } | null;

export function TenantsPage() {
  usePageTitle('Tenants');
  const { user } = useAuth();
  const tenants = useTenants();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<TCreateTenantResponse | null>(null);
  const [editing, setEditing] = useState<TTenant | null>(null);
  const [pending, setPending] = useState<Pending>(null);

  const changeStatus = useMutation({
    mutationFn: (tenant: TTenant) => api.tenants.update(tenant.id, { status: tenant.status === 'active' ? 'suspended' : 'active' }),
    onSuccess: async (tenant) => {
      await queryClient.invalidateQueries({ queryKey: ['tenants'] });
      toast.success(tenant.status === 'suspended' ? `${tenant.name} is suspended: its keys stop working` : `${tenant.name} is active again`);
      setPending(null);
    },
  });
  const remove = useMutation({
    mutationFn: (tenant: TTenant) => api.tenants.remove(tenant.id),
    onSuccess: async (_result, tenant) => {
      await queryClient.invalidateQueries({ queryKey: ['tenants'] });
      toast.success(`${tenant.name} and everything it owned were deleted`);
      setPending(null);
    },
  });

  return (
    <>
      <PageHeader
        title="Tenants"
        description={user.isPlatformOwner ? 'Every business on this server.' : 'The tenants you are a member of.'}
        actions={
          user.isPlatformOwner && (
            <Button variant="primary" icon={<Plus className="size-4" aria-hidden="true" />} onClick={() => setCreating(true)}>
              New tenant
            </Button>
          )
        }
      />
      <Card>
        {tenants.isPending ? (
          <LoadingState />
        ) : tenants.isError ? (
          <ErrorState error={tenants.error} onRetry={() => void tenants.refetch()} />
        ) : tenants.data.length === 0 ? (
          <EmptyState
            icon={<Building2 className="size-8" />}
            title="No tenants yet"
            action={
              user.isPlatformOwner && (
                <Button variant="primary" onClick={() => setCreating(true)}>
                  Create the first tenant
                </Button>
              )
            }
          >
            {user.isPlatformOwner ? 'Create a tenant for each business that gets an assistant.' : 'Ask an owner to add you to a tenant.'}
          </EmptyState>
        ) : (
          <Table label="Tenants">
            <thead>
              <tr>
                <th className={th}>Tenant</th>
                <th className={th}>Status</th>
                <th className={`${th} hidden md:table-cell`}>Plan</th>
                <th className={`${th} hidden md:table-cell`}>Rate limit</th>
                <th className={`${th} hidden lg:table-cell`}>Created</th>
                <th className={th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tenants.data.map((tenant) => (
                <tr key={tenant.id}>
                  <td className={td}>
                    <Link to={`/t/${tenant.id}/conversations`} className="font-medium text-indigo-700 hover:underline">
                      {tenant.name}
                    </Link>
                    <p className="font-mono text-xs text-slate-600">{tenant.slug}</p>
                  </td>
                  <td className={td}>{tenant.status === 'active' ? <Badge tone="green">active</Badge> : <Badge tone="amber">suspended</Badge>}</td>
                  <td className={`${td} hidden md:table-cell`}>{tenant.plan}</td>
                  <td className={`${td} hidden md:table-cell`}>{tenant.rateLimitPerMinute ? `${formatInteger(tenant.rateLimitPerMinute)}/min` : <span className="text-slate-600">default</span>}</td>
                  <td className={`${td} hidden lg:table-cell`}>{formatDate(tenant.createdAt)}</td>
                  <td className={`${td} text-right`}>
                    <div className="flex flex-wrap justify-end gap-1">
                      {can(user, tenant.id, 'admin') && (
                        <Button size="sm" variant="ghost" icon={<Pencil className="size-4" aria-hidden="true" />} onClick={() => setEditing(tenant)} aria-label={`Edit ${tenant.name}`}>
                          Edit
                        </Button>
                      )}
                      {user.isPlatformOwner && (
                        <>
                          <Button size="sm" variant="ghost" onClick={() => setPending({ kind: 'status', tenant })}>
                            {tenant.status === 'active' ? 'Suspend' : 'Reactivate'}
                          </Button>
                          <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" icon={<Trash2 className="size-4" aria-hidden="true" />} onClick={() => setPending({ kind: 'delete', tenant })} aria-label={`Delete ${tenant.name}`}>
                            Delete
                          </Button>
                        </>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Card>
      <CreateTenantDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(result) => {
          setCreating(false);
          setCreated(result);
        }}
      />
      <CreatedKeysDialog created={created} onClose={() => setCreated(null)} />
      {editing && <EditTenantDialog tenant={editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={pending?.kind === 'status'}
        onClose={() => {
          setPending(null);
          changeStatus.reset();
        }}
        onConfirm={() => pending && changeStatus.mutate(pending.tenant)}
        title={pending?.tenant.status === 'active' ? `Suspend ${pending.tenant.name}?` : `Reactivate ${pending?.tenant.name ?? ''}?`}
        confirmLabel={pending?.tenant.status === 'active' ? 'Suspend' : 'Reactivate'}
        tone={pending?.tenant.status === 'active' ? 'danger' : 'primary'}
        pending={changeStatus.isPending}
        error={changeStatus.error ? describeError(changeStatus.error).message : null}
      >
        {pending?.tenant.status === 'active'
          ? 'Its widget and API keys stop working at once; nothing is deleted, and you can reactivate it later.'
          : 'Its keys work again at once.'}
      </ConfirmDialog>
      <ConfirmDialog
        open={pending?.kind === 'delete'}
        onClose={() => {
          setPending(null);
          remove.reset();
        }}
        onConfirm={() => pending && remove.mutate(pending.tenant)}
        title={`Delete ${pending?.tenant.name ?? ''}?`}
        confirmLabel="Delete for good"
        pending={remove.isPending}
        error={remove.error ? describeError(remove.error).message : null}
        typeToConfirm={pending?.tenant.slug}
      >
        This deletes the tenant with all its keys, models, agents, knowledge, conversations and messages. It cannot be undone.
      </ConfirmDialog>
    </>
  );
}
