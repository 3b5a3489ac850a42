import { Inject, Injectable } from '@nestjs/common';
import type { DbClient } from '@babble-buddy/db';
import { DB } from '../infra/tokens';

const TTL_MS = 5_000;
const MAX_ENTRIES = 2_000;

/**
 * Whether an origin is on the allow-list of any live publishable key (or any tenant's widget origins).
 * CORS preflights carry neither key nor token, so this is all they can be checked against; every
 * actual request is then checked against its own key or session token. Answers are kept for a few
 * seconds, since a burst of preflights from one page would ask the same question.
 */
@Injectable()
export class WidgetOriginsService {
  private readonly cache = new Map<string, { known: boolean; at: number }>();

  constructor(@Inject(DB) private readonly db: DbClient) {}

  async isKnown(origin: string): Promise<boolean> {
    const cached = this.cache.get(origin);
    if (cached && Date.now() - cached.at < TTL_MS) return cached.known;
    const rows = await this.db.$queryRaw<{ known: boolean }[]>`
      SELECT EXISTS (
               SELECT 1 FROM api_keys
               WHERE kind = 'publishable' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
                 AND ${origin} = ANY (allowed_origins))
          OR EXISTS (SELECT 1 FROM widget_configs WHERE ${origin} = ANY (allowed_origins)) AS known`;
    const known = rows[0]?.known === true;
    if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
    this.cache.set(origin, { known, at: Date.now() });
    return known;
  }
}
