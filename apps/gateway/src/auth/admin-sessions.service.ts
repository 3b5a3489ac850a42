import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { REDIS } from '../infra/tokens';

/**
 * Signed-out admin tokens. Tokens are stateless JWTs, so logging out records the token's hash in Redis
 * until the moment it would have expired anyway; the admin guard refuses recorded tokens.
 */
@Injectable()
export class AdminSessionsService {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async revoke(token: string, expiresAt: Date): Promise<void> {
    const ttlMs = expiresAt.getTime() - Date.now();
    if (ttlMs <= 0) return;
    await this.redis.set(revokedKey(token), '1', 'PX', ttlMs);
  }

  async isRevoked(token: string): Promise<boolean> {
    return (await this.redis.exists(revokedKey(token))) === 1;
  }
}

function revokedKey(token: string): string {
  return `bb:admin-signed-out:${createHash('sha256').update(token).digest('hex')}`;
}
