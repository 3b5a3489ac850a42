import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { listenTenantChanges, type TenantChangeListener } from '@babble-buddy/db';
import type { Logger } from 'pino';
import { GATEWAY_CONFIG } from '../config/config';
import type { GatewayConfig } from '../config/config.schema';
import { LOGGER } from './tokens';

/**
 * How old an entry may get before it is read again, in case a notification were somehow missed. An entry
 * past this age is still served once more while it is refreshed in the background: changes reach the
 * cache by notification, so the age only bounds a missed one (to this plus one refresh), and no request
 * waits for a refresh (they cost a chat turn 10–20 ms once a minute per entry).
 */
export const MAX_AGE_MS = 60_000;

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A per-process cache of what every chat request reads (key → tenant, the tenant's models, its agents), kept
 * correct by Postgres: triggers notify `bb_tenant_changed` on any change to those rows, whoever makes it (admin
 * API, CLI, SQL), and this service drops the tenant's entries when the notification arrives. While the LISTEN
 * connection is down nothing is cached, so a lost connection costs speed, never correctness.
 */
@Injectable()
export class TenantCache implements OnModuleInit, OnApplicationShutdown {
  private listener: TenantChangeListener | undefined;
  private readonly stores = new Set<CacheStore<unknown>>();
  /** Bumped on every invalidation: a load that started before one must not store what it read. */
  private epoch = 0;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.TENANT_CACHE) return;
    this.listener = await listenTenantChanges(this.config.DATABASE_URL, {
      onChange: (tenantId) => this.invalidate(tenantId),
      onListening: () => this.clear(),
      onLost: (error) => {
        this.clear();
        this.logger.warn({ err: error }, 'tenant change notifications lost; caching paused until reconnected');
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }

  get enabled(): boolean {
    return this.listener?.listening ?? false;
  }

  /** A named map whose entries belong to a tenant and vanish when that tenant changes. */
  store<V>(): CacheStore<V> {
    const store = new CacheStore<V>(this);
    this.stores.add(store as CacheStore<unknown>);
    return store;
  }

  /** Drops a tenant's entries now (this process); other processes hear of it from Postgres. */
  invalidate(tenantId: string): void {
    this.epoch++;
    for (const store of this.stores) store.dropTenant(tenantId);
  }

  private clear(): void {
    this.epoch++;
    for (const store of this.stores) store.clear();
  }

  /** @internal */
  currentEpoch(): number {
    return this.epoch;
  }
}

export class CacheStore<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly keysByTenant = new Map<string, Set<string>>();
  private readonly inflight = new Map<string, Promise<{ tenantId: string; value: V } | undefined>>();

  constructor(private readonly owner: TenantCache) {}

  /**
   * The cached value, or `load()`'s (stored when the tenant did not change meanwhile). Concurrent misses for one
   * key share one load. `undefined` from `load` (not found) is not cached. An entry past its age is returned
   * while a load refreshes it (see MAX_AGE_MS).
   */
  async get(key: string, load: () => Promise<{ tenantId: string; value: V } | undefined>): Promise<V | undefined> {
    if (!this.owner.enabled) return (await load())?.value;
    const hit = this.entries.get(key);
    if (hit) {
      // After this turn's own work of the moment: the reload's CPU then overlaps the turn's next wait instead of delaying it.
      if (hit.expiresAt <= Date.now()) setImmediate(() => this.refresh(key, load));
      return hit.value;
    }
    return (await this.load(key, load))?.value;
  }

  /** Reloads an aged entry unless another request's refresh already did. */
  private refresh(key: string, load: () => Promise<{ tenantId: string; value: V } | undefined>): void {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > Date.now()) return;
    this.load(key, load).catch(() => undefined);
  }

  private load(key: string, load: () => Promise<{ tenantId: string; value: V } | undefined>): Promise<{ tenantId: string; value: V } | undefined> {
    let pending = this.inflight.get(key);
    if (!pending) {
      const epoch = this.owner.currentEpoch();
      pending = load().then((loaded) => {
        if (this.owner.enabled && epoch === this.owner.currentEpoch()) {
          if (loaded) this.set(key, loaded.tenantId, loaded.value);
          else this.entries.delete(key); // gone since it was cached
        }
        return loaded;
      });
      this.inflight.set(key, pending);
      void pending.finally(() => this.inflight.delete(key)).catch(() => undefined);
    }
    return pending;
  }

  dropTenant(tenantId: string): void {
    const keys = this.keysByTenant.get(tenantId);
    if (!keys) return;
    for (const key of keys) this.entries.delete(key);
    this.keysByTenant.delete(tenantId);
  }

  clear(): void {
    this.entries.clear();
    this.keysByTenant.clear();
  }

  private set(key: string, tenantId: string, value: V): void {
    this.entries.set(key, { value, expiresAt: Date.now() + MAX_AGE_MS });
    let keys = this.keysByTenant.get(tenantId);
    if (!keys) this.keysByTenant.set(tenantId, (keys = new Set()));
    keys.add(key);
  }
}
