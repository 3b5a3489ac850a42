import type { TPublicWidgetConfig, TWidgetLocale } from '@babble-buddy/shared';
import { isHexColor, textColorOn } from './color';
import { FRAME_CSS } from './frame.css';
import { icon, type IconName } from './icons';
import { isRtl, LAUNCHER_LABELS, resolveLocale } from './locale';
import { keyStore } from './store';
import { addStyles, type ShadowStyles } from './styles';
import { httpUrl } from './url';
import type {
  BabbleBuddyApi,
  Emit,
  InitOptions,
  KeyStore,
  Listener,
  PanelApi,
  PanelModule,
  THostContext,
  ThemeOptions,
  WidgetError,
  WidgetEventName,
} from './types';

declare const __BB_VERSION__: string;

/** The host element's tag: a custom element name, so page rules for `div` and friends never match it. */
export const HOST_TAG = 'babble-buddy-widget';
const CONTEXT_MAX_BYTES = 8 * 1024;
const IDLE_PRELOAD_TIMEOUT_MS = 4000;

const DEFAULT_CONFIG: TPublicWidgetConfig = {
  tenantName: '',
  title: null,
  greeting: null,
  primaryColor: '#4f46e5',
  position: 'bottom-right',
  theme: 'auto',
  logoUrl: null,
  launcherIcon: 'chat',
  locale: 'auto',
  sendOn: 'enter',
};

/**
 * `window.BabbleBuddy` (and what the ESM `init` returns): a facade that outlives `destroy()`/`init()`
 * cycles, keeps listeners, and forwards to the current widget.
 */
export function createApi(loadPanel: () => Promise<PanelModule>, defaults: Partial<InitOptions> = {}): BabbleBuddyApi {
  const listeners = new Map<WidgetEventName, Set<(payload: never) => void>>();
  let widget: Widget | null = null;
  let context: THostContext | undefined;

  const emit: Emit = (event, payload) => {
    for (const listener of [...(listeners.get(event) ?? [])]) {
      try {
        (listener as Listener<typeof event>)(payload);
      } catch (error) {
        console.error('[Babble Buddy] a listener failed', error);
      }
    }
  };
  const fail = (error: WidgetError) => {
    console.error(`[Babble Buddy] ${error.code}: ${error.message}`);
    emit('error', error);
  };

  const api: BabbleBuddyApi = {
    version: typeof __BB_VERSION__ === 'string' ? __BB_VERSION__ : 'dev',
    init(options) {
      widget?.destroy();
      widget = null;
      const merged = { ...defaults, ...options };
      if (merged.preview) merged.appToken = 'preview';
      else if (typeof merged.appToken !== 'string' || !merged.appToken.startsWith('pk_')) {
        fail({ code: 'INVALID_KEY', message: 'init needs appToken: a publishable key (pk_…)' });
        return api;
      }
      if (merged.context !== undefined) context = checkedContext(merged.context, fail) ?? context;
      widget = new Widget(merged as InitOptions & { appToken: string }, loadPanel, emit, fail, () => context);
      return api;
    },
    open: () => widget?.open(),
    close: () => widget?.close(),
    toggle: () => widget?.toggle(),
    send(text) {
      if (!widget) return Promise.reject(new Error('[Babble Buddy] call init first'));
      return widget.send(text);
    },
    setContext(value) {
      context = value === null ? undefined : (checkedContext(value, fail) ?? context);
    },
    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener as (payload: never) => void);
      return api;
    },
    off(event, listener) {
      listeners.get(event)?.delete(listener as (payload: never) => void);
      return api;
    },
    destroy() {
      widget?.destroy();
      widget = null;
    },
  };
  return api;
}

/** A copy of `value` if it is a plain JSON object of at most 8 KiB; otherwise reports it and returns undefined. */
function checkedContext(value: unknown, fail: (error: WidgetError) => void): THostContext | undefined {
  try {
    const json = JSON.stringify(value);
    if (value && typeof value === 'object' && !Array.isArray(value) && new TextEncoder().encode(json).length <= CONTEXT_MAX_BYTES) {
      return JSON.parse(json) as THostContext;
    }
  } catch {
    // not JSON (cycles, BigInt): refused below
  }
  fail({ code: 'CONTEXT_TOO_LARGE', message: `context must be a plain JSON object of at most ${CONTEXT_MAX_BYTES} bytes; it was not changed` });
  return undefined;
}

/** One widget on the page: the host element, its shadow root, the launcher, and (once needed) the panel. */
class Widget {
  readonly #options: InitOptions & { appToken: string };
  readonly #loadPanel: () => Promise<PanelModule>;
  readonly #emit: Emit;
  readonly #fail: (error: WidgetError) => void;
  readonly #context: () => THostContext | undefined;
  readonly #host: HTMLElement;
  readonly #root: ShadowRoot;
  readonly #frame: HTMLDivElement;
  #vars!: ShadowStyles;
  readonly #launcher: HTMLButtonElement;
  readonly #store: KeyStore;
  readonly #tabStore: KeyStore;
  readonly #apiUrl: string;
  #config: TPublicWidgetConfig | null = null;
  #locale: TWidgetLocale = 'en';
  #isOpen = false;
  #panel: PanelApi | null = null;
  #panelLoading: Promise<PanelApi> | null = null;
  #module: Promise<PanelModule> | null = null;
  #destroyed = false;
  readonly #cleanups: (() => void)[] = [];

