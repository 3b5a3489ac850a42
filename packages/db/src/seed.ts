import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { generateApiKey, hashApiKey } from './api-keys';
import type { DbClient } from './client';

export const DEMO_TENANT_SLUG = 'demo';

export interface DemoSeed {
  tenant: { id: string; name: string; slug: string };
  publishableKey: string;
  secretKey: string;
  createdKeys: boolean;
}

export interface SeedOptions {
  /** Origins the demo publishable key accepts (the demo page's). */
  allowedOrigins: string[];
  /**
   * Keys are stored hashed, so the seed keeps the demo keys it created in this local file
   * (git-ignored, mode 600) to print them again on the next start; missing or revoked keys are replaced.
   */
  keysFile: string;
}

/** Idempotent: creates the demo tenant, its default agent and a key pair once, and reuses them after. */
export async function seedDemo(db: DbClient, options: SeedOptions): Promise<DemoSeed> {
  const tenant = await db.tenant.upsert({
    where: { slug: DEMO_TENANT_SLUG },
    update: {},
    create: { name: 'Demo Company', slug: DEMO_TENANT_SLUG, plan: 'demo' },
  });

  const agents = await db.agent.count({ where: { tenantId: tenant.id } });
  if (agents === 0) {
    await db.agent.create({
      data: {
        tenantId: tenant.id,
        name: 'Buddy',
        isDefault: true,
        systemPrompt:
          'You are Buddy, the friendly assistant of Demo Company. Answer briefly and accurately. ' +
          'When you do not know something, say so and offer to connect the visitor with a human.',
      },
    });
  }

  // The widget's look for the demo page; an operator's later changes are kept.
  await db.widgetConfig.upsert({
    where: { tenantId: tenant.id },
    update: {},
    create: {
      tenantId: tenant.id,
      title: 'Buddy · Demo Company',
      greeting: "Hi! I'm Buddy, Demo Company's assistant. Ask me anything.",
      primaryColor: '#4f46e5',
    },
  });

  const saved = readKeysFile(options.keysFile);
  if (saved && saved.tenantId === tenant.id && (await keysAreLive(db, tenant.id, saved))) {
    await db.apiKey.updateMany({
      where: { tenantId: tenant.id, hash: hashApiKey(saved.publishableKey) },
      data: { allowedOrigins: options.allowedOrigins },
    });
    return { tenant, publishableKey: saved.publishableKey, secretKey: saved.secretKey, createdKeys: false };
  }

  const publishable = generateApiKey('publishable');
  const secret = generateApiKey('secret');
  await db.apiKey.createMany({
    data: [
      { tenantId: tenant.id, kind: 'publishable', name: 'Demo widget', prefix: publishable.prefix, hash: publishable.hash, allowedOrigins: options.allowedOrigins },
      { tenantId: tenant.id, kind: 'secret', name: 'Demo server', prefix: secret.prefix, hash: secret.hash },
    ],
  });
  mkdirSync(dirname(options.keysFile), { recursive: true });
  writeFileSync(
    options.keysFile,
    JSON.stringify({ tenantId: tenant.id, publishableKey: publishable.key, secretKey: secret.key }, null, 2) + '\n',
    { mode: 0o600 },
  );
  return { tenant, publishableKey: publishable.key, secretKey: secret.key, createdKeys: true };
}

interface SavedKeys {
  tenantId: string;
  publishableKey: string;
  secretKey: string;
}

function readKeysFile(path: string): SavedKeys | null {
  if (!existsSync(path)) return null;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<SavedKeys>;
    if (typeof value.tenantId === 'string' && typeof value.publishableKey === 'string' && typeof value.secretKey === 'string') {
      return value as SavedKeys;
    }
  } catch {
    // An unreadable file is replaced by fresh keys.
  }
  return null;
}

async function keysAreLive(db: DbClient, tenantId: string, saved: SavedKeys): Promise<boolean> {
  const live = await db.apiKey.count({
    where: {
      tenantId,
      hash: { in: [hashApiKey(saved.publishableKey), hashApiKey(saved.secretKey)] },
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }],
    },
  });
  return live === 2;
}
