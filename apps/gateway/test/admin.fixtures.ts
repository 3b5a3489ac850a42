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
  const [tenant, keys, llm, agents, members, widget] = await Promise.all([
    db.tenant.findUnique({ where: { id: tenantId } }),
    db.apiKey.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
    db.llmConfig.findMany({ where: { tenantId }, orderBy: { priority: 'asc' } }),
    db.agent.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
    db.membership.findMany({ where: { tenantId }, orderBy: { id: 'asc' } }),
    db.widgetConfig.findUnique({ where: { tenantId } }),
  ]);
  return JSON.parse(JSON.stringify({ tenant, keys, llm, agents, members, widget }));
}
