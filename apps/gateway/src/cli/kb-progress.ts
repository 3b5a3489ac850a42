import type { DbClient } from '@babble-buddy/db';
import { KNOWLEDGE_PROGRESS_CHANNEL, ZKnowledgeProgressEvent, type TKnowledgeSource } from '@babble-buddy/shared';
import { Redis } from 'ioredis';
import { toSourceDto } from '../knowledge/sources.service';

const BAR_WIDTH = 24;
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** One terminal line: "guide.md  ██████░░░░…  25%  embedding". */
export function progressBar(label: string, percent: number, status: string): string {
  const filled = Math.round((Math.max(0, Math.min(100, percent)) / 100) * BAR_WIDTH);
  return `${label}  ${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${String(percent).padStart(3)}%  ${status}`;
}

/** Events can be lost (a reconnect); the rows are read again this often while waiting. */
const RECHECK_MS = 3000;
/** Nothing moved for this long: say what to check. */
const QUIET_HINT_MS = 15_000;

interface Tracked {
  label: string;
  status: string;
  stage: string;
  progress: number;
  /** From the latest event or row, whichever came last. */
  chunkCount: number;
  pageCount: number | null;
  line: string;
  source: TKnowledgeSource | null;
}

export interface FollowOptions {
  /** Redraw bars in place (a terminal) or print one line per change (logs, pipes). */
  tty: boolean;
  write(text: string): void;
}

/**
 * Follows sources to ready or failed through the worker's progress events on Redis, drawing a bar
 * per source on a terminal and plain lines elsewhere. Subscribe before queueing (`start`), so no
 * early event is missed; the rows are re-read now and then in case one was.
 */
export class ProgressFollower {
  private readonly tracked = new Map<string, Tracked>();
  private drawnLines = 0;
  private wake: (() => void) | null = null;

  private constructor(
    private readonly subscriber: Redis,
    private readonly db: DbClient,
    private readonly options: FollowOptions,
  ) {}

  static async start(redisUrl: string, db: DbClient, options: FollowOptions): Promise<ProgressFollower> {
    const subscriber = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
    await subscriber.connect();
    const follower = new ProgressFollower(subscriber, db, options);
    subscriber.on('message', (_channel: string, message: string) => {
      const parsed = ZKnowledgeProgressEvent.safeParse(JSON.parse(message));
      if (parsed.success) follower.update(parsed.data.sourceId, parsed.data);
    });
    await subscriber.subscribe(KNOWLEDGE_PROGRESS_CHANNEL);
    return follower;
  }

  /** Resolves with every followed source's final row once each is ready or failed. */
  async follow(sources: { id: string; label: string }[]): Promise<TKnowledgeSource[]> {
    for (const source of sources) this.tracked.set(source.id, { label: source.label, status: 'queued', stage: 'queued', progress: 0, chunkCount: 0, pageCount: null, line: '', source: null });
    this.draw();
    let lastChange = Date.now();
    let hinted = false;
    while (!this.done()) {
      const before = this.fingerprint();
      await this.recheck();
      if (this.done()) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, RECHECK_MS);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
      if (this.fingerprint() !== before) lastChange = Date.now();
      if (!hinted && Date.now() - lastChange > QUIET_HINT_MS && [...this.tracked.values()].every((t) => t.status === 'queued')) {
        hinted = true;
        this.note('still queued: is the worker running? (pnpm --filter @babble-buddy/worker start, or infra/scripts/up.sh)');
      }
    }
    await this.recheck();
    return [...this.tracked.values()].flatMap((t) => (t.source ? [t.source] : []));
  }

  async close(): Promise<void> {
    await this.subscriber.quit().catch(() => undefined);
  }

  private done(): boolean {
    return [...this.tracked.values()].every((t) => t.status === 'ready' || t.status === 'failed');
  }

  private fingerprint(): string {
    return [...this.tracked.values()].map((t) => `${t.status}/${t.stage}/${t.progress}`).join(',');
  }

  private async recheck(): Promise<void> {
    const rows = await this.db.knowledgeSource.findMany({ where: { id: { in: [...this.tracked.keys()] } } });
    for (const row of rows) {
      const tracked = this.tracked.get(row.id);
      if (tracked) tracked.source = toSourceDto(row);
      this.update(row.id, { status: row.status, stage: row.stage ?? row.status, progress: row.progress, chunkCount: row.chunkCount, pageCount: row.pageCount });
    }
    this.draw();
  }

  private update(sourceId: string, state: Pick<Tracked, 'status' | 'stage' | 'progress' | 'chunkCount' | 'pageCount'>): void {
    const tracked = this.tracked.get(sourceId);
    if (!tracked) return;
    const { status, stage, progress, chunkCount, pageCount } = state;
    if (tracked.status === status && tracked.stage === stage && tracked.progress === progress && tracked.chunkCount === chunkCount) return;
    Object.assign(tracked, { status, stage, progress, chunkCount, pageCount });
    this.draw();
    this.wake?.();
  }

  private describe(tracked: Tracked): string {
    if (tracked.status === 'ready') return `ready, ${plural(tracked.chunkCount, 'chunk')}${tracked.pageCount ? `, ${plural(tracked.pageCount, 'page')}` : ''}`;
    if (tracked.status === 'failed') return tracked.source ? `failed: ${tracked.source.errorCode} ${tracked.source.errorMessage ?? ''}` : 'failed';
    return tracked.stage;
  }

  private draw(): void {
    const entries = [...this.tracked.values()];
    if (!this.options.tty) {
      // One line per change of status or stage (not per percent), final lines once the row is read.
      for (const tracked of entries) {
        const final = tracked.status === 'ready' || tracked.status === 'failed';
        // A final line waits for the row (chunk count, error message) to be read.
        if (final && tracked.source?.status !== tracked.status) continue;
        const line = `${tracked.label}: ${this.describe(tracked)}${final ? '' : ` (${tracked.progress}%)`}`;
        const key = final ? line : `${tracked.label}: ${tracked.stage}`;
        if (tracked.line === key) continue;
        tracked.line = key;
        this.options.write(`${line}\n`);
      }
      return;
    }
    const width = Math.max(...entries.map((t) => t.label.length));
    let text = this.drawnLines > 0 ? `\x1b[${this.drawnLines}A` : '';
    for (const tracked of entries) text += `\r\x1b[K${progressBar(tracked.label.padEnd(width), tracked.progress, this.describe(tracked))}\n`;
    this.drawnLines = entries.length;
    this.options.write(text);
  }

  private note(text: string): void {
    this.options.write(`${text}\n`);
    this.drawnLines = 0;
    this.draw();
  }
}
