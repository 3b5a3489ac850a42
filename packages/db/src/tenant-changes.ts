import { Client } from 'pg';

/** Channel the `bb_notify_tenant_changed` triggers notify with a tenant id (migration 20261121050000). */
export const TENANT_CHANGED_CHANNEL = 'bb_tenant_changed';

export interface TenantChangeHandlers {
  /** A row a request depends on changed for this tenant (key, tenant status, models, agents, embeddings). */
  onChange(tenantId: string): void;
  /** Listening (again). Anything cached while not listening may be stale: callers should drop it here. */
  onListening(): void;
  /** The connection is gone; a reconnect is scheduled. Callers must stop trusting their caches. */
  onLost(error: Error | undefined): void;
}

export interface TenantChangeListener {
  readonly listening: boolean;
  close(): Promise<void>;
}

/**
 * Holds one Postgres connection LISTENing on `bb_tenant_changed` and reconnects (100 ms doubling to 5 s)
 * when it drops. Resolves once the first LISTEN is in place or has failed (then retrying in the background).
 */
export async function listenTenantChanges(databaseUrl: string, handlers: TenantChangeHandlers): Promise<TenantChangeListener> {
  let client: Client | undefined;
  let closed = false;
  let listening = false;
  let retryMs = 100;
  let timer: NodeJS.Timeout | undefined;

  const lost = (error: Error | undefined): void => {
    if (closed) return;
    const wasListening = listening;
    listening = false;
    const dead = client;
    client = undefined;
    dead?.removeAllListeners();
    dead?.on('error', () => undefined);
    void dead?.end().catch(() => undefined);
    if (wasListening) handlers.onLost(error);
    timer = setTimeout(() => void connect(), retryMs);
    timer.unref();
    retryMs = Math.min(retryMs * 2, 5_000);
  };

  const connect = async (): Promise<void> => {
    if (closed) return;
    const next = new Client({ connectionString: databaseUrl, application_name: 'bb-tenant-changes' });
    client = next;
    next.on('error', (error) => lost(error));
    next.on('end', () => lost(undefined));
    next.on('notification', (message) => {
      if (message.channel === TENANT_CHANGED_CHANNEL && message.payload) handlers.onChange(message.payload);
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${TENANT_CHANGED_CHANNEL}`);
      if (closed || client !== next) return;
      listening = true;
      retryMs = 100;
      handlers.onListening();
    } catch (error) {
      if (client === next) lost(error as Error);
    }
  };

  await connect();
  return {
    get listening() {
      return listening;
    },
    async close() {
      closed = true;
      listening = false;
      if (timer) clearTimeout(timer);
      const last = client;
      client = undefined;
      last?.removeAllListeners();
      last?.on('error', () => undefined);
      await last?.end().catch(() => undefined);
    },
  };
}
