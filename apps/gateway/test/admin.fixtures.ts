import argon2 from 'argon2';
import type { DbClient } from '@babble-buddy/db';
import type { TRole } from '@babble-buddy/shared';

/** An admin user written straight to the database (cheap argon2id parameters: tests only). */
export async function createAdminUser(
  db: DbClient,
  options: { email: string; password: string; isPlatformOwner?: boolean; memberships?: { tenantId: string; role: TRole }[] },
): Promise<string> {
  const passwordHash = await argon2.hash(options.password, { type: argon2.argon2id, memoryCost: 1024, timeCost: 1 });
  const user = await db.adminUser.create({
    data: {
      email: options.email,
      passwordHash,
      isPlatformOwner: options.isPlatformOwner ?? false,
      memberships: { create: (options.memberships ?? []).map((m) => ({ tenantId: m.tenantId, role: m.role })) },
    },
  });
  return user.id;
}

export interface ApiResult<T = any> {
  status: number;
  body: T;
}

export type AdminApi = <T = any>(method: string, path: string, body?: unknown) => Promise<ApiResult<T>>;

/** Calls `/api/v1/admin/<path>` with an optional bearer token. */
export function adminApi(url: string, token?: string): AdminApi {
  return async (method, path, body) => {
    const response = await fetch(`${url}/api/v1/admin/${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  };
}

export async function login(url: string, email: string, password: string): Promise<string> {
  const result = await adminApi(url)<{ token: string }>('POST', 'auth/login', { email, password });
  if (result.status !== 200) throw new Error(`login failed: ${result.status} ${JSON.stringify(result.body)}`);
  return result.body.token;
}

/** Everything a tenant owns, as plain JSON, to compare before and after another tenant's attempts. */
export async function snapshotTenant(db: DbClient, tenantId: string): Promise<unknown> {
  const [tenant, keys, llm, agents, members, widget, embedding, conversations, messages] = await Promise.all([
    db.tenant.findUnique({ where: { id: tenantId } }),
    db.apiKey.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
    db.llmConfig.findMany({ where: { tenantId }, orderBy: { priority: 'asc' } }),
    db.agent.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
    db.membership.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
    db.widgetConfig.findUnique({ where: { tenantId } }),
    db.embeddingConfig.findUnique({ where: { tenantId } }),
    db.conversation.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
    db.message.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
  ]);
  return JSON.parse(JSON.stringify({ tenant, keys, llm, agents, members, widget, embedding, conversations, messages }));
}

export interface SeedMessage {
  role: 'user' | 'assistant' | 'operator' | 'system' | 'tool';
  content: string;
  status?: 'complete' | 'streaming' | 'failed';
  feedback?: number;
  citations?: unknown[];
  toolCalls?: unknown[];
  promptTokens?: number;
  completionTokens?: number;
  latencyMs?: number;
  ttftMs?: number;
  provider?: string;
  model?: string;
  error?: { code: string; message: string };
  /** A model call recorded for this message (llm_requests). */
  request?: { provider: string; model: string; promptTokens: number; completionTokens: number; costUsd: string | null; latencyMs: number; ttftMs?: number; status?: 'ok' | 'error' };
}

/**
 * A conversation with its messages (a second apart from `at`) and model calls, written straight to the
 * database with the given times, so counts per day are known in advance.
 */
export async function seedConversation(
  db: DbClient,
  tenantId: string,
  options: { sessionKey?: string; at: Date; lastActivityAt?: Date; status?: 'open' | 'handoff' | 'closed'; messages: SeedMessage[]; email?: string },
): Promise<{ conversationId: string; messageIds: string[] }> {
  const conversation = await db.conversation.create({
    data: {
      tenantId,
      sessionKey: options.sessionKey ?? `s-${Math.random().toString(36).slice(2, 12)}`,
      status: options.status ?? 'open',
      email: options.email ?? null,
      messageCount: options.messages.length,
      createdAt: options.at,
      lastActivityAt: options.lastActivityAt ?? new Date(options.at.getTime() + options.messages.length * 1000),
    },
  });
  const messageIds: string[] = [];
  for (const [i, m] of options.messages.entries()) {
    const createdAt = new Date(options.at.getTime() + i * 1000);
    const message = await db.message.create({
      data: {
        tenantId,
        conversationId: conversation.id,
        role: m.role,
        content: m.content,
        status: m.status ?? 'complete',
        feedback: m.feedback ?? null,
        citations: (m.citations ?? []) as never,
        toolCalls: (m.toolCalls ?? []) as never,
        promptTokens: m.promptTokens ?? null,
        completionTokens: m.completionTokens ?? null,
        latencyMs: m.latencyMs ?? null,
        ttftMs: m.ttftMs ?? null,
        provider: m.provider ?? null,
        model: m.model ?? null,
        ...(m.error ? { error: m.error } : {}),
        createdAt,
      },
    });
    messageIds.push(message.id);
    if (m.request) {
      await db.llmRequest.create({
        data: {
          tenantId,
          conversationId: conversation.id,
          messageId: message.id,
          provider: m.request.provider,
          model: m.request.model,
          status: m.request.status ?? 'ok',
          promptTokens: m.request.promptTokens,
          completionTokens: m.request.completionTokens,
          costUsd: m.request.costUsd,
          latencyMs: m.request.latencyMs,
          ttftMs: m.request.ttftMs ?? null,
          createdAt,
        },
      });
    }
  }
  return { conversationId: conversation.id, messageIds };
}
