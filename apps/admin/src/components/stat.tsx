import type { ReactNode } from 'react';

export function Stat({ label, value, detail, title, small = false }: { label: string; value: ReactNode; detail?: ReactNode; title?: string; small?: boolean }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <dt className="text-sm font-medium text-slate-600">{label}</dt>
      <dd className={`mt-1 font-semibold tracking-tight text-slate-900 ${small ? 'text-base leading-snug' : 'text-2xl'}`} title={title}>
        {value}
      </dd>
      {detail && <dd className="mt-0.5 text-xs text-slate-600">{detail}</dd>}
    </div>
  );
}
