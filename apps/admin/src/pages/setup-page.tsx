import { useMutation, useQuery } from '@tanstack/react-query';
import { ZSetupRequest } from '@babble-buddy/shared';
import { Navigate } from 'react-router';
import { api } from '../api/client';
import { useSignIn } from '../auth/auth';
import { AuthLayout } from '../components/auth-layout';
import { Button } from '../components/button';
import { TextField } from '../components/fields';
import { ErrorState, FormError, LoadingState } from '../components/states';
import { optionalText } from '../forms/issues';
import { useForm } from '../forms/use-form';
import { usePageTitle } from '../lib/page-title';

interface Values extends Record<string, string> {
  name: string;
  email: string;
  password: string;
  confirm: string;
  setupToken: string;
}

const toRequest = (v: Values) => ({
  email: v.email.trim(),
  password: v.password,
  name: optionalText(v.name),
  setupToken: optionalText(v.setupToken),
});

/** First run: creates the platform owner while the server has no admin account at all. */
export function SetupPage() {
  usePageTitle('Set up');
  const signIn = useSignIn();
  const status = useQuery({ queryKey: ['setup'], queryFn: () => api.setup.status() });
  const form = useForm<Values, typeof ZSetupRequest>({ initial: { name: '', email: '', password: '', confirm: '', setupToken: '' }, schema: ZSetupRequest, toRequest });
  const create = useMutation({
    mutationFn: (request: Parameters<typeof api.setup.create>[0]) => api.setup.create(request),
    onSuccess: (response) => signIn(response, '/tenants'),
    onError: (error) => form.showServerError(error),
  });

  if (status.isPending) return <LoadingState className="min-h-dvh" />;
  if (status.isError) {
    return (
      <div className="mx-auto max-w-lg p-6">
        <ErrorState error={status.error} onRetry={() => void status.refetch()} />
      </div>
    );
  }
  if (!status.data.needsSetup) return <Navigate to="/login" replace />;

  return (
    <AuthLayout title="Welcome to Babble Buddy" subtitle="Create the first account. It will be the platform owner: it manages every tenant and can invite everyone else.">
      <form
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          const request = form.validate();
          if (!request) return;
          if (form.values.password !== form.values.confirm) return form.fail('confirm', 'The two passwords differ');
          create.mutate(request);
        }}
      >
        <FormError message={form.formError} />
        <TextField label="Your name" autoComplete="name" value={form.values.name} onValueChange={(v) => form.set('name', v)} error={form.errors['name']} />
        <TextField label="E-mail" type="email" autoComplete="username" value={form.values.email} onValueChange={(v) => form.set('email', v)} error={form.errors['email']} required />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          hint="At least 8 characters."
          value={form.values.password}
          onValueChange={(v) => form.set('password', v)}
          error={form.errors['password']}
          required
        />
        <TextField label="Repeat the password" type="password" autoComplete="new-password" value={form.values.confirm} onValueChange={(v) => form.set('confirm', v)} error={form.errors['confirm']} required />
        {status.data.tokenRequired && (
          <TextField
            label="Setup token"
            autoComplete="off"
            hint="This server asks for the ADMIN_SETUP_TOKEN from its environment."
            value={form.values.setupToken}
            onValueChange={(v) => form.set('setupToken', v)}
            error={form.errors['setupToken']}
            required
          />
        )}
        <Button type="submit" variant="primary" className="w-full" loading={create.isPending}>
          Create the owner account
        </Button>
      </form>
    </AuthLayout>
  );
}
