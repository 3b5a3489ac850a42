/**
 * The widget as an ES module, for apps that bundle it:
 *
 *   import { init } from '@babble-buddy/widget';
 *   const chat = init({ appToken: 'pk_…', apiUrl: 'https://chat.example.com' });
 *   chat.on('message', (m) => console.log(m.text));
 *
 * The chat panel is a separate chunk your bundler loads on first open.
 */
import { createApi } from './host';
import type { BabbleBuddyApi, InitOptions, PanelModule } from './types';

export type {
  BabbleBuddyApi,
  InitOptions,
  ThemeOptions,
  WidgetError,
  WidgetEventName,
  WidgetEvents,
  WidgetMessage,
} from './types';

/** A widget facade without a widget yet: call `init` on it (what `window.BabbleBuddy` is). */
export function createBabbleBuddy(): BabbleBuddyApi {
  return createApi(() => import('./panel/index') as Promise<PanelModule>);
}

/** Creates the widget and puts its launcher on the page. */
export function init(options: InitOptions): BabbleBuddyApi {
  return createBabbleBuddy().init(options);
}
