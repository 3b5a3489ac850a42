import type {
  ErrorCode,
  TCitation,
  THostContext,
  TLauncherIcon,
  TPublicWidgetConfig,
  TSendOn,
  TWidgetLocale,
  TWidgetPosition,
  TWidgetTheme,
} from '@babble-buddy/shared';

export type { TCitation, THostContext, TPublicWidgetConfig, TWidgetLocale };

/** Look overrides a host page may pass to `init` (they win over the tenant's widget config). */
export interface ThemeOptions {
  mode?: TWidgetTheme;
  primaryColor?: string;
  logoUrl?: string;
  launcherIcon?: TLauncherIcon;
}

export interface InitOptions {
  /** The tenant's publishable key (pk_…); not needed with `preview`. */
  appToken?: string;
  /** The gateway's URL; the tag defaults it to the origin `widget.js` was loaded from. */
  apiUrl?: string;
  position?: TWidgetPosition;
  /** `auto` (default) follows the tenant's setting, then the visitor's browser. */
  locale?: TWidgetLocale | 'auto';
  /** Host-app facts sent with each message (page, plan, cart…), at most 8 KiB of JSON. */
  context?: THostContext;
  /** `light`, `dark`, `auto`, or an object with colour/logo/icon overrides too. */
  theme?: TWidgetTheme | ThemeOptions;
  greeting?: string;
  title?: string;
  sendOn?: TSendOn;
  /**
   * The whole widget config, given instead of fetched (no network round trip before the launcher is
   * drawn), e.g. for a live preview. Fields of `theme`, `greeting`… above still win over it.
   */
  config?: Partial<TPublicWidgetConfig>;
  /** Open the panel as soon as the launcher is drawn. */
  open?: boolean;
  /**
   * A look-only widget (the admin's live preview): no network at all, drawn from `config` and the
   * options above; messages get a placeholder answer.
   */
  preview?: boolean;
}

export interface WidgetMessage {
  id: string;
  role: 'user' | 'assistant' | 'operator';
  text: string;
  citations: TCitation[];
}

export interface WidgetError {
  code: ErrorCode | 'NETWORK_ERROR' | 'CONTEXT_TOO_LARGE' | 'NOT_INITIALISED' | 'LOAD_FAILED';
  message: string;
}

export interface WidgetEvents {
  open: undefined;
  close: undefined;
  message: WidgetMessage;
  error: WidgetError;
  ready: { config: TPublicWidgetConfig };
}
export type WidgetEventName = keyof WidgetEvents;
export type Listener<E extends WidgetEventName> = (payload: WidgetEvents[E]) => void;

/** `window.BabbleBuddy` (and what the ESM `init` returns). */
export interface BabbleBuddyApi {
  readonly version: string;
  init(options: InitOptions): BabbleBuddyApi;
  open(): void;
  close(): void;
  toggle(): void;
  /** Sends `text` as the visitor (opening the panel); resolves once it is queued or sent. */
  send(text: string): Promise<void>;
  setContext(context: THostContext | null): void;
  on<E extends WidgetEventName>(event: E, listener: Listener<E>): BabbleBuddyApi;
  off<E extends WidgetEventName>(event: E, listener: Listener<E>): BabbleBuddyApi;
  /** Removes the widget from the page and closes its connections; `init` may be called again. */
  destroy(): void;
}

export type Emit = <E extends WidgetEventName>(event: E, payload: WidgetEvents[E]) => void;

/** What the loader hands the lazily loaded panel. */
export interface PanelHost {
  root: ShadowRoot;
  /** The `.bb` element the panel goes into (carries dir, theme and position). */
  frame: HTMLElement;
  launcher: HTMLButtonElement;
  apiUrl: string;
  appToken: string;
  /** No gateway: the panel only shows how it looks. */
  preview: boolean;
  config: TPublicWidgetConfig;
  locale: TWidgetLocale;
  /** Per-key storage (localStorage when the browser allows it). */
  store: KeyStore;
  context(): THostContext | undefined;
  emit: Emit;
  /** The panel's own minimise button. */
  requestClose(): void;
  /** The panel has something the visitor has not seen (answer arrived while closed). */
  notify(unread: boolean): void;
}

export interface PanelApi {
  show(): void;
  hide(): void;
  send(text: string): Promise<void>;
  destroy(): void;
}

export interface PanelModule {
  mount(host: PanelHost): PanelApi;
}

export interface KeyStore {
  get<T>(name: string): T | undefined;
  set(name: string, value: unknown): void;
  remove(name: string): void;
}
