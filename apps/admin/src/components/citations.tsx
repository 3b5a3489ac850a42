import type { TCitation } from '@babble-buddy/shared';
import { ExternalLink } from 'lucide-react';
import type { ReactNode } from 'react';

/** A link that opens in a new tab, marked as such for sighted and screen-reader users alike. */
export function NewTabLink({ href, children, className = '' }: { href: string; children: ReactNode; className?: string }) {
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" className={`inline-flex items-center gap-1 font-medium text-indigo-700 hover:underline ${className}`}>
      {children}
      <ExternalLink className="size-3 shrink-0" aria-hidden="true" />
      <span className="sr-only">(opens in a new tab)</span>
    </a>
  );
}

/** The sources an answer cites, as the transcript and the playground show them under it. */
export function CitationList({ citations }: { citations: readonly TCitation[] }) {
  return (
    <>
      <p className="text-xs font-semibold tracking-wide text-slate-600 uppercase">Sources</p>
      <ol className="mt-1 space-y-1.5" aria-label="Sources">
        {citations.map((citation) => (
          <li key={`${citation.index}-${citation.sourceId}`} className="text-sm">
            <span className="font-mono text-xs text-slate-600">[{citation.index}]</span>{' '}
            {citation.url ? <NewTabLink href={citation.url}>{citation.title}</NewTabLink> : <span className="font-medium">{citation.title}</span>}
            {citation.page !== undefined && <span className="text-slate-600"> · page {citation.page}</span>}
            <p className="text-xs break-words text-slate-600">{citation.snippet}</p>
          </li>
        ))}
      </ol>
    </>
  );
}
