/**
 * The chat panel, loaded by widget.js on first open (or when the page is idle): the conversation,
 * the composer, and the transport that keeps it in step with the gateway.
 */
import type { ErrorCode, TCitation, THistoryMessage } from '@babble-buddy/shared';
import { svgIcon } from '../icons';
import { addStyles, type ShadowStyles } from '../styles';
import { httpUrl } from '../url';
import type { PanelApi, PanelHost, PanelModule } from '../types';
import { LABELS, type Labels } from './i18n';
import { renderMarkdown, safeHref } from './markdown';
import { PANEL_CSS } from './panel.css';
import { Transport, type Done, type Outgoing, type Status, type TransportEvents } from './transport';

const SEND_ICON = 'M4 12l16-8-6 16-2.5-6.5zM11.5 13.5L20 4';
const NEW_ICON = 'M12 5v14M5 12h14';
const MINIMIZE_ICON = 'M6 9l6 6 6-6';
const TYPING_IDLE_MS = 2500;
const GREETING = 'greeting';
const NO_EVENTS: TransportEvents = {
  status: () => undefined,
  accepted: () => undefined,
  rejected: () => undefined,
  chunk: () => undefined,
  citation: () => undefined,
  done: () => undefined,
  typing: () => undefined,
  fatal: () => undefined,
  outbox: () => undefined,
};

type Role = 'user' | 'assistant' | 'operator';
type MessageStatus = 'queued' | 'sent' | 'streaming' | 'complete' | 'failed';

interface ChatMessage {
  /** Server id once known; until then the client id. */
  id: string;
  clientMessageId?: string;
  role: Role;
  text: string;
  status: MessageStatus;
  citations: TCitation[];
  error?: { code: ErrorCode | 'NETWORK_ERROR'; message: string };
  /** For answers: the visitor message it answers (to offer "try again"). */
  question?: string;
  el: HTMLElement;
}

