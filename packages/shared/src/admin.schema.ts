import { z } from 'zod';
import { ZUuid } from './common.schema';

export const ZRole = z.enum(['owner', 'admin', 'agent', 'viewer']);
export type TRole = z.infer<typeof ZRole>;

export const ZLoginRequest = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(1).max(1024),
});
export type TLoginRequest = z.infer<typeof ZLoginRequest>;

export const ZAdminUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  isPlatformOwner: z.boolean(),
  memberships: z.array(z.object({ tenantId: z.string(), role: ZRole })),
});
export type TAdminUser = z.infer<typeof ZAdminUser>;

export const ZLoginResponse = z.object({ token: z.string(), expiresAt: z.string(), user: ZAdminUser });
export type TLoginResponse = z.infer<typeof ZLoginResponse>;

export const ZTenantStatus = z.enum(['active', 'suspended']);
export const ZTenant = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: ZTenantStatus,
  plan: z.string(),
  /** Requests a minute for each of the tenant's keys that has no limit of its own; null: the deployment default. */
  rateLimitPerMinute: z.number().int().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TTenant = z.infer<typeof ZTenant>;

/** Requests a minute (a tenant's default per-key limit, or a key's own). */
export const ZRateLimitPerMinute = z.number().int().min(1).max(100_000);

export const ZSlug = z.string().min(2).max(48).regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'lowercase letters, digits and dashes');

export const ZCreateTenantRequest = z.strictObject({
  name: z.string().trim().min(1).max(120),
  slug: ZSlug.optional(),
  plan: z.string().trim().min(1).max(40).optional(),
  rateLimitPerMinute: ZRateLimitPerMinute.optional(),
  /** Allowed origins for the publishable key created with the tenant. */
  allowedOrigins: z.array(z.string()).max(50).optional(),
});
export type TCreateTenantRequest = z.infer<typeof ZCreateTenantRequest>;

export const ZUpdateTenantRequest = z.strictObject({
  name: z.string().trim().min(1).max(120).optional(),
  status: ZTenantStatus.optional(),
  plan: z.string().trim().min(1).max(40).optional(),
  /** null: back to the deployment default. */
  rateLimitPerMinute: ZRateLimitPerMinute.nullable().optional(),
});
export type TUpdateTenantRequest = z.infer<typeof ZUpdateTenantRequest>;

export const ZKeyKind = z.enum(['publishable', 'secret']);
export type TKeyKind = z.infer<typeof ZKeyKind>;

/** An origin as browsers send it: scheme://host[:port], no path. */
export const ZOrigin = z
  .string()
  .max(255)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
    } catch {
      return false;
    }
  }, 'an origin like https://app.example.com (scheme, host and optional port; no path)')
  .transform((value) => value.replace(/\/$/, ''));

