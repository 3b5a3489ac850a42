import type { TKnowledgeSearchResponse, TKnowledgeSearchResult } from '@babble-buddy/shared';
import { Badge } from './badge';
import { NewTabLink } from './citations';

const score = new Intl.NumberFormat('en', { maximumFractionDigits: 4, minimumFractionDigits: 4 });

function rankNote(rank: number | null): string {
  return rank === null ? 'not ranked' : `#${rank}`;
}

/** How a search ran: which rankings took part and with what embedding model. */
export function searchModeLabel(result: Pick<TKnowledgeSearchResponse, 'mode' | 'embeddingModel'>): string {
  const mode = { hybrid: 'vector + full text', vector: 'vector only', text: 'full text only', none: 'no ranking' }[result.mode];
  return result.embeddingModel ? `${mode} · ${result.embeddingModel}` : mode;
}

/**
 * Ranked chunks with their scores, as retrieval found them: the knowledge search preview and the
 * playground's debug panel. `cited` numbers them as the prompt does ([1] is rank 1).
 */
export function RetrievedChunks({ results, label, cited = false }: { results: readonly TKnowledgeSearchResult[]; label: string; cited?: boolean }) {
  return (
    <ol aria-label={label} className="space-y-3">
      {results.map((result) => (
        <li key={result.chunkId} className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-chunk={result.chunkId}>
          <div className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
            <span className="font-mono text-xs text-slate-600">{cited ? `[${result.rank}]` : `#${result.rank}`}</span>
            {result.source.url ? (
              <NewTabLink href={result.source.url} className="min-w-0 break-all">
                {result.source.title}
              </NewTabLink>
            ) : (
              <span className="min-w-0 font-medium break-words text-slate-900">{result.source.title}</span>
            )}
            {result.page !== null && <span className="text-xs text-slate-600">page {result.page}</span>}
            {result.heading && <span className="min-w-0 text-xs break-words text-slate-600">{result.heading}</span>}
          </div>
          <p className="mt-1.5 break-words text-slate-800">
            {result.content}
          </p>
          <ul className="mt-2 flex flex-wrap gap-1.5 text-xs" aria-label={`Scores of ${cited ? `[${result.rank}]` : `result ${result.rank}`}`}>
            <li>
              <Badge tone="indigo">fused {score.format(result.scores.fused)}</Badge>
            </li>
            <li>
              <Badge tone="sky">
                vector {result.scores.similarity === null ? '—' : score.format(result.scores.similarity)} · {rankNote(result.scores.vectorRank)}
              </Badge>
            </li>
            <li>
              <Badge tone="gray">
                full text {result.scores.textScore === null ? '—' : score.format(result.scores.textScore)} · {rankNote(result.scores.textRank)}
              </Badge>
            </li>
          </ul>
        </li>
      ))}
    </ol>
  );
}
