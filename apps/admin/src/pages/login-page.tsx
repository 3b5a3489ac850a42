import { useMutation, useQuery } from '@tanstack/react-query';
import { ZLoginRequest } from '@babble-buddy/shared';
import { Navigate, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { safeNext, useSignIn } from '../auth/auth';
import { readSession } from '../auth/session';
import { AuthLayout } from '../components/auth-layout';
import { Button } from '../components/button';
import { TextField } from '../components/fields';
import { FormError, Notice } from '../components/states';
import { useForm } from '../forms/use-form';
import { usePageTitle } from '../lib/page-title';

const toRequest = (v: { email: string; password: string }) => ({ email: v.email.trim(), password: v.password });

export function LoginPage() {
  usePageTitle('Sign in');
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const reason = params.get('reason');
  const signIn = useSignIn();
  const setup = useQuery({ queryKey: ['setup'], queryFn: () => api.setup.status(), retry: false });
  const form = useForm({ initial: { email: '', password: '' }, schema: ZLoginRequest, toRequest });
  const login = useMutation({
    mutationFn: (request: { email: string; password: string }) => api.auth.login(request),
    onSuccess: (response) => signIn(response, next),
    onError: (error) => {
      form.showServerError(error);
      form.set('password', '');
    },
  });

  if (readSession()) return <Navigate to={next} replace />;
  if (setup.data?.needsSetup) return <Navigate to="/setup" replace />;

  return (
    <AuthLayout title="Sign in" subtitle="Operators of this Babble Buddy server sign in here.">
      <form
        noValidate
        className="space-y-4"
        onSubmit={(e) => {
          e.preventDefault();
          const request = form.validate();
          if (request) login.mutate(request);
        }}
      >
        {reason === 'expired' && <Notice tone="warning">Your session has expired. Sign in again to carry on where you were.</Notice>}
        {reason === 'signed-out' && <Notice tone="success">You are signed out.</Notice>}
        <FormError message={form.formError} />
        <TextField label="E-mail" type="email" autoComplete="username" value={form.values.email} onValueChange={(v) => form.set('email', v)} error={form.errors['email']} required />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={form.values.password}
          onValueChange={(v) => form.set('password', v)}
          error={form.errors['password']}
          required
        />
        <Button type="submit" variant="primary" className="w-full" loading={login.isPending}>
          Sign in
        </Button>
      </form>
    </AuthLayout>
  );
}