export const ZApiKey = z.object({
  id: z.string(),
  tenantId: z.string(),
  kind: ZKeyKind,
  name: z.string().nullable(),
  prefix: z.string(),
  allowedOrigins: z.array(z.string()),
  rateLimitPerMinute: z.number().int().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TApiKey = z.infer<typeof ZApiKey>;

export const ZCreateKeyRequest = z
  .strictObject({
    kind: ZKeyKind,
    name: z.string().trim().min(1).max(120).optional(),
    allowedOrigins: z.array(ZOrigin).max(50).optional(),
    rateLimitPerMinute: ZRateLimitPerMinute.optional(),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
  })
  .refine((value) => value.kind === 'publishable' || !value.allowedOrigins?.length, {
    message: 'allowed origins apply to publishable keys only',
    path: ['allowedOrigins'],
  });
export type TCreateKeyRequest = z.infer<typeof ZCreateKeyRequest>;

/**
 * Changes a key in place (its secret stays the same): name, origins (publishable keys), rate limit,
 * expiry. `null` clears the rate limit (the tenant's applies) or the expiry (never expires).
 */
export const ZUpdateKeyRequest = z.strictObject({
  name: z.string().trim().min(1).max(120).nullable().optional(),
  allowedOrigins: z.array(ZOrigin).max(50).optional(),
  rateLimitPerMinute: ZRateLimitPerMinute.nullable().optional(),
  expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
});
export type TUpdateKeyRequest = z.infer<typeof ZUpdateKeyRequest>;

/** The full key is in `secret`, returned this once and never again. */
export const ZCreatedKey = z.object({ key: ZApiKey, secret: z.string() });
export type TCreatedKey = z.infer<typeof ZCreatedKey>;

export const ZCreateTenantResponse = z.object({ tenant: ZTenant, publishableKey: z.string(), secretKey: z.string() });
export type TCreateTenantResponse = z.infer<typeof ZCreateTenantResponse>;

export const ZLlmProvider = z.enum(['ollama', 'openai']);
export type TLlmProvider = z.infer<typeof ZLlmProvider>;

export const ZHttpUrl = z.url({ protocol: /^https?$/ }).max(2048);

export const ZLlmConfigInput = z.strictObject({
  provider: ZLlmProvider,
  model: z.string().trim().min(1).max(200),
  baseUrl: ZHttpUrl.nullish(),
  /** Write-only: stored encrypted, never returned. `null` clears it; omit to keep the stored one. */
  apiKey: z.string().min(1).max(500).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  maxTokens: z.number().int().min(1).max(200_000).nullish(),
  embeddingModel: z.string().min(1).max(200).nullish(),
  inputPricePer1M: z.number().min(0).nullish(),
  outputPricePer1M: z.number().min(0).nullish(),
  enabled: z.boolean().optional(),
});
export type TLlmConfigInput = z.infer<typeof ZLlmConfigInput>;

export const ZLlmConfig = z.object({
  id: z.string(),
  tenantId: z.string(),
  priority: z.number().int(),
  provider: ZLlmProvider,
  model: z.string(),
  baseUrl: z.string().nullable(),
  hasApiKey: z.boolean(),
  temperature: z.number().nullable(),
  maxTokens: z.number().int().nullable(),
  embeddingModel: z.string().nullable(),
  inputPricePer1M: z.number().nullable(),
  outputPricePer1M: z.number().nullable(),
  enabled: z.boolean(),
  updatedAt: z.string(),
});
export type TLlmConfig = z.infer<typeof ZLlmConfig>;

export const ZLlmTestResult = z.object({
  status: z.enum(['connected', 'unreachable']),
  latencyMs: z.number(),
  error: z.string().optional(),
  models: z.array(z.string()).optional(),
  /** Whether the provider lists the configured model (only when it answered and a model was named). */
  modelAvailable: z.boolean().optional(),
});
export type TLlmTestResult = z.infer<typeof ZLlmTestResult>;

export const ZAgentInput = z.strictObject({
  name: z.string().trim().min(1).max(120),
  systemPrompt: z.string().max(20_000),
  isDefault: z.boolean().optional(),
});
export type TAgentInput = z.infer<typeof ZAgentInput>;
export const ZAgentUpdate = ZAgentInput.partial();
export type TAgentUpdate = z.infer<typeof ZAgentUpdate>;

export const ZAgent = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  systemPrompt: z.string(),
  isDefault: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TAgent = z.infer<typeof ZAgent>;

export const ZTenantParams = z.object({ tenantId: ZUuid });

/** A new admin password: long enough to resist guessing, short enough to hash cheaply. */
export const ZNewPassword = z.string().min(8, 'at least 8 characters').max(1024);

/** Creating an operator account (CLI `admin create`); without a tenant the account is a platform owner. */
export const ZCreateAdminUserRequest = z.strictObject({
  email: z.email().max(254),
  password: ZNewPassword,
  name: z.string().trim().min(1).max(120).optional(),
});
export type TCreateAdminUserRequest = z.infer<typeof ZCreateAdminUserRequest>;

/** A tenant's team member: an admin user and their role in that tenant. */
export const ZMember = z.object({
  userId: z.string(),
  tenantId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: ZRole,
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type TMember = z.infer<typeof ZMember>;

/**
 * Adds someone to a tenant, or changes their role when they already belong to it. Unknown e-mail
 * addresses get a new account, which needs `password`; an existing account's password is never changed.
 */
export const ZAddMemberRequest = z.strictObject({
  email: z.email().max(254),
  role: ZRole,
  password: ZNewPassword.optional(),
  name: z.string().trim().min(1).max(120).optional(),
});
export type TAddMemberRequest = z.infer<typeof ZAddMemberRequest>;

/** LLM configs per tenant: 0 is the primary provider, 1..9 the fallbacks in order. */
export const ZLlmPriority = z.number().int().min(0).max(9);

/** Path parameters of the admin routes below `tenants/:tenantId`. */
export const ZKeyParams = z.object({ tenantId: ZUuid, keyId: ZUuid });
export const ZAgentParams = z.object({ tenantId: ZUuid, agentId: ZUuid });
export const ZMemberParams = z.object({ tenantId: ZUuid, userId: ZUuid });
export const ZLlmParams = z.object({
  tenantId: ZUuid,
  priority: z
    .string()
    .regex(/^\d+$/, 'a priority from 0 (primary) to 9')
    .transform(Number)
    .pipe(ZLlmPriority),
});

/** GET /api/v1/admin/setup (public): whether the first owner still has to be created. */
export const ZSetupStatus = z.object({
  needsSetup: z.boolean(),
  /** The deployment set ADMIN_SETUP_TOKEN: first-run setup must quote it. */
  tokenRequired: z.boolean(),
});
export type TSetupStatus = z.infer<typeof ZSetupStatus>;

/** POST /api/v1/admin/setup: creates the first platform owner (only while no admin user exists) and signs in. */
export const ZSetupRequest = z.strictObject({
  email: z.email().max(254),
  password: ZNewPassword,
  name: z.string().trim().min(1).max(120).optional(),
  setupToken: z.string().min(1).max(500).optional(),
});
export type TSetupRequest = z.infer<typeof ZSetupRequest>;

/**
 * POST tenants/:tenantId/llm/models: asks a provider (the settings being edited, not yet saved) for its
 * models. Without `apiKey`, the key stored at `priority` is used when that config has the same provider.
 * The answer is a `TLlmTestResult`: latency and the models, or the provider's exact error.
 */
export const ZListModelsRequest = z.strictObject({
  provider: ZLlmProvider,
  baseUrl: ZHttpUrl.nullish(),
  apiKey: z.string().min(1).max(500).optional(),
  priority: ZLlmPriority.optional(),
  /** When given, the answer says whether the provider serves this model. */
  model: z.string().trim().min(1).max(200).optional(),
});
export type TListModelsRequest = z.infer<typeof ZListModelsRequest>;