  constructor(
    options: InitOptions & { appToken: string },
    loadPanel: () => Promise<PanelModule>,
    emit: Emit,
    fail: (error: WidgetError) => void,
    context: () => THostContext | undefined,
  ) {
    this.#options = options;
    this.#loadPanel = loadPanel;
    this.#emit = emit;
    this.#fail = fail;
    this.#context = context;
    this.#apiUrl = (options.apiUrl ?? '').replace(/\/+$/, '');
    this.#store = keyStore(options.appToken);
    this.#tabStore = keyStore(options.appToken, 'session');
    this.#host = document.createElement(HOST_TAG);
    this.#root = this.#host.attachShadow({ mode: 'open' });
    addStyles(this.#root, FRAME_CSS);
    this.#vars = addStyles(this.#root, '');
    this.#frame = document.createElement('div');
    this.#frame.className = 'bb';
    this.#launcher = document.createElement('button');
    this.#launcher.type = 'button';
    this.#launcher.className = 'ln';
    this.#launcher.setAttribute('aria-expanded', 'false');
    this.#launcher.setAttribute('aria-controls', 'bb-panel');
    this.#launcher.addEventListener('click', () => this.toggle());
    this.#root.append(this.#frame);

    const given = options.config || options.preview ? { ...DEFAULT_CONFIG, ...options.config } : null;
    const cached = this.#store.get<TPublicWidgetConfig>('config');
    if (given) this.#apply(given);
    else {
      // A returning visitor sees the launcher at once, in last visit's look; the fetch refreshes it.
      if (cached && typeof cached === 'object') this.#apply({ ...DEFAULT_CONFIG, ...cached });
      void this.#fetchConfig(!cached);
    }
  }

  async #fetchConfig(firstVisit: boolean): Promise<void> {
    let response: Response;
    try {
      response = await fetch(`${this.#apiUrl}/api/v1/widget/config?key=${encodeURIComponent(this.#options.appToken)}`, { credentials: 'omit' });
    } catch {
      // Gateway unreachable: draw the launcher anyway; the panel explains and retries.
      if (firstVisit && !this.#destroyed) this.#apply(DEFAULT_CONFIG);
      return;
    }
    if (this.#destroyed) return;
    if (!response.ok) {
      const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      const error = body?.error;
      this.#fail({ code: (error?.code ?? 'INTERNAL') as WidgetError['code'], message: error?.message ?? `HTTP ${response.status}` });
      if (response.status >= 400 && response.status < 500 && response.status !== 429) {
        // Refused (key or origin): a widget that cannot work is not shown.
        this.#store.remove('config');
        this.#host.remove();
      } else if (firstVisit) this.#apply(DEFAULT_CONFIG);
      return;
    }
    const config = { ...DEFAULT_CONFIG, ...((await response.json()) as TPublicWidgetConfig) };
    if (this.#destroyed) return;
    // Storage writes and redraws cost the host page main-thread time: only when the config changed.
    const changed = JSON.stringify(config) !== JSON.stringify(this.#store.get('config'));
    if (changed) this.#store.set('config', config);
    if (changed || !this.#config) this.#apply(config);
  }

  /** Draws (or redraws) the launcher with a config; the first call puts the widget on the page. */
  #apply(base: TPublicWidgetConfig): void {
    const o = this.#options;
    const theme: ThemeOptions = typeof o.theme === 'string' ? { mode: o.theme } : (o.theme ?? {});
    const config: TPublicWidgetConfig = {
      ...base,
      ...(o.position ? { position: o.position } : {}),
      ...(o.greeting ? { greeting: o.greeting } : {}),
      ...(o.title ? { title: o.title } : {}),
      ...(o.sendOn ? { sendOn: o.sendOn } : {}),
      ...(theme.mode ? { theme: theme.mode } : {}),
      ...(theme.primaryColor ? { primaryColor: theme.primaryColor } : {}),
      ...(theme.logoUrl ? { logoUrl: theme.logoUrl } : {}),
      ...(theme.launcherIcon ? { launcherIcon: theme.launcherIcon } : {}),
    };
    if (!isHexColor(config.primaryColor)) config.primaryColor = DEFAULT_CONFIG.primaryColor;
    config.logoUrl = httpUrl(config.logoUrl);
    const first = this.#config === null;
    this.#config = config;
    this.#locale = resolveLocale(o.locale, config.locale);

    this.#vars.replace(`.bb{--p:var(--bb-primary,${config.primaryColor});--op:var(--bb-on-primary,${textColorOn(config.primaryColor)})}`);
    this.#frame.dir = isRtl(this.#locale) ? 'rtl' : 'ltr';
    this.#frame.lang = this.#locale;
    this.#frame.dataset.theme = config.theme;
    this.#frame.dataset.pos = config.position === 'bottom-left' ? 'left' : 'right';
    this.#drawLauncher(config);
    if (!first) return;

    this.#frame.append(this.#launcher);
    const attach = () => {
      if (this.#destroyed) return;
      document.body.append(this.#host);
      this.#emit('ready', { config });
      const wasOpen = this.#tabStore.get<boolean>('open') === true;
      // A conversation the visitor had open on the last page (or answers still coming) comes back by itself.
      if (o.open || wasOpen) this.open();
      else if (this.#store.get<unknown[]>('pending')?.length) void this.#ensurePanel();
      else this.#preloadWhenIdle();
    };
    // A synchronous tag in <head> runs before there is a body.
    if (document.body) attach();
    else document.addEventListener('DOMContentLoaded', attach, { once: true });
  }

  #drawLauncher(config: TPublicWidgetConfig): void {
    const logo = config.launcherIcon === 'logo' ? config.logoUrl : null;
    let face: Element;
    if (logo) {
      const img = document.createElement('img');
      img.alt = '';
      img.src = logo;
      img.className = 'o';
      face = img;
    } else {
      face = icon((config.launcherIcon === 'logo' ? 'chat' : config.launcherIcon) as Exclude<IconName, 'close'>, 'i o');
    }
    const dot = document.createElement('span');
    dot.className = 'dot';
    this.#launcher.replaceChildren(face, icon('close', 'i x'), dot);
    this.#labelLauncher();
  }

  #labelLauncher(): void {
    const [open, close] = LAUNCHER_LABELS[this.#locale];
    this.#launcher.setAttribute('aria-label', this.#isOpen ? close : open);
    this.#launcher.setAttribute('aria-expanded', String(this.#isOpen));
  }

  #preloadWhenIdle(): void {
    const preload = () => void this.#panelModule().catch(() => undefined);
    const idle = (window as { requestIdleCallback?: (cb: () => void, o: { timeout: number }) => number }).requestIdleCallback;
    const schedule = () => (idle ? idle(preload, { timeout: IDLE_PRELOAD_TIMEOUT_MS }) : setTimeout(preload, 2000));
    if (document.readyState === 'complete') schedule();
    else {
      window.addEventListener('load', schedule, { once: true });
      this.#cleanups.push(() => window.removeEventListener('load', schedule));
    }
  }

  #panelModule(): Promise<PanelModule> {
    this.#module ??= this.#loadPanel().catch((error: unknown) => {
      this.#module = null;
      throw error;
    });
    return this.#module;
  }

  #ensurePanel(): Promise<PanelApi> {
    if (this.#panel) return Promise.resolve(this.#panel);
    this.#panelLoading ??= (async () => {
      this.#launcher.setAttribute('aria-busy', 'true');
      try {
        const module = await this.#panelModule();
        if (this.#destroyed || !this.#config) throw new Error('destroyed');
        this.#panel = module.mount({
          root: this.#root,
          frame: this.#frame,
          launcher: this.#launcher,
          apiUrl: this.#apiUrl,
          appToken: this.#options.appToken,
          preview: this.#options.preview === true,
          config: this.#config,
          locale: this.#locale,
          store: this.#store,
          context: this.#context,
          emit: this.#emit,
          requestClose: () => this.close(),
          notify: (unread) => {
            if (unread && !this.#isOpen) this.#frame.dataset.unread = '';
            else delete this.#frame.dataset.unread;
          },
        });
        return this.#panel;
      } catch (error) {
        this.#panelLoading = null;
        if (!this.#destroyed) this.#fail({ code: 'LOAD_FAILED', message: `The chat could not be loaded: ${String((error as Error)?.message ?? error)}` });
        throw error;
      } finally {
        this.#launcher.removeAttribute('aria-busy');
      }
    })();
    return this.#panelLoading;
  }

  open(): void {
    if (this.#destroyed || !this.#config || this.#isOpen) return;
    this.#isOpen = true;
    this.#tabStore.set('open', true);
    delete this.#frame.dataset.unread;
    this.#labelLauncher();
    this.#ensurePanel().then(
      (panel) => {
        if (this.#isOpen) panel.show();
      },
      () => {
        this.#isOpen = false;
        this.#labelLauncher();
      },
    );
    this.#emit('open', undefined);
  }

  close(): void {
    if (!this.#isOpen) return;
    this.#isOpen = false;
    this.#tabStore.set('open', false);
    this.#labelLauncher();
    this.#panel?.hide();
    this.#emit('close', undefined);
  }

  toggle(): void {
    if (this.#isOpen) this.close();
    else this.open();
  }

  async send(text: string): Promise<void> {
    if (this.#destroyed) throw new Error('[Babble Buddy] the widget was destroyed');
    this.open();
    const panel = await this.#ensurePanel();
    await panel.send(text);
  }

  destroy(): void {
    this.#destroyed = true;
    this.#panel?.destroy();
    this.#panel = null;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    this.#host.remove();
  }
}

