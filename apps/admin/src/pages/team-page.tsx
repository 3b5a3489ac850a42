import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ZAddMemberRequest, type TMember, type TRole } from '@babble-buddy/shared';
import { Plus, UserMinus, Users } from 'lucide-react';
import { useState } from 'react';
import type { z } from 'zod';
import { api } from '../api/client';
import { describeError } from '../api/errors';
import { useAuth } from '../auth/auth';
import { assignableRoles, can, ROLE_DESCRIPTIONS } from '../auth/permissions';
import { Badge } from '../components/badge';
import { Button } from '../components/button';
import { ConfirmDialog, Dialog, DialogActions } from '../components/dialog';
import { SelectField, TextField, controlClass } from '../components/fields';
import { Card, PageHeader, ReadOnlyNotice, Table, td, th } from '../components/page';
import { EmptyState, ErrorState, FormError, LoadingState } from '../components/states';
import { useToast } from '../components/toast';
import { optionalText } from '../forms/issues';
import { useForm } from '../forms/use-form';
import { formatDate, formatRelative } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';

interface Values extends Record<string, string> {
  email: string;
  role: TRole;
  name: string;
  password: string;
}
const INITIAL: Values = { email: '', role: 'agent', name: '', password: '' };
const toRequest = (v: Values) => ({ email: v.email.trim(), role: v.role, name: optionalText(v.name), password: v.password === '' ? undefined : v.password });

function AddMemberDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { tenant } = useTenant();
  const { user } = useAuth();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<Values, typeof ZAddMemberRequest>({ initial: INITIAL, schema: ZAddMemberRequest, toRequest });
  const add = useMutation({
    mutationFn: (request: z.output<typeof ZAddMemberRequest>) => api.members.add(tenant.id, request),
    onSuccess: async (member) => {
      await queryClient.invalidateQueries({ queryKey: ['members', tenant.id] });
      toast.success(`${member.email} is now ${member.role} of ${tenant.name}`);
      form.reset(INITIAL);
      onClose();
    },
    onError: (error) => form.showServerError(error),
  });
  return (
    <Dialog
      open={open}
      onClose={onClose}
      title="Add a member"
      description="Someone who already has an account keeps their password; for a new e-mail address, set a first password and share it with them privately."
      onSubmit={() => {
        const request = form.validate();
        if (request) add.mutate(request);
      }}
      footer={<DialogActions onCancel={onClose} submitLabel="Add member" pending={add.isPending} />}
    >
      <FormError message={form.formError} />
      <TextField label="E-mail" type="email" autoComplete="off" value={form.values.email} onValueChange={(v) => form.set('email', v)} error={form.errors['email']} required />
      <SelectField
        label="Role"
        value={form.values.role}
        onValueChange={(v) => form.set('role', v)}
        options={assignableRoles(user, tenant.id).map((role) => ({ value: role, label: `${role} — ${ROLE_DESCRIPTIONS[role]}` }))}
        error={form.errors['role']}
      />
      <TextField label="Name" hint="For new accounts." value={form.values.name} onValueChange={(v) => form.set('name', v)} error={form.errors['name']} />
      <TextField
        label="First password"
        type="password"
        autoComplete="new-password"
        hint="Only for a new account (at least 8 characters). Ignored when the person already has one."
        value={form.values.password}
        onValueChange={(v) => form.set('password', v)}
        error={form.errors['password']}
      />
    </Dialog>
  );
}

