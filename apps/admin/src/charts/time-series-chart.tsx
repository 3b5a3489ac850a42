import { useEffect, useId, useRef, useState } from 'react';
import { formatDay } from '../lib/format';
import { labelStride, niceTicks } from './scale';

export interface Series<K extends string> {
  key: K;
  label: string;
  /** A fill/stroke colour with enough contrast on white. */
  color: string;
}

interface Props<K extends string> {
  title: string;
  /** One point per day (YYYY-MM-DD). */
  data: readonly ({ date: string } & Record<K, number>)[];
  series: readonly Series<K>[];
  kind?: 'bar' | 'line';
  /** Bars of several series on top of each other. */
  stacked?: boolean;
  format: (value: number) => string;
  height?: number;
}

const MARGIN = { top: 12, right: 12, bottom: 28, left: 56 };

/**
 * A small hand-written SVG chart of daily values. Screen readers get a summary and a table of the
 * same numbers (also one click away for everyone), mouse users a tooltip per day.
 */
export function TimeSeriesChart<K extends string>({ title, data, series, kind = 'bar', stacked = false, format, height = 220 }: Props<K>) {
  const box = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(640);
  const [hover, setHover] = useState<number | null>(null);
  const titleId = useId();

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => entry && setWidth(Math.max(240, Math.floor(entry.contentRect.width))));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const totals = data.map((point) => series.reduce((sum, s) => sum + point[s.key], 0));
  const max = stacked ? Math.max(0, ...totals) : Math.max(0, ...data.flatMap((point) => series.map((s) => point[s.key])));
  const ticks = niceTicks(max);
  const top = ticks.at(-1) ?? 1;
  const plotWidth = width - MARGIN.left - MARGIN.right;
  const plotHeight = height - MARGIN.top - MARGIN.bottom;
  const band = data.length ? plotWidth / data.length : plotWidth;
  const y = (value: number) => MARGIN.top + plotHeight - (value / top) * plotHeight;
  const stride = labelStride(data.length, plotWidth);
  const grand = series.map((s) => data.reduce((sum, point) => sum + point[s.key], 0));
  const summary = `${title}, ${data.length} days: ${series.map((s, i) => `${s.label} ${format(grand[i] ?? 0)} in total`).join(', ')}.`;
  const hovered = hover === null ? undefined : data[hover];

  return (
    <figure className="space-y-3">
      <figcaption className="flex flex-wrap items-center justify-between gap-2">
        <span id={titleId} className="text-sm font-semibold text-slate-900">
          {title}
        </span>
        <span className="flex flex-wrap gap-3 text-xs text-slate-700">
          {series.map((s) => (
            <span key={s.key} className="inline-flex items-center gap-1.5">
              <span className="inline-block size-2.5 rounded-sm" style={{ background: s.color }} aria-hidden="true" />
              {s.label}
            </span>
          ))}
        </span>
      </figcaption>
      <div ref={box} className="relative" onMouseLeave={() => setHover(null)}>
        <svg width={width} height={height} role="img" aria-label={summary} className="block max-w-full overflow-visible">
          {ticks.map((tick) => (
            <g key={tick}>
              <line x1={MARGIN.left} x2={width - MARGIN.right} y1={y(tick)} y2={y(tick)} stroke="#e2e8f0" />
              <text x={MARGIN.left - 8} y={y(tick)} dy="0.32em" textAnchor="end" fontSize="11" fill="#475569">
                {format(tick)}
              </text>
            </g>
          ))}
          {data.map((point, i) => {
            const x = MARGIN.left + i * band;
            return (
              <g key={point.date}>
                {hover === i && <rect x={x} y={MARGIN.top} width={band} height={plotHeight} fill="#eef2ff" />}
                {kind === 'bar' &&
                  (() => {
                    let base = 0;
                    const barWidth = stacked ? Math.max(1, band * 0.7) : Math.max(1, (band * 0.8) / series.length);
                    return series.map((s, si) => {
                      const value = point[s.key];
                      const from = stacked ? base : 0;
                      base += value;
                      const bx = stacked ? x + (band - barWidth) / 2 : x + band * 0.1 + si * barWidth;
                      return value > 0 ? <rect key={s.key} x={bx} y={y(from + value)} width={barWidth} height={Math.max(1, y(from) - y(from + value))} fill={s.color} rx={barWidth > 6 ? 2 : 0} /> : null;
                    });
                  })()}
                {i % stride === 0 && (
                  <text x={x + band / 2} y={height - 8} textAnchor="middle" fontSize="11" fill="#475569">
                    {formatDay(point.date)}
                  </text>
                )}
                <rect x={x} y={MARGIN.top} width={band} height={plotHeight} fill="transparent" onMouseEnter={() => setHover(i)} />
              </g>
            );
          })}
          {kind === 'line' &&
            series.map((s) => (
              <polyline
                key={s.key}
                fill="none"
                stroke={s.color}
                strokeWidth={2}
                strokeLinejoin="round"
                points={data.map((point, i) => `${MARGIN.left + i * band + band / 2},${y(point[s.key])}`).join(' ')}
                pointerEvents="none"
              />
            ))}
          <line x1={MARGIN.left} x2={width - MARGIN.right} y1={y(0)} y2={y(0)} stroke="#94a3b8" />
        </svg>
        {hovered && hover !== null && (
          <div
            className="pointer-events-none absolute top-0 z-10 rounded-md bg-slate-900 px-2.5 py-1.5 text-xs text-white shadow-lg"
            style={{ left: Math.min(width - 160, Math.max(0, MARGIN.left + hover * band + band / 2 - 70)) }}
            aria-hidden="true"
          >
            <p className="font-semibold">{formatDay(hovered.date)}</p>
            {series.map((s) => (
              <p key={s.key}>
                {s.label}: {format(hovered[s.key])}
              </p>
            ))}
          </div>
        )}
      </div>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-700 hover:text-slate-900">Show the numbers</summary>
        <div className="mt-2 max-h-64 overflow-auto">
          <table className="min-w-full text-left text-xs" aria-labelledby={titleId}>
            <thead>
              <tr>
                <th className="py-1 pr-4 font-semibold text-slate-700">Day</th>
                {series.map((s) => (
                  <th key={s.key} className="py-1 pr-4 text-right font-semibold text-slate-700">
                    {s.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {data.map((point) => (
                <tr key={point.date} className="border-t border-slate-100">
                  <td className="py-1 pr-4 text-slate-700">{point.date}</td>
                  {series.map((s) => (
                    <td key={s.key} className="py-1 pr-4 text-right font-mono text-slate-800">
                      {format(point[s.key])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
