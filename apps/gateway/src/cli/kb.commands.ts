import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ErrorCode, ZAddUrlRequest, type TDuplicateFile, type TKnowledgeSource } from '@babble-buddy/shared';
import { CLI_ACTOR } from '../admin/actor';
import { AppError } from '../common/app-error';
import type { CliContext } from './cli-context';
import { ProgressFollower } from './kb-progress';
import { shortTime, type Output } from './output';

/** Thrown to end a command with exit code 1 after its own report was printed (a source failed). */
export class CliFailure extends Error {}

function positive(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return Number(value);
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

const isUrl = (value: string) => /^https?:\/\//i.test(value);

interface AddOptions {
  tenant: string;
  crawl?: boolean;
  maxPages?: number;
  maxDepth?: number;
  agent?: string;
  wait: boolean;
  json?: boolean;
}

/**
 * `kb add | list | rm`: the knowledge base from the terminal, over the same service as the admin
 * API. Answers the `kb` command so other knowledge commands can join it.
 */
export function registerKbCommands(program: Command, ctx: CliContext, out: Output, parseUuid: (value: string, flag: string) => string): Command {
  const kb = program.command('kb').description("a tenant's knowledge base: files and web pages the assistant answers from");

  kb.command('add')
    .description('add files (PDF, DOCX, CSV, TXT, Markdown, HTML) or URLs, queue them for the worker and follow their progress')
    .argument('<pathOrUrl...>', 'files to upload and/or http(s) URLs')
    .requiredOption('--tenant <id|slug>', 'tenant')
    .option('--crawl', 'crawl each URL: same-site pages linked from it (and its sitemap)')
    .option('--max-pages <n>', 'pages per crawl (default 20, at most 500); implies --crawl', positive)
    .option('--max-depth <n>', 'link hops from the start page (default 2, at most 5); implies --crawl', wholeNumber)
    .option('--agent <id>', "only this agent's answers use these sources")
    .option('--no-wait', 'queue and return at once, without following progress')
    .option('--json', 'print the sources as JSON (after they finish, unless --no-wait)')
    .action(async (targets: string[], options: AddOptions) => {
      const agentId = options.agent === undefined ? undefined : parseUuid(options.agent, '--agent');
      const crawl = options.crawl || options.maxPages !== undefined || options.maxDepth !== undefined ? { maxPages: options.maxPages ?? 20, maxDepth: options.maxDepth ?? 2 } : undefined;
      const urls = targets.filter(isUrl);
      const paths = targets.filter((target) => !isUrl(target));
      const requests = urls.map((url) => {
        const parsed = ZAddUrlRequest.safeParse({ url, ...(crawl ? { crawl } : {}), ...(agentId ? { agentId } : {}) });
        if (!parsed.success) throw new AppError(ErrorCode.ValidationFailed, `${url}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
        return parsed.data;
      });
      const files = await Promise.all(paths.map(readLocalFile));

      const tenant = await ctx.tenants().resolve(options.tenant);
      const sources = ctx.knowledge({ queue: true });
      const follower = options.wait ? await ProgressFollower.start(ctx.config.redisUrl(), ctx.db, { tty: process.stderr.isTTY === true && !options.json, write: (text) => process.stderr.write(text) }) : null;
      try {
        const created: TKnowledgeSource[] = [];
        const duplicates: TDuplicateFile[] = [];
        if (files.length > 0) {
          try {
            const result = await sources.addFiles(CLI_ACTOR, tenant.id, files, agentId ? { agentId } : {});
            created.push(...result.sources);
            duplicates.push(...result.duplicates);
          } catch (error) {
            const details = error instanceof AppError && error.code === ErrorCode.Conflict ? (error.details as { duplicates?: TDuplicateFile[] }) : null;
            if (!details?.duplicates) throw error;
            duplicates.push(...details.duplicates);
          }
        }
        for (const request of requests) created.push(await sources.addUrl(CLI_ACTOR, tenant.id, request));
        for (const duplicate of duplicates) process.stderr.write(`${duplicate.filename}: already in the knowledge base as ${duplicate.existingSourceId}; skipped\n`);

        if (!follower) {
          if (options.json) return out.json({ sources: created, duplicates });
          for (const source of created) out.line(`queued ${source.id}  ${labelOf(source)}`);
          return;
        }
        const finished = await follower.follow(created.map((source) => ({ id: source.id, label: labelOf(source) })));
        if (options.json) out.json({ sources: finished, duplicates });
        else for (const source of finished) out.line(`${source.status === 'ready' ? 'ready ' : 'FAILED'}  ${source.id}  ${labelOf(source)}`);
        const failed = finished.filter((source) => source.status === 'failed');
        if (failed.length > 0) throw new CliFailure(`${failed.length} of ${finished.length} sources failed`);
      } finally {
        await follower?.close();
      }
    });

  kb.command('list')
    .description("list a tenant's sources, newest first (crawls count their pages)")
    .requiredOption('--tenant <id|slug>', 'tenant')
    .option('--json', 'print JSON')
    .action(async (options: { tenant: string; json?: boolean }) => {
      const tenant = await ctx.tenants().resolve(options.tenant);
      const service = ctx.knowledge({ queue: false });
      const all: TKnowledgeSource[] = [];
      let cursor: string | undefined;
      do {
        const page = await service.list(tenant.id, { limit: 200, ...(cursor ? { cursor } : {}) });
        all.push(...page.sources);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      if (options.json) return out.json(all);
      out.table(
        ['ID', 'STATUS', 'PROGRESS', 'CHUNKS', 'KIND', 'TITLE', 'ERROR', 'UPDATED'],
        all.map((s) => [s.id, s.status, `${s.progress}%`, s.chunkCount, s.crawl ? `crawl (${s.pageCount ?? 0} pages)` : s.kind, s.title, s.errorCode, shortTime(s.updatedAt)]),
      );
    });

  kb.command('rm')
    .description('delete a source with its chunks, stored file and (for a crawl) its pages')
    .argument('<sourceId>', 'the source id (see kb list)')
    .option('--json', 'print JSON')
    .action(async (sourceId: string, options: { json?: boolean }) => {
      const id = parseUuid(sourceId, 'SOURCE_ID');
      const service = ctx.knowledge({ queue: false });
      const tenantId = await service.tenantOf(id);
      const source = await service.get(tenantId, id);
      await service.remove(CLI_ACTOR, tenantId, id);
      if (options.json) return out.json({ deleted: id });
      out.line(`Deleted ${source.id} (${labelOf(source)}, ${source.chunkCount} chunks${source.pages.length ? `, ${source.pages.length} pages` : ''})`);
    });

  return kb;
}

function labelOf(source: TKnowledgeSource): string {
  return source.filename ?? source.url ?? source.title;
}

async function readLocalFile(path: string): Promise<{ filename: string; mimeType: null; bytes: Buffer }> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new AppError(ErrorCode.ValidationFailed, `${path}: not a file`);
    return { filename: basename(path), mimeType: null, bytes: await readFile(path) };
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError(ErrorCode.ValidationFailed, `${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

