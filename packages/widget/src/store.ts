import type { KeyStore } from './types';

/**
 * Storage namespaced by the publishable key, so two tenants' widgets on one site never share a
 * session. Falls back to memory where storage is blocked (sandboxed frames, some private modes).
 */
export function keyStore(appToken: string, storage: 'local' | 'session' = 'local'): KeyStore {
  const prefix = `bb:${appToken}:`;
  const memory = new Map<string, string>();
  let area: Storage | null = null;
  try {
    area = storage === 'local' ? window.localStorage : window.sessionStorage;
    area.getItem(prefix);
  } catch {
    area = null;
  }
  const read = (name: string): string | null => {
    try {
      return area ? area.getItem(prefix + name) : (memory.get(name) ?? null);
    } catch {
      return memory.get(name) ?? null;
    }
  };
  return {
    get<T>(name: string): T | undefined {
      const raw = read(name);
      if (raw === null) return undefined;
      try {
        return JSON.parse(raw) as T;
      } catch {
        return undefined;
      }
    },
    set(name, value) {
      const raw = JSON.stringify(value);
      memory.set(name, raw);
      try {
        area?.setItem(prefix + name, raw);
      } catch {
        // Quota or blocked: memory keeps it for this page.
      }
    },
    remove(name) {
      memory.delete(name);
      try {
        area?.removeItem(prefix + name);
      } catch {
        // ignore
      }
    },
  };
}
