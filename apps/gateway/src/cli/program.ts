import { Command, InvalidArgumentError } from 'commander';
import {
  ZAgentInput,
  ZCreateAdminUserRequest,
  ZCreateKeyRequest,
  ZCreateTenantRequest,
  ZLlmConfigInput,
  ZLlmPriority,
  ZOrigin,
  ZRole,
  ZUuid,
  ZWidgetConfigUpdate,
  ZKnowledgeSearchRequest,
  type TApiKey,
  type TLlmConfigInput,
  type TWidgetConfig,
} from '@babble-buddy/shared';
import { z } from 'zod';
import { CLI_ACTOR } from '../admin/actor';
import { CliContext } from './cli-context';
import { registerKbCommands } from './kb.commands';
import { consoleOutput, shortTime, type Output } from './output';

/** Wrong arguments: reported on one line, exit code 2. */
export class CliUsageError extends Error {}

/**
 * Parses with the same shared schema the admin API uses, naming the offending command-line flag
 * (`flags` maps a field to its flag) instead of the JSON field.
 */
function parseArgs<T extends z.ZodType>(schema: T, input: unknown, flags: Record<string, string>): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = String(issue?.path[0] ?? '');
  const flag = flags[field] ?? (field || 'arguments');
  const keys = issue?.code === 'unrecognized_keys' ? ` (${issue.keys.join(', ')})` : '';
  throw new CliUsageError(`${flag}: ${issue?.message ?? 'invalid'}${keys}`);
}

function integer(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
}

