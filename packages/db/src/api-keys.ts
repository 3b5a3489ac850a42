import { createHash, randomBytes } from 'node:crypto';

export type ApiKeyKind = 'publishable' | 'secret';

const PREFIX: Record<ApiKeyKind, string> = { publishable: 'pk_', secret: 'sk_' };

/** 32 random bytes, base64url: 256 bits, so a plain sha256 is a sound way to store them. */
export function generateApiKey(kind: ApiKeyKind): { key: string; hash: string; prefix: string } {
  const key = `${PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, 10) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function apiKeyKindOf(key: string): ApiKeyKind | null {
  if (key.startsWith('pk_')) return 'publishable';
  if (key.startsWith('sk_')) return 'secret';
  return null;
}
