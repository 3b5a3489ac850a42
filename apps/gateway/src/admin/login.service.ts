import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ErrorCode, type TLoginResponse } from '@babble-buddy/shared';
import { TokensService } from '../auth/tokens.service';
import { AppError } from '../common/app-error';
import { REDIS } from '../infra/tokens';
import { AdminUsersService } from './admin-users.service';

/**
 * Failed logins are counted per account from one address (a guesser is stopped quickly, the real
 * owner elsewhere is not locked out) and per account overall (a slower stop for distributed guessing).
 * Each failure restarts the window; a success clears the count for that address.
 */
const FAILURE_WINDOW_MS = 15 * 60_000;
export const MAX_FAILURES_PER_ACCOUNT_AND_IP = 10;
const MAX_FAILURES_PER_ACCOUNT = 50;

/** Password login for the admin API, with a lockout against guessing. */
@Injectable()
export class LoginService {
  constructor(
    private readonly users: AdminUsersService,
    private readonly tokens: TokensService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async login(email: string, password: string, ip: string | undefined): Promise<TLoginResponse> {
    const account = digest(email.trim().toLowerCase());
    const keys = [`bb:login-fail:${account}:${ip ?? 'unknown'}`, `bb:login-fail:${account}`] as const;
    await this.refuseWhenLocked(keys);
    try {
      const user = await this.users.authenticate(email, password);
      await this.redis.del(keys[0]);
      const { token, expiresAt } = this.tokens.signAdmin(user.id);
      return { token, expiresAt: expiresAt.toISOString(), user };
    } catch (error) {
      if (error instanceof AppError && error.code === ErrorCode.InvalidCredentials) {
        const multi = this.redis.multi();
        for (const key of keys) multi.incr(key).pexpire(key, FAILURE_WINDOW_MS);
        await multi.exec();
      }
      throw error;
    }
  }

  private async refuseWhenLocked(keys: readonly [string, string]): Promise<void> {
    const [fromHere, overall] = (await this.redis.mget(...keys)).map((value) => Number(value ?? 0));
    const locked = (fromHere ?? 0) >= MAX_FAILURES_PER_ACCOUNT_AND_IP ? keys[0] : (overall ?? 0) >= MAX_FAILURES_PER_ACCOUNT ? keys[1] : null;
    if (!locked) return;
    const seconds = Math.max(1, Math.ceil((await this.redis.pttl(locked)) / 1000));
    throw new AppError(ErrorCode.RateLimited, `Too many failed sign-ins; try again in ${Math.ceil(seconds / 60)} min`, { retryAfterSeconds: seconds }, { 'Retry-After': String(seconds) });
  }
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 32);
}
