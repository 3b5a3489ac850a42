const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

export function formatInteger(value: number): string {
  return integer.format(value);
}

/** 1234567 → 1.2M (full value in a title where it matters). */
export function formatCompact(value: number): string {
  return Math.abs(value) < 10_000 ? integer.format(value) : compact.format(value);
}

/** Dollars with enough digits to show sub-cent model costs. */
export function formatUsd(value: number | null): string {
  if (value === null) return '—';
  if (value === 0) return '$0';
  const digits = Math.abs(value) >= 1 ? 2 : Math.abs(value) >= 0.01 ? 3 : 5;
  return `$${value.toFixed(digits)}`;
}

export function formatMs(value: number | null): string {
  if (value === null) return '—';
  return value >= 10_000 ? `${(value / 1000).toFixed(1)} s` : `${integer.format(value)} ms`;
}

const dateTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en', { dateStyle: 'medium' });

export function formatDateTime(iso: string | null): string {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

export function formatDate(iso: string | null): string {
  return iso ? dateOnly.format(new Date(iso)) : '—';
}

/** "2026-03-02" → "Mar 2" (a day label of a chart). */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Intl.DateTimeFormat('en', { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1)));
}

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 minutes ago", "in 2 days". */
export function formatRelative(iso: string | null, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return seconds <= 0 ? 'just now' : 'in a moment';
  if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour');
  if (abs < 30 * 86_400) return relative.format(Math.round(seconds / 86_400), 'day');
  return dateOnly.format(new Date(iso));
}

/** The browser's time zone, for day boundaries in charts and usage. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** An agent as a choice in a picker: "Support (default)". */
export function agentLabel(agent: { name: string; isDefault: boolean }): string {
  return agent.isDefault ? `${agent.name} (default)` : agent.name;
}
