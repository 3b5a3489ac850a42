import type { ReactNode } from 'react';
import { apiLabel } from '../config';

/** The centred card of the login and setup pages. */
export function AuthLayout({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <main className="flex min-h-dvh items-center justify-center bg-slate-100 px-4 py-10">
      <div className="w-full max-w-md">
        <div className="mb-6 flex items-center justify-center gap-2">
          <svg viewBox="0 0 32 32" className="size-10" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="#4f46e5" />
            <path d="M8 11a4 4 0 0 1 4-4h8a4 4 0 0 1 4 4v6a4 4 0 0 1-4 4h-5l-4 4v-4a3 3 0 0 1-3-3z" fill="#fff" />
            <circle cx="13" cy="14" r="1.5" fill="#4f46e5" />
            <circle cx="19" cy="14" r="1.5" fill="#4f46e5" />
          </svg>
          <span className="text-xl font-semibold text-slate-900">Babble Buddy</span>
        </div>
        <div className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
          <h1 className="text-xl font-semibold text-slate-900">{title}</h1>
          {subtitle && <div className="mt-1 text-sm text-slate-600">{subtitle}</div>}
          <div className="mt-6">{children}</div>
        </div>
        <p className="mt-4 text-center text-xs text-slate-600">
          Server: <span className="font-mono">{apiLabel()}</span>
        </p>
      </div>
    </main>
  );
}
