import { Inject, Injectable } from '@nestjs/common';
import { generateApiKey, type DbClient, type Tenant } from '@babble-buddy/db';
import {
  ErrorCode,
  ZOrigin,
  type TCreateTenantRequest,
  type TCreateTenantResponse,
  type TTenant,
  type TUpdateTenantRequest,
} from '@babble-buddy/shared';
import { z } from 'zod';
import { AppError } from '../common/app-error';
import { parseWith } from '../common/validation';
import { DB } from '../infra/tokens';
import type { Actor } from './actor';
import { AuditService, changes } from './audit.service';
import { isUniqueViolation } from './db-errors';

export function toTenantDto(tenant: Tenant): TTenant {
  return {
    id: tenant.id,
    name: tenant.name,
    slug: tenant.slug,
    status: tenant.status,
    plan: tenant.plan,
    rateLimitPerMinute: tenant.rateLimitPerMinute,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

export function defaultSystemPrompt(tenantName: string): string {
  return (
    `You are the friendly assistant of ${tenantName}. Answer visitors' questions briefly and accurately, ` +
    'using the knowledge you are given. When you do not know something, say so plainly instead of guessing, ' +
    'and offer to connect the visitor with a human.'
  );
}

/** A slug from a display name: "Café Olé GmbH" → "cafe-ole-gmbh". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug.length >= 2 ? slug : 'tenant';
}

const ZOrigins = z.array(ZOrigin).max(50);

@Injectable()
export class TenantsService {
  constructor(
    @Inject(DB) private readonly db: DbClient,
    private readonly audit: AuditService,
  ) {}

  /** Platform owners see every tenant; everyone else the tenants they belong to. */
  async list(actor: Actor): Promise<TTenant[]> {
    const tenants = await this.db.tenant.findMany({
      where: actor.isPlatformOwner ? {} : { id: { in: [...actor.roles.keys()] } },
      orderBy: { createdAt: 'asc' },
    });
    return tenants.map(toTenantDto);
  }

  async get(tenantId: string): Promise<TTenant> {
    return toTenantDto(await this.find(tenantId));
  }

  /** For the CLI: a tenant named by its id or its slug. */
  async resolve(idOrSlug: string): Promise<TTenant> {
    const byId = z.uuid().safeParse(idOrSlug).success;
    const tenant = await this.db.tenant.findUnique({ where: byId ? { id: idOrSlug } : { slug: idOrSlug } });
    if (!tenant) throw new AppError(ErrorCode.NotFound, `No tenant with ${byId ? 'id' : 'slug'} ${idOrSlug}`);
    return toTenantDto(tenant);
  }

  /**
   * Creates the tenant with a default agent and a publishable + secret key pair; the full keys are
   * returned this once. A slug that is asked for and taken is a conflict; a derived one gets a suffix.
   */
  async create(actor: Actor, request: TCreateTenantRequest): Promise<TCreateTenantResponse> {
    // The shared request schema takes plain strings here; origins are held to the same rule as key origins.
    const allowedOrigins = parseWith(ZOrigins, request.allowedOrigins ?? [], 'allowedOrigins');
    const slug = request.slug ?? (await this.freeSlug(slugify(request.name)));
    const publishable = generateApiKey('publishable');
    const secret = generateApiKey('secret');
    try {
      const tenant = await this.db.$transaction(async (tx) => {
        const tenant = await tx.tenant.create({
          data: { name: request.name, slug, ...(request.plan ? { plan: request.plan } : {}), rateLimitPerMinute: request.rateLimitPerMinute ?? null },
        });
        await tx.agent.create({ data: { tenantId: tenant.id, name: 'Assistant', isDefault: true, systemPrompt: defaultSystemPrompt(tenant.name) } });
        const [pk, sk] = await Promise.all([
          tx.apiKey.create({ data: { tenantId: tenant.id, kind: 'publishable', name: 'Widget', prefix: publishable.prefix, hash: publishable.hash, allowedOrigins } }),
          tx.apiKey.create({ data: { tenantId: tenant.id, kind: 'secret', name: 'Server', prefix: secret.prefix, hash: secret.hash } }),
        ]);
        await this.audit.record(
          actor,
          { tenantId: tenant.id, action: 'tenant.create', target: tenant.id, details: { name: tenant.name, slug: tenant.slug, plan: tenant.plan, rateLimitPerMinute: tenant.rateLimitPerMinute, publishableKeyId: pk.id, secretKeyId: sk.id, allowedOrigins } },
          tx,
        );
        return tenant;
      });
      return { tenant: toTenantDto(tenant), publishableKey: publishable.key, secretKey: secret.key };
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError(ErrorCode.Conflict, `The slug "${slug}" is already taken`);
      throw error;
    }
  }

  /** Owners and admins rename, re-plan or re-limit their tenant; only platform owners suspend or reactivate one. */
  async update(actor: Actor, tenantId: string, request: TUpdateTenantRequest): Promise<TTenant> {
    if (request.status !== undefined && !actor.isPlatformOwner) {
      throw new AppError(ErrorCode.Forbidden, 'Only platform owners may suspend or reactivate a tenant');
    }
    const before = await this.find(tenantId);
    const tenant = await this.db.$transaction(async (tx) => {
      const tenant = await tx.tenant.update({ where: { id: tenantId }, data: request });
      await this.audit.record(actor, { tenantId, action: 'tenant.update', target: tenantId, details: { changes: changes(before, request) } }, tx);
      return tenant;
    });
    return toTenantDto(tenant);
  }

  /** Deletes the tenant and everything it owns. The audit row is platform-level so it outlives the tenant. */
  async remove(actor: Actor, tenantId: string): Promise<void> {
    if (!actor.isPlatformOwner) throw new AppError(ErrorCode.Forbidden, 'Only platform owners may delete a tenant');
    const tenant = await this.find(tenantId);
    await this.db.$transaction(async (tx) => {
      await tx.tenant.delete({ where: { id: tenantId } });
      await this.audit.record(actor, { tenantId: null, action: 'tenant.delete', target: tenantId, details: { name: tenant.name, slug: tenant.slug } }, tx);
    });
  }

  private async find(tenantId: string): Promise<Tenant> {
    const tenant = await this.db.tenant.findUnique({ where: { id: tenantId } });
    if (!tenant) throw new AppError(ErrorCode.NotFound, 'Tenant not found');
    return tenant;
  }

  private async freeSlug(base: string): Promise<string> {
    const taken = new Set(
      (await this.db.tenant.findMany({ where: { slug: { startsWith: base } }, select: { slug: true } })).map((t) => t.slug),
    );
    if (!taken.has(base)) return base;
    for (let n = 2; ; n += 1) {
      const candidate = `${base}-${n}`;
      if (!taken.has(candidate)) return candidate;
    }
  }
}
