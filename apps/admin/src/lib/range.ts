export const RANGE_OPTIONS = [
  { value: '7', label: 'Last 7 days' },
  { value: '30', label: 'Last 30 days' },
  { value: '90', label: 'Last 90 days' },
] as const;
export type RangeDays = (typeof RANGE_OPTIONS)[number]['value'];

/** From local midnight `days - 1` days ago up to now: `days` whole local days, today included. */
export function lastDays(days: number, now = new Date()): { from: string; to: string } {
  const start = new Date(now);
  start.setHours(0, 0, 0, 0);
  start.setDate(start.getDate() - (days - 1));
  return { from: start.toISOString(), to: now.toISOString() };
}