function decimal(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError('expected a number');
  return number;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** `2030-01-01` means midnight UTC; anything else must be a full ISO timestamp with an offset. */
function expiry(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

function keyStatus(key: TApiKey): string {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && Date.parse(key.expiresAt) <= Date.now()) return 'expired';
  return 'active';
}

const KEY_FLAGS = { kind: '--kind', name: '--name', allowedOrigins: '--origin', rateLimitPerMinute: '--rate-limit', expiresAt: '--expires' };
const WIDGET_FLAGS = {
  title: '--title',
  greeting: '--greeting',
  primaryColor: '--color',
  position: '--position',
  theme: '--theme',
  logoUrl: '--logo-url',
  launcherIcon: '--launcher-icon',
  locale: '--locale',
  sendOn: '--send-on',
  allowedOrigins: '--origin',
};

/** An empty value on the command line (`--greeting ""`) puts the field back to its default. */
function orDefault(value: string | undefined): string | null | undefined {
  return value === undefined ? undefined : value.trim() === '' ? null : value;
}

function printWidget(out: Output, slug: string, config: TWidgetConfig): void {
  out.line(`${slug}: widget`);
  const rows: [string, string | null][] = [
    ['title', config.title ?? '(tenant name)'],
    ['greeting', config.greeting ?? '(default, in the visitor’s language)'],
    ['color', config.primaryColor],
    ['position', config.position],
    ['theme', config.theme],
    ['logo url', config.logoUrl],
    ['launcher icon', config.launcherIcon],
    ['locale', config.locale],
    ['send on', config.sendOn === 'enter' ? 'enter (Shift+Enter for a new line)' : 'mod-enter (Ctrl/Cmd+Enter; Enter for a new line)'],
    ['origins', config.allowedOrigins.length ? config.allowedOrigins.join(', ') : '(only each key’s own)'],
  ];
  for (const [name, value] of rows) out.line(`  ${name.padEnd(14)}${value ?? '-'}`);
}

const LLM_FLAGS = { provider: '--provider', model: '--model', baseUrl: '--base-url', apiKey: '--api-key', temperature: '--temperature', maxTokens: '--max-tokens' };

/** `pnpm bb …`: operator commands over the admin API's own services, acting as platform owner. */
export function buildProgram(ctx: CliContext, out: Output = consoleOutput()): Command {
  const program = new Command('bb')
    .description('Babble Buddy operator commands (reads DATABASE_URL; ENCRYPTION_KEY for provider API keys)')
    .exitOverride()
    .showSuggestionAfterError(true)
    // One line per error: commander puts its "(Did you mean …?)" on a second line.
    .configureOutput({ outputError: (message, write) => write(`${message.trimEnd().replace(/\n+/g, ' ')}\n`) });

  const resolveTenant = async (idOrSlug: string) => ctx.tenants().resolve(idOrSlug);

  // ── admin ────────────────────────────────────────────────────────────────
  const admin = program.command('admin').description('operator accounts for the admin API and SPA');
  admin
    .command('create')
    .description('create an admin user: a platform owner, or with --tenant a member of that tenant')
    .requiredOption('--email <email>', 'login e-mail address')
    .requiredOption('--password <password>', 'password (at least 8 characters)')
    .option('--name <name>', 'display name')
    .option('--tenant <id|slug>', 'make the user a member of this tenant instead of a platform owner')
    .option('--role <role>', 'role in --tenant: owner, admin, agent or viewer (default owner)')
    .option('--json', 'print JSON')
    .action(async (options: { email: string; password: string; name?: string; tenant?: string; role?: string; json?: boolean }) => {
      const request = parseArgs(ZCreateAdminUserRequest, { email: options.email, password: options.password, name: options.name }, { email: '--email', password: '--password', name: '--name' });
      if (!options.tenant) {
        if (options.role) throw new CliUsageError('--role: needs --tenant (without a tenant the user is a platform owner)');
        const user = await ctx.adminUsers().createPlatformOwner(CLI_ACTOR, request);
        if (options.json) return out.json(user);
        return out.line(`Created platform owner ${user.email} (${user.id})`);
      }
      const role = parseArgs(ZRole, options.role ?? 'owner', { '': '--role' });
      const tenant = await resolveTenant(options.tenant);
      const { member, createdUser } = await ctx.adminUsers().addMember(CLI_ACTOR, tenant.id, { ...request, role });
      if (options.json) return out.json(member);
      out.line(
        createdUser
          ? `Created ${member.email} (${member.userId}) as ${role} of ${tenant.slug}`
          : `${member.email} already had an account (password unchanged); now ${role} of ${tenant.slug}`,
      );
    });

  // ── tenant ───────────────────────────────────────────────────────────────
  const tenant = program.command('tenant').description('tenants, their model and their assistant prompt');
  tenant
    .command('create')
    .description('create a tenant with a default agent and a publishable + secret key pair (shown once)')
    .requiredOption('--name <name>', 'display name')
    .option('--slug <slug>', 'URL-safe id (default: derived from the name)')
    .option('--plan <plan>', 'plan name (default free)')
    .option('--origin <url>', 'origin allowed to use the publishable key (repeatable)', collect)
    .option('--json', 'print { tenant, publishableKey, secretKey } as JSON')
    .action(async (options: { name: string; slug?: string; plan?: string; origin?: string[]; json?: boolean }) => {
      const request = parseArgs(
        ZCreateTenantRequest.extend({ allowedOrigins: z.array(ZOrigin).max(50) }),
        { name: options.name, slug: options.slug, plan: options.plan, allowedOrigins: options.origin ?? [] },
        { name: '--name', slug: '--slug', plan: '--plan', allowedOrigins: '--origin' },
      );
      const created = await ctx.tenants().create(CLI_ACTOR, request);
      if (options.json) return out.json({ tenant: created.tenant, publishableKey: created.publishableKey, secretKey: created.secretKey });
      out.line(`Created tenant ${created.tenant.name} (slug ${created.tenant.slug}, id ${created.tenant.id})`);
      out.line(`  publishable key: ${created.publishableKey}`);
      out.line(`  secret key:      ${created.secretKey}`);
      out.line('Store the keys now: they are not shown again.');
    });

  tenant
    .command('list')
    .description('list all tenants')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const tenants = await ctx.tenants().list(CLI_ACTOR);
      if (options.json) return out.json(tenants);
      out.table(
        ['ID', 'SLUG', 'NAME', 'STATUS', 'PLAN', 'CREATED'],
        tenants.map((t) => [t.id, t.slug, t.name, t.status, t.plan, shortTime(t.createdAt)]),
      );
    });

  tenant
    .command('set-llm')
    .description("set the tenant's model at a priority (0 primary, 1-9 fallbacks); replaces that slot's settings")
    .requiredOption('--tenant <id|slug>', 'tenant')
    .requiredOption('--provider <provider>', 'ollama or openai (any OpenAI-compatible server)')
    .requiredOption('--model <model>', 'model name, e.g. llama3.2:1b or gpt-4o-mini')
    .option('--base-url <url>', 'provider base URL (OpenAI-compatible ones include /v1)')
    .option('--api-key <key>', 'provider API key, stored encrypted (needs ENCRYPTION_KEY); omit to keep the stored one')
    .option('--priority <n>', '0 (primary, default) to 9', integer, 0)
    .option('--temperature <t>', 'sampling temperature, 0 to 2', decimal)
    .option('--max-tokens <n>', 'answer length limit in tokens', integer)
    .option('--json', 'print JSON')
    .action(async (options: { tenant: string; provider: string; model: string; baseUrl?: string; apiKey?: string; priority: number; temperature?: number; maxTokens?: number; json?: boolean }) => {
      const input: TLlmConfigInput = parseArgs(
        ZLlmConfigInput,
        { provider: options.provider, model: options.model, baseUrl: options.baseUrl, apiKey: options.apiKey, temperature: options.temperature, maxTokens: options.maxTokens },
        LLM_FLAGS,
      );
      const priority = parseArgs(ZLlmPriority, options.priority, { '': '--priority' });
      const service = ctx.llmConfig({ secrets: input.apiKey !== undefined && input.apiKey !== null });
      const t = await resolveTenant(options.tenant);
      const config = await service.upsert(CLI_ACTOR, t.id, priority, input);
      if (options.json) return out.json(config);
      out.line(
        `${t.slug}: priority ${config.priority} is ${config.provider} ${config.model}` +
          `${config.baseUrl ? ` at ${config.baseUrl}` : ''}${config.hasApiKey ? ' (API key stored encrypted)' : ''}`,
      );
    });

  tenant
    .command('set-prompt')
    .description("set the system prompt of the tenant's default agent (creating it if there is none)")
    .requiredOption('--tenant <id|slug>', 'tenant')
    .requiredOption('--prompt <text>', 'system prompt')
    .option('--json', 'print JSON')
    .action(async (options: { tenant: string; prompt: string; json?: boolean }) => {
      const { systemPrompt } = parseArgs(ZAgentInput.pick({ systemPrompt: true }), { systemPrompt: options.prompt }, { systemPrompt: '--prompt' });
      const t = await resolveTenant(options.tenant);
      const agent = await ctx.agents().setDefaultPrompt(CLI_ACTOR, t.id, systemPrompt);
      if (options.json) return out.json(agent);
      out.line(`${t.slug}: default agent "${agent.name}" (${agent.id}) now has a ${agent.systemPrompt.length}-character system prompt`);
    });

  // ── key ──────────────────────────────────────────────────────────────────
  const key = program.command('key').description('API keys: publishable (pk_, widgets) and secret (sk_, servers)');
  key
    .command('create')
    .description('create a key; the full key is printed this once')
    .requiredOption('--tenant <id|slug>', 'tenant')
    .requiredOption('--kind <kind>', 'publishable or secret')
    .option('--origin <url>', 'allowed origin, publishable keys only (repeatable)', collect)
    .option('--rate-limit <n>', 'requests per minute for this key', integer)
    .option('--expires <iso>', 'expiry, e.g. 2030-01-01 or 2030-01-01T12:00:00Z')
    .option('--name <name>', 'label shown in lists')
    .option('--json', 'print { key, secret } as JSON')
    .action(async (options: { tenant: string; kind: string; origin?: string[]; rateLimit?: number; expires?: string; name?: string; json?: boolean }) => {
      const request = parseArgs(
        ZCreateKeyRequest,
        {
          kind: options.kind,
          name: options.name,
          allowedOrigins: options.origin,
          rateLimitPerMinute: options.rateLimit,
          expiresAt: options.expires === undefined ? undefined : expiry(options.expires),
        },
        KEY_FLAGS,
      );
      const t = await resolveTenant(options.tenant);
      const created = await ctx.keys().create(CLI_ACTOR, t.id, request);
      if (options.json) return out.json(created);
      out.line(`Created ${created.key.kind} key ${created.key.id} for ${t.slug}:`);
      out.line(`  ${created.secret}`);
      out.line('Store it now: it is not shown again.');
    });

  key
    .command('list')
    .description("list a tenant's keys (prefixes only)")
    .requiredOption('--tenant <id|slug>', 'tenant')
    .option('--json', 'print JSON')
    .action(async (options: { tenant: string; json?: boolean }) => {
      const t = await resolveTenant(options.tenant);
      const keys = await ctx.keys().list(t.id);
      if (options.json) return out.json(keys);
      out.table(
        ['ID', 'KIND', 'PREFIX', 'NAME', 'STATUS', 'ORIGINS', 'RATE/MIN', 'EXPIRES', 'LAST USED'],
        keys.map((k) => [k.id, k.kind, `${k.prefix}…`, k.name, keyStatus(k), k.allowedOrigins.join(','), k.rateLimitPerMinute, shortTime(k.expiresAt), shortTime(k.lastUsedAt)]),
      );
    });

  key
    .command('revoke')
    .description('revoke a key now; requests with it fail from then on')
    .argument('<keyId>', 'the key id (see key list)')
    .option('--json', 'print JSON')
    .action(async (keyId: string, options: { json?: boolean }) => {
      const id = parseArgs(ZUuid, keyId, { '': 'KEY_ID' });
      const keys = ctx.keys();
      const revoked = await keys.revoke(CLI_ACTOR, await keys.tenantOf(id), id);
      if (options.json) return out.json(revoked);
      out.line(`Revoked ${revoked.kind} key ${revoked.id} (${revoked.prefix}…) at ${revoked.revokedAt}`);
    });

  // ── widget ───────────────────────────────────────────────────────────────
  const widget = program.command('widget').description("the tenant's chat widget: look, behaviour and allowed origins");
  widget
    .command('get')
    .description("show the tenant's widget settings")
    .requiredOption('--tenant <id|slug>', 'tenant')
    .option('--json', 'print JSON')
    .action(async (options: { tenant: string; json?: boolean }) => {
      const t = await resolveTenant(options.tenant);
      const config = await ctx.widgetConfig().get(t.id);
      if (options.json) return out.json(config);
      printWidget(out, t.slug, config);
    });

  widget
    .command('set')
    .description('change widget settings; options not given keep their value, an empty value ("") restores the default')
    .requiredOption('--tenant <id|slug>', 'tenant')
    .option('--title <text>', 'header title (default: the tenant name)')
    .option('--greeting <text>', 'first message visitors see')
    .option('--color <hex>', 'brand colour, e.g. #4f46e5')
    .option('--position <pos>', 'bottom-right or bottom-left')
    .option('--theme <theme>', 'light, dark or auto (follows the visitor’s system)')
    .option('--logo-url <url>', 'logo image (https)')
    .option('--launcher-icon <icon>', 'chat, question, sparkles, headset or logo')
    .option('--locale <locale>', 'auto, en, es, fr, de, he or ar')
    .option('--send-on <keys>', 'enter (Shift+Enter = new line) or mod-enter (Ctrl/Cmd+Enter sends)')
    .option('--origin <url>', 'replace the tenant-wide allowed origins (repeatable; every publishable key accepts them)', collect)
    .option('--add-origin <url>', 'add a tenant-wide allowed origin (repeatable)', collect)
    .option('--remove-origin <url>', 'remove a tenant-wide allowed origin (repeatable)', collect)
    .option('--clear-origins', 'remove every tenant-wide allowed origin')
    .option('--json', 'print JSON')
    .action(
      async (options: {
        tenant: string;
        title?: string;
        greeting?: string;
        color?: string;
        position?: string;
        theme?: string;
        logoUrl?: string;
        launcherIcon?: string;
        locale?: string;
        sendOn?: string;
        origin?: string[];
        addOrigin?: string[];
        removeOrigin?: string[];
        clearOrigins?: boolean;
        json?: boolean;
      }) => {
        const editsOrigins = options.addOrigin !== undefined || options.removeOrigin !== undefined;
        if (options.origin && (editsOrigins || options.clearOrigins)) throw new CliUsageError('--origin: replaces the list; do not combine it with --add-origin, --remove-origin or --clear-origins');
        const t = await resolveTenant(options.tenant);
        const service = ctx.widgetConfig();
        let allowedOrigins: string[] | undefined = options.clearOrigins ? [] : options.origin;
        if (editsOrigins) {
          const added = (options.addOrigin ?? []).map((origin) => parseArgs(ZOrigin, origin, { '': '--add-origin' }));
          const removed = (options.removeOrigin ?? []).map((origin) => parseArgs(ZOrigin, origin, { '': '--remove-origin' }));
          const current = options.clearOrigins ? [] : (await service.get(t.id)).allowedOrigins;
          allowedOrigins = [...current.filter((origin) => !removed.includes(origin)), ...added];
        }
        const input = parseArgs(
          ZWidgetConfigUpdate,
          {
            title: orDefault(options.title),
            greeting: orDefault(options.greeting),
            primaryColor: orDefault(options.color),
            position: orDefault(options.position),
            theme: orDefault(options.theme),
            logoUrl: orDefault(options.logoUrl),
            launcherIcon: orDefault(options.launcherIcon),
            locale: orDefault(options.locale),
            sendOn: orDefault(options.sendOn),
            allowedOrigins,
          },
          WIDGET_FLAGS,
        );
        if (Object.values(input).every((value) => value === undefined)) throw new CliUsageError('nothing to change: give at least one setting (see bb widget set --help)');
        const config = await service.update(CLI_ACTOR, t.id, input);
        if (options.json) return out.json(config);
        printWidget(out, t.slug, config);
      },
    );
  // ── kb ───────────────────────────────────────────────────────────────────
  const kb = registerKbCommands(program, ctx, out, (value, flag) => parseArgs(ZUuid, value, { '': flag }));

  kb.command('search')
    .description('search a tenant’s knowledge as chat does (vector + full text, fused by rank); the admin search preview')
    .argument('<query>', 'what to search for')
    .requiredOption('--tenant <id|slug>', 'tenant')
    .option('--k <n>', 'results wanted, 1 to 50', integer, 10)
    .option('--agent <id>', "search as this agent does in chat (tenant-wide sources plus the agent's own)")
    .option('--json', 'print JSON')
    .action(async (query: string, options: { tenant: string; k: number; agent?: string; json?: boolean }) => {
      const request = parseArgs(ZKnowledgeSearchRequest, { query, k: options.k, agentId: options.agent }, { query: 'QUERY', k: '--k', agentId: '--agent' });
      const t = await resolveTenant(options.tenant);
      const result = await ctx.knowledgeSearch().adminSearch(t.id, request);
      if (options.json) return out.json(result);
      const how = result.mode === 'text' ? 'full text only' : result.mode === 'hybrid' ? `vector (${result.embeddingModel}) + full text` : result.mode;
      out.line(`${t.slug}: ${result.results.length} result${result.results.length === 1 ? '' : 's'} for "${result.query}" — ${how}, ${result.tookMs.toFixed(1)} ms`);
      if (result.notice) out.line(`note: ${result.notice}`);
      out.table(
        ['#', 'FUSED', 'VEC', 'SIM', 'TEXT', 'SOURCE', 'PAGE', 'CONTENT'],
        result.results.map((r) => [
          r.rank,
          r.scores.fused.toFixed(4),
          r.scores.vectorRank,
          r.scores.similarity === null ? null : r.scores.similarity.toFixed(3),
          r.scores.textRank,
          r.source.title,
          r.page,
          preview(r.content),
        ]),
      );
    });

  return program;
}

/** One line of a chunk, for tables. */
function preview(content: string, maxChars = 72): string {
  const line = content.replace(/\s+/g, ' ').trim();
  return line.length <= maxChars ? line : `${line.slice(0, maxChars - 1)}…`;
}