export function TeamPage() {
  const { tenant, role, canAdmin } = useTenant();
  const { user } = useAuth();
  usePageTitle(`Team · ${tenant.name}`);
  const queryClient = useQueryClient();
  const toast = useToast();
  const members = useQuery({ queryKey: ['members', tenant.id], queryFn: () => api.members.list(tenant.id) });
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<TMember | null>(null);
  const isOwner = can(user, tenant.id, 'owner');

  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: TMember; role: TRole }) => api.members.add(tenant.id, { email: member.email, role }),
    onSuccess: async (member) => {
      await queryClient.invalidateQueries({ queryKey: ['members', tenant.id] });
      await queryClient.invalidateQueries({ queryKey: ['me'] });
      toast.success(`${member.email} is now ${member.role}`);
    },
    onError: (error) => toast.error(describeError(error).message),
  });
  const remove = useMutation({
    mutationFn: (member: TMember) => api.members.remove(tenant.id, member.userId),
    onSuccess: async (_r, member) => {
      await queryClient.invalidateQueries({ queryKey: ['members', tenant.id] });
      toast.success(`${member.email} removed from ${tenant.name}`);
      setRemoving(null);
    },
  });

  return (
    <>
      <PageHeader
        title="Team"
        description="Who can sign in to this tenant, and what they may do."
        actions={
          canAdmin && (
            <Button variant="primary" icon={<Plus className="size-4" aria-hidden="true" />} onClick={() => setAdding(true)}>
              Add member
            </Button>
          )
        }
      />
      {!canAdmin && <ReadOnlyNotice role={role} what="the team" />}
      <Card>
        {members.isPending ? (
          <LoadingState />
        ) : members.isError ? (
          <ErrorState error={members.error} onRetry={() => void members.refetch()} />
        ) : members.data.length === 0 ? (
          <EmptyState icon={<Users className="size-8" />} title="No members yet" action={canAdmin && <Button onClick={() => setAdding(true)}>Add the first member</Button>}>
            Platform owners manage every tenant; add the people who run this one.
          </EmptyState>
        ) : (
          <Table label="Team members">
            <thead>
              <tr>
                <th className={th}>Member</th>
                <th className={th}>Role</th>
                <th className={`${th} hidden md:table-cell`}>Last sign-in</th>
                <th className={`${th} hidden lg:table-cell`}>Added</th>
                <th className={th}>
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {members.data.map((member) => {
                // Owners are changed by owners only (the API says the same).
                const editable = canAdmin && (member.role !== 'owner' || isOwner);
                return (
                  <tr key={member.userId}>
                    <td className={td}>
                      <p className="font-medium break-words">{member.email}</p>
                      {member.name && <p className="text-xs text-slate-600">{member.name}</p>}
                    </td>
                    <td className={td}>
                      {editable ? (
                        <select
                          aria-label={`Role of ${member.email}`}
                          className={`${controlClass} w-28 py-1.5`}
                          value={member.role}
                          disabled={changeRole.isPending}
                          onChange={(e) => changeRole.mutate({ member, role: e.target.value as TRole })}
                        >
                          {assignableRoles(user, tenant.id).map((r) => (
                            <option key={r} value={r}>
                              {r}
                            </option>
                          ))}
                        </select>
                      ) : (
                        <Badge tone={member.role === 'owner' ? 'indigo' : 'gray'}>{member.role}</Badge>
                      )}
                    </td>
                    <td className={`${td} hidden md:table-cell`}>{formatRelative(member.lastLoginAt)}</td>
                    <td className={`${td} hidden lg:table-cell`}>{formatDate(member.createdAt)}</td>
                    <td className={`${td} text-right`}>
                      {editable && (
                        <Button size="sm" variant="ghost" className="text-red-700 hover:bg-red-50" icon={<UserMinus className="size-4" aria-hidden="true" />} onClick={() => setRemoving(member)} aria-label={`Remove ${member.email}`}>
                          <span className="hidden sm:inline">Remove</span>
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
      </Card>
      <AddMemberDialog open={adding} onClose={() => setAdding(false)} />
      <ConfirmDialog
        open={removing !== null}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
        onConfirm={() => removing && remove.mutate(removing)}
        title={`Remove ${removing?.email ?? ''}?`}
        confirmLabel="Remove member"
        pending={remove.isPending}
        error={remove.error ? describeError(remove.error).message : null}
      >
        They lose access to {tenant.name} at once. Their account stays, with any other tenants they belong to.
      </ConfirmDialog>
    </>
  );
}
