import type { TConversationDetail } from '@babble-buddy/shared';

/** A spreadsheet cell: quoted when needed, and never read as a formula (=, +, -, @ and control starts get a '). */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

const CSV_COLUMNS = [
  'created_at',
  'role',
  'status',
  'content',
  'provider',
  'model',
  'prompt_tokens',
  'completion_tokens',
  'latency_ms',
  'ttft_ms',
  'cost_usd',
  'feedback',
  'citations',
  'tool_calls',
  'error',
] as const;

/** One row per message, UTF-8 with a byte-order mark so spreadsheet programs read accents right. */
export function transcriptCsv(detail: TConversationDetail): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const m of detail.messages) {
    lines.push(
      [
        m.createdAt,
        m.role,
        m.status,
        m.content,
        m.provider,
        m.model,
        m.promptTokens,
        m.completionTokens,
        m.latencyMs,
        m.ttftMs,
        m.costUsd,
        m.feedback,
        m.citations.map((c) => `[${c.index}] ${c.title}${c.url ? ` <${c.url}>` : ''}`).join(' | '),
        m.toolCalls.map((t) => t.name).join(' | '),
        m.error ? `${m.error.code}: ${m.error.message}` : null,
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

export function transcriptJson(detail: TConversationDetail): string {
  return `${JSON.stringify({ exportedAt: new Date().toISOString(), ...detail }, null, 2)}\n`;
}

/** conversation-<session>-<yyyy-mm-dd>.<ext>, with only safe characters. */
export function exportFilename(detail: TConversationDetail, format: 'csv' | 'json'): string {
  const session = detail.conversation.sessionId.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40);
  return `conversation-${session}-${detail.conversation.createdAt.slice(0, 10)}.${format}`;
}
