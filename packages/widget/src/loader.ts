/**
 * widget.js: the one script a host page loads. It reads its own tag's data attributes, defines
 * `window.BabbleBuddy`, draws the launcher, and loads the chat panel (a content-hashed file next to
 * it) on first open or when the page is idle.
 *
 *   <script src="https://chat.example.com/widget.js" data-key="pk_…" async></script>
 */
import type { TWidgetLocale, TWidgetPosition } from '@babble-buddy/shared';
import { createApi } from './host';
import type { BabbleBuddyApi, InitOptions, PanelModule } from './types';

/** Filled in at build time with the panel's content-hashed path, relative to widget.js. */
declare const __BB_PANEL__: string;

type QueuedCall = [method: string, ...args: unknown[]];
type GlobalSlot = BabbleBuddyApi | { q?: QueuedCall[] } | undefined;

const script = document.currentScript as HTMLScriptElement | null;
const scriptUrl = script?.src || location.href;
const data = script?.dataset ?? {};

const global = window as unknown as { BabbleBuddy?: GlobalSlot };
const earlier = global.BabbleBuddy;

if (earlier && 'version' in earlier) {
  // The tag twice on one page: keep the first widget.
  console.warn('[Babble Buddy] widget.js was loaded twice; the second copy does nothing');
} else {
  const panelUrl = new URL(__BB_PANEL__, scriptUrl).href;
  const api = createApi(() => import(/* @vite-ignore */ panelUrl) as Promise<PanelModule>, {
    apiUrl: data.apiUrl || new URL(scriptUrl).origin,
    ...(data.position ? { position: (data.position.includes('left') ? 'bottom-left' : 'bottom-right') as TWidgetPosition } : {}),
    ...(data.locale ? { locale: data.locale as TWidgetLocale } : {}),
  });
  global.BabbleBuddy = api;
  if (data.key) api.init({ appToken: data.key } as InitOptions);
  // Calls a page made before the async script arrived: window.BabbleBuddy = { q: [['on', 'ready', fn]] }.
  const queue = earlier && 'q' in earlier && Array.isArray(earlier.q) ? earlier.q : [];
  for (const [method, ...args] of queue) {
    const fn = (api as unknown as Record<string, (...a: unknown[]) => unknown>)[method];
    if (typeof fn === 'function') fn.apply(api, args);
  }
}