function h<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function uuid(): string {
  if (typeof crypto !== 'undefined' && 'randomUUID' in crypto) return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

/** A plain-words explanation of an error code, for visitors. */
function explain(labels: Labels, code: string): string {
  switch (code) {
    case 'MODEL_UNAVAILABLE':
      return labels.errorModel;
    case 'MODEL_STREAM_FAILED':
    case 'MESSAGE_NOT_FOUND':
      return labels.errorInterrupted;
    case 'RATE_LIMITED':
      return labels.errorRateLimited;
    case 'VALIDATION_FAILED':
    case 'PAYLOAD_TOO_LARGE':
      return labels.errorTooLong;
    case 'ORIGIN_NOT_ALLOWED':
    case 'INVALID_KEY':
    case 'KEY_REVOKED':
    case 'KEY_EXPIRED':
    case 'WRONG_KEY_KIND':
    case 'TENANT_SUSPENDED':
      return labels.errorNotAllowed;
    case 'NETWORK_ERROR':
      return labels.errorUnreachable;
    default:
      return labels.errorGeneric;
  }
}

class Panel implements PanelApi {
  private readonly labels: Labels;
  private readonly el: HTMLElement;
  private readonly log: HTMLElement;
  private readonly status: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly sendButton: HTMLButtonElement;
  private readonly styles: ShadowStyles;
  private messages: ChatMessage[] = [];
  private transport!: Transport;
  private visible = false;
  private fatal = false;
  private renderQueued = new Set<ChatMessage>();
  private frame = 0;
  private typingTimer: ReturnType<typeof setTimeout> | null = null;
  private typingSent = false;
  private readonly onKeydownEscape = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && this.visible) {
      event.stopPropagation();
      this.host.requestClose();
      this.host.launcher.focus();
    }
  };

  constructor(private readonly host: PanelHost) {
    const { config } = host;
    this.labels = LABELS[host.locale];
    const labels = this.labels;
    this.styles = addStyles(host.root, PANEL_CSS);

    this.el = h('section', 'pn');
    this.el.id = 'bb-panel';
    this.el.hidden = true;
    this.el.setAttribute('role', 'dialog');
    this.el.setAttribute('aria-labelledby', 'bb-title');
    this.el.addEventListener('keydown', this.onKeydownEscape);

    const header = h('header', 'hd');
    const logo = httpUrl(config.logoUrl);
    if (logo) {
      const img = h('img');
      img.alt = '';
      img.src = logo;
      header.append(img);
    }
    const titles = h('div', 'tt');
    const title = h('span', 'ti', config.title || config.tenantName || labels.assistant);
    title.id = 'bb-title';
    this.status = h('span', 'st');
    this.status.setAttribute('role', 'status');
    titles.append(title, this.status);
    const fresh = this.iconButton(NEW_ICON, labels.newConversation, () => void this.newConversation());
    const minimize = this.iconButton(MINIMIZE_ICON, labels.minimize, () => {
      host.requestClose();
      host.launcher.focus();
    });
    header.append(titles, fresh, minimize);

    this.notice = h('div', 'nb');
    this.notice.setAttribute('role', 'alert');

    this.log = h('div', 'lg');
    this.log.setAttribute('role', 'log');
    this.log.setAttribute('aria-live', 'polite');
    this.log.setAttribute('aria-label', labels.messages);
    this.log.tabIndex = 0;

    const form = h('form', 'ft');
    this.input = h('textarea');
    this.input.rows = 1;
    this.input.dir = 'auto';
    this.input.placeholder = labels.placeholder;
    this.input.setAttribute('aria-label', labels.message);
    this.input.setAttribute('enterkeyhint', config.sendOn === 'enter' ? 'send' : 'enter');
    this.input.maxLength = 8000;
    const hint = h('span', 'sr', config.sendOn === 'enter' ? labels.hintEnter : labels.hintModEnter);
    hint.id = 'bb-hint';
    this.input.setAttribute('aria-describedby', 'bb-hint');
    this.sendButton = h('button', 'sd');
    this.sendButton.type = 'submit';
    this.sendButton.setAttribute('aria-label', labels.send);
    this.sendButton.append(svgIcon(SEND_ICON));
    form.append(this.input, hint, this.sendButton);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => this.onKey(event));
    this.input.addEventListener('input', () => this.onInput());

    this.el.append(header, this.notice, this.log, form);
    host.frame.append(this.el);
    this.addMessage({ id: GREETING, role: 'assistant', text: config.greeting || labels.greeting, status: 'complete', citations: [] });
    this.startTransport();
  }

  // ── PanelApi ──────────────────────────────────────────────────────────

  show(): void {
    this.visible = true;
    this.el.hidden = false;
    this.host.frame.dataset.open = '';
    this.host.notify(false);
    this.scrollToEnd(true);
    // On touch screens focusing would pop the keyboard over what the visitor wanted to read.
    if (!window.matchMedia?.('(pointer: coarse)').matches) this.input.focus({ preventScroll: true });
  }

  hide(): void {
    this.visible = false;
    this.el.hidden = true;
    delete this.host.frame.dataset.open;
  }

  async send(text: string): Promise<void> {
    const message = text.trim();
    if (!message) return;
    this.enqueue(message);
  }

  destroy(): void {
    this.transport.stop();
    cancelAnimationFrame(this.frame);
    this.el.remove();
    this.styles.remove();
  }

  // ── conversation ──────────────────────────────────────────────────────

  private startTransport(): void {
    const store = this.host.store;
    if (this.host.preview) {
      // Nothing to connect to; a stand-in that is never started keeps the rest of the panel simple.
      this.transport = new Transport('', '', null, [], NO_EVENTS);
      return;
    }
    const pending = store.get<Outgoing[]>('pending') ?? [];
    for (const item of pending) this.addMessage({ id: item.clientMessageId, clientMessageId: item.clientMessageId, role: 'user', text: item.message, status: 'queued', citations: [] });
    const transport = new Transport(this.host.apiUrl, this.host.appToken, store.get<string>('session') ?? null, pending, {
      status: (status) => this.onStatus(status),
      accepted: (clientMessageId, ids) => this.onAccepted(clientMessageId, ids),
      rejected: (clientMessageId, error) => this.onRejected(clientMessageId, error),
      chunk: (messageId, text) => this.onChunk(messageId, text),
      citation: (messageId, citation) => {
        const message = this.find(messageId);
        if (message && !message.citations.some((c) => c.index === citation.index)) {
          message.citations.push(citation);
          this.queueRender(message);
        }
      },
      done: (messageId, done) => this.onDone(messageId, done),
      typing: () => undefined,
      fatal: (error) => {
        this.fatal = true;
        this.notice.textContent = explain(this.labels, error.code);
        this.input.disabled = true;
        this.sendButton.disabled = true;
        this.host.emit('error', error);
      },
      outbox: (items) => store.set('pending', items),
    });
    this.transport = transport;
    void transport.start().then((history) => {
      if (this.transport !== transport) return;
      if (transport.sessionId) store.set('session', transport.sessionId);
      if (history) this.showHistory(history.messages);
    });
  }

  private showHistory(history: THistoryMessage[]): void {
    // History goes after the greeting and before messages still waiting to be sent.
    const anchor = this.messages.find((m) => m.status === 'queued')?.el ?? null;
    let question: string | undefined;
    for (const item of history) {
      if (this.find(item.id)) continue;
      const role: Role = item.role === 'user' ? 'user' : item.role === 'operator' ? 'operator' : 'assistant';
      if (role === 'user') question = item.content;
      const streaming = item.status === 'streaming';
      this.addMessage(
        {
          id: item.id,
          role,
          // A streaming answer is resumed from its start, so its text is rebuilt from the events.
          text: streaming ? '' : item.content,
          status: streaming ? 'streaming' : item.status === 'failed' ? 'failed' : role === 'user' ? 'sent' : 'complete',
          citations: item.citations,
          ...(item.status === 'failed' && role !== 'user' ? { error: { code: 'MODEL_STREAM_FAILED' as const, message: '' } } : {}),
          ...(question !== undefined && role !== 'user' ? { question } : {}),
        },
        anchor,
      );
    }
    this.scrollToEnd(true);
  }

  private enqueue(text: string): void {
    if (this.fatal) return;
    if (this.host.preview) {
      this.addMessage({ id: uuid(), role: 'user', text, status: 'sent', citations: [] });
      this.addMessage({ id: uuid(), role: 'assistant', text: this.labels.preview, status: 'complete', citations: [] });
      this.scrollToEnd(true);
      return;
    }
    const clientMessageId = uuid();
    this.addMessage({ id: clientMessageId, clientMessageId, role: 'user', text, status: 'queued', citations: [] });
    this.scrollToEnd(true);
    const context = this.host.context();
    this.transport.send({ clientMessageId, message: text, ...(context ? { context } : {}) });
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.fatal) return;
    this.input.value = '';
    this.autosize();
    this.stopTyping();
    this.enqueue(text);
  }

  private async newConversation(): Promise<void> {
    this.transport.reset();
    this.host.store.remove('session');
    for (const message of this.messages.splice(1)) message.el.remove();
    this.notice.textContent = '';
    this.startTransport();
    this.input.focus();
  }

  // ── transport events ───────────────────────────────────────────────────

  private onStatus(status: Status): void {
    if (this.fatal) return;
    this.status.textContent = status === 'reconnecting' ? this.labels.reconnecting : '';
    this.notice.textContent = status === 'offline' ? this.labels.offline : '';
  }

  private onAccepted(clientMessageId: string, ids: { userMessageId: string; messageId: string }): void {
    if (this.transport.sessionId) this.host.store.set('session', this.transport.sessionId);
    const pending = this.messages.find((m) => m.clientMessageId === clientMessageId);
    const stored = this.find(ids.userMessageId);
    let question = pending?.text ?? stored?.text;
    if (pending && stored && stored !== pending) {
      // Sent before, its confirmation lost: the history already shows it.
      this.remove(pending);
    } else if (pending) {
      pending.id = ids.userMessageId;
      pending.status = 'sent';
      this.queueRender(pending);
      this.host.emit('message', { id: pending.id, role: 'user', text: pending.text, citations: [] });
    }
    if (!this.find(ids.messageId)) {
      question ??= '';
      this.addMessage({ id: ids.messageId, role: 'assistant', text: '', status: 'streaming', citations: [], question });
    }
    this.scrollToEnd(true);
  }

  private onRejected(clientMessageId: string, error: { code: ErrorCode | 'NETWORK_ERROR'; message: string }): void {
    const message = this.messages.find((m) => m.clientMessageId === clientMessageId && m.status === 'queued');
    if (!message) return;
    message.status = 'failed';
    message.error = error;
    this.queueRender(message);
    this.host.emit('error', error);
  }

  private onChunk(messageId: string, text: string): void {
    const message = this.find(messageId);
    if (!message) return;
    message.text += text;
    message.status = 'streaming';
    this.queueRender(message);
  }

  private onDone(messageId: string, done: Done): void {
    const message = this.find(messageId);
    if (!message) return;
    // The final text is the server's, whatever arrived before it.
    message.text = done.response;
    if (done.citations.length) message.citations = done.citations;
    message.status = done.status;
    if (done.error) message.error = done.error;
    this.queueRender(message);
    if (!this.visible) this.host.notify(true);
    if (done.status === 'complete') this.host.emit('message', { id: message.id, role: message.role, text: message.text, citations: message.citations });
    else if (done.error) this.host.emit('error', done.error);
  }

  // ── rendering ──────────────────────────────────────────────────────────

  private find(id: string): ChatMessage | undefined {
    return this.messages.find((m) => m.id === id);
  }

  private addMessage(data: Omit<ChatMessage, 'el'>, before: Element | null = null): ChatMessage {
    const el = h('div', `m ${data.role === 'user' ? 'u' : 'a'}`);
    if (data.id === GREETING) el.dataset.greeting = '';
    const message: ChatMessage = { ...data, el };
    const index = before ? this.messages.findIndex((m) => m.el === before) : -1;
    if (index >= 0) this.messages.splice(index, 0, message);
    else this.messages.push(message);
    this.log.insertBefore(el, before);
    this.render(message);
    return message;
  }

  private remove(message: ChatMessage): void {
    this.messages = this.messages.filter((m) => m !== message);
    message.el.remove();
  }

  /** Streaming renders at most once per frame, whatever the chunk rate. */
  private queueRender(message: ChatMessage): void {
    this.renderQueued.add(message);
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      const stick = this.nearEnd();
      for (const queued of this.renderQueued) this.render(queued);
      this.renderQueued.clear();
      if (stick) this.scrollToEnd(false);
    });
  }

  private render(message: ChatMessage): void {
    const { labels } = this;
    const el = message.el;
    el.dataset.status = message.status;
    el.setAttribute('aria-busy', String(message.status === 'streaming'));
    const who = h('span', 'sr', `${message.role === 'user' ? labels.you : message.role === 'operator' ? labels.agent : labels.assistant}: `);
    const bubble = h('div', 'b');
    bubble.dir = 'auto';
    if (message.role === 'user') bubble.textContent = message.text;
    else if (!message.text && message.status === 'streaming') {
      const dots = h('span', 'dots');
      dots.append(h('i'), h('i'), h('i'));
      bubble.append(dots, h('span', 'sr', labels.typing));
    } else {
      bubble.append(renderMarkdown(message.text, { cite: (n) => this.citeMarker(message, n) }));
    }
    // A failed answer that wrote nothing shows only its error line.
    const parts: Node[] = message.role !== 'user' && !message.text && message.status === 'failed' ? [who] : [who, bubble];
    if (message.citations.length && message.status !== 'streaming') parts.push(this.sources(message.citations));
    const meta = h('div', 'ms');
    if (message.status === 'queued') meta.textContent = labels.queued;
    else if (message.status === 'failed') {
      meta.className = 'ms er';
      const text = message.role === 'user' ? `${labels.notSent} ${explain(labels, message.error?.code ?? '')}` : explain(labels, message.error?.code ?? 'MODEL_STREAM_FAILED');
      meta.append(h('span', undefined, text));
      const question = message.role === 'user' ? message.text : message.question;
      if (question) {
        const retry = h('button', 'rt', labels.retry);
        retry.type = 'button';
        retry.addEventListener('click', () => {
          if (message.role === 'user') this.remove(message);
          else retry.remove();
          this.enqueue(question);
        });
        meta.append(retry);
      }
    }
    parts.push(meta);
    el.replaceChildren(...parts);
  }

  private citeMarker(message: ChatMessage, n: number): Node | null {
    const citation = message.citations.find((c) => c.index === n);
    if (!citation) return null;
    const href = citation.url ? safeHref(citation.url) : null;
    const marker = href ? h('a', 'ci', String(n)) : h('sup', 'ci', String(n));
    marker.title = citation.title;
    if (href && marker instanceof HTMLAnchorElement) {
      marker.href = href;
      marker.target = '_blank';
      marker.rel = 'noopener noreferrer nofollow';
    }
    return marker;
  }

  private sources(citations: TCitation[]): HTMLElement {
    const details = h('details', 'cs');
    details.append(h('summary', undefined, `${this.labels.sources} (${citations.length})`));
    const list = h('ol');
    for (const citation of [...citations].sort((a, b) => a.index - b.index)) {
      const item = h('li');
      item.value = citation.index;
      const href = citation.url ? safeHref(citation.url) : null;
      const name = href ? h('a', undefined, citation.title || href) : h('span', undefined, citation.title);
      if (name instanceof HTMLAnchorElement && href) {
        name.href = href;
        name.target = '_blank';
        name.rel = 'noopener noreferrer nofollow';
      }
      item.append(name);
      if (citation.page !== undefined) item.append(h('span', 'pg', ` · ${this.labels.page} ${citation.page}`));
      if (citation.snippet) item.append(h('span', 'sn', citation.snippet));
      list.append(item);
    }
    details.append(list);
    return details;
  }

  private nearEnd(): boolean {
    return this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 48;
  }

  private scrollToEnd(force: boolean): void {
    if (force || this.nearEnd()) this.log.scrollTop = this.log.scrollHeight;
  }

  // ── composer ───────────────────────────────────────────────────────────

  private onKey(event: KeyboardEvent): void {
    if (event.key !== 'Enter' || event.isComposing || event.keyCode === 229) return;
    const mod = event.ctrlKey || event.metaKey;
    const sends = this.host.config.sendOn === 'enter' ? !event.shiftKey && !mod : mod;
    if (sends) {
      event.preventDefault();
      this.submit();
    }
  }

  private onInput(): void {
    this.autosize();
    if (!this.typingSent && this.input.value) {
      this.typingSent = true;
      this.transport.typing(true);
    }
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.stopTyping(), TYPING_IDLE_MS);
  }

  private stopTyping(): void {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = null;
    if (this.typingSent) this.transport.typing(false);
    this.typingSent = false;
  }

  private autosize(): void {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight + 2, 140)}px`;
  }

  private iconButton(path: string, label: string, onClick: () => void): HTMLButtonElement {
    const button = h('button', 'ib');
    button.type = 'button';
    button.setAttribute('aria-label', label);
    button.title = label;
    button.append(svgIcon(path));
    button.addEventListener('click', onClick);
    return button;
  }
}

export const mount: PanelModule['mount'] = (host) => new Panel(host);
