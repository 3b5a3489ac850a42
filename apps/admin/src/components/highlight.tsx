import { SNIPPET_MATCH_END, SNIPPET_MATCH_START } from '@babble-buddy/shared';
import { Fragment } from 'react';

/** A search snippet with the matched words marked; the text is rendered as text, never as HTML. */
export function Highlighted({ text }: { text: string }) {
  const parts = text.split(SNIPPET_MATCH_START);
  return (
    <>
      {parts.map((part, i) => {
        if (i === 0) return <Fragment key={i}>{part}</Fragment>;
        const [match = '', rest = ''] = part.split(SNIPPET_MATCH_END);
        return (
          <Fragment key={i}>
            <mark className="rounded bg-amber-200 px-0.5 text-slate-900">{match}</mark>
            {rest}
          </Fragment>
        );
      })}
    </>
  );
}
