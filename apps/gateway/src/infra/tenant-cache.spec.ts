import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/config.schema';
import { MAX_AGE_MS, TenantCache } from './tenant-cache';

/** A cache whose change notifications are live (the gateway's LISTEN connection is stood in for). */
function liveCache(): TenantCache {
  const cache = new TenantCache({ TENANT_CACHE: true } as GatewayConfig, { warn: () => undefined } as unknown as Logger);
  Object.defineProperty(cache, 'enabled', { get: () => true });
  return cache;
}

/** Lets background work scheduled for the next turns of the event loop run. */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('TenantCache store', () => {
  afterEach(() => jest.restoreAllMocks());

  it('serves an aged entry once more while one background load refreshes it; no request waits', async () => {
    const store = liveCache().store<string>();
    const load = jest.fn(async () => ({ tenantId: 't1', value: `v${load.mock.calls.length}` }));
    expect(await store.get('k', load)).toBe('v1');
    expect(await store.get('k', load)).toBe('v1');
    expect(load).toHaveBeenCalledTimes(1);

    const start = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(start + MAX_AGE_MS + 1);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    load.mockImplementationOnce(async () => {
      await gate;
      return { tenantId: 't1', value: 'fresh' };
    });
    // Both requests get the aged value at once; they share the one refresh.
    expect(await Promise.all([store.get('k', load), store.get('k', load)])).toEqual(['v1', 'v1']);
    await settle();
    expect(load).toHaveBeenCalledTimes(2);
    release();
    await gate;
    await settle();
    expect(await store.get('k', load)).toBe('fresh');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('drops an aged entry whose refresh finds it gone', async () => {
    const store = liveCache().store<string>();
    const load = jest.fn(async (): Promise<{ tenantId: string; value: string } | undefined> => ({ tenantId: 't1', value: 'key' }));
    expect(await store.get('k', load)).toBe('key');
    jest.spyOn(Date, 'now').mockReturnValue(Date.now() + MAX_AGE_MS + 1);
    load.mockResolvedValueOnce(undefined);
    expect(await store.get('k', load)).toBe('key');
    await settle();
    load.mockResolvedValueOnce(undefined);
    expect(await store.get('k', load)).toBeUndefined();
  });

  it('a change notification drops the tenant’s entries: the next request loads, and waits for it', async () => {
    const cache = liveCache();
    const store = cache.store<string>();
    const load = jest.fn(async () => ({ tenantId: 't1', value: `v${load.mock.calls.length}` }));
    await store.get('k', load);
    cache.invalidate('t1');
    expect(await store.get('k', load)).toBe('v2');
  });
});
