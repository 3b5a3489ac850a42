import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  WIDGET_DEFAULTS,
  WIDGET_LOCALES,
  ZWidgetConfigUpdate,
  type TApiKey,
  type TLauncherIcon,
  type TPublicWidgetConfig,
  type TSendOn,
  type TWidgetConfig,
  type TWidgetLocale,
  type TWidgetPosition,
  type TWidgetTheme,
} from '@babble-buddy/shared';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { z } from 'zod';
import { api } from '../api/client';
import { Button, ButtonLink } from '../components/button';
import { CopyButton } from '../components/copy-button';
import { Field, SelectField, TextAreaField, TextField, controlClass } from '../components/fields';
import { Card, PageHeader, ReadOnlyNotice } from '../components/page';
import { ErrorState, FormError, LoadingState, Notice } from '../components/states';
import { useToast } from '../components/toast';
import { apiUrl } from '../config';
import { lines, optionalText } from '../forms/issues';
import { useForm } from '../forms/use-form';
import { formatDateTime } from '../lib/format';
import { usePageTitle } from '../lib/page-title';
import { useTenant } from '../tenant-context';

type Locale = TWidgetLocale | 'auto';

interface Values extends Record<string, string> {
  title: string;
  greeting: string;
  primaryColor: string;
  position: TWidgetPosition;
  theme: TWidgetTheme;
  logoUrl: string;
  launcherIcon: TLauncherIcon;
  locale: Locale;
  sendOn: TSendOn;
  allowedOrigins: string;
}

function initialValues(config: TWidgetConfig): Values {
  return {
    title: config.title ?? '',
    greeting: config.greeting ?? '',
    primaryColor: config.primaryColor,
    position: config.position,
    theme: config.theme,
    logoUrl: config.logoUrl ?? '',
    launcherIcon: config.launcherIcon,
    locale: config.locale,
    sendOn: config.sendOn,
    allowedOrigins: config.allowedOrigins.join('\n'),
  };
}

/** Every field is sent: an empty text puts it back to its default (`null`). */
const toRequest = (v: Values) => ({
  title: optionalText(v.title) ?? null,
  greeting: optionalText(v.greeting) ?? null,
  primaryColor: optionalText(v.primaryColor) ?? null,
  position: v.position,
  theme: v.theme,
  logoUrl: optionalText(v.logoUrl) ?? null,
  launcherIcon: v.launcherIcon,
  locale: v.locale,
  sendOn: v.sendOn,
  allowedOrigins: lines(v.allowedOrigins),
});

const LOCALE_NAMES: Record<TWidgetLocale, string> = { en: 'English', es: 'Español', fr: 'Français', de: 'Deutsch', he: 'עברית (right to left)', ar: 'العربية (right to left)' };
const LOCALES: { value: Locale; label: string }[] = [{ value: 'auto', label: "The visitor's browser language" }, ...WIDGET_LOCALES.map((l) => ({ value: l, label: LOCALE_NAMES[l] }))];
const ICONS: { value: TLauncherIcon; label: string }[] = [
  { value: 'chat', label: 'Speech bubble' },
  { value: 'question', label: 'Question mark' },
  { value: 'sparkles', label: 'Sparkles' },
  { value: 'headset', label: 'Headset' },
  { value: 'logo', label: 'The logo below' },
];
const HEX = /^#(?:[0-9a-fA-F]{3}){1,2}$/;

/** The form as the widget would draw it; what does not parse yet is drawn with its default. */
function previewConfig(tenantName: string, v: Values): TPublicWidgetConfig {
  let logoUrl: string | null = null;
  try {
    const url = new URL(v.logoUrl);
    if (url.protocol === 'https:' || url.protocol === 'http:') logoUrl = url.toString();
  } catch {
    logoUrl = null;
  }
  return {
    tenantName,
    title: optionalText(v.title) ?? null,
    greeting: optionalText(v.greeting) ?? null,
    primaryColor: HEX.test(v.primaryColor) ? v.primaryColor.toLowerCase() : WIDGET_DEFAULTS.primaryColor,
    position: v.position,
    theme: v.theme,
    logoUrl,
    launcherIcon: v.launcherIcon === 'logo' && !logoUrl ? 'chat' : v.launcherIcon,
    locale: v.locale,
    sendOn: v.sendOn,
  };
}

interface PreviewWindow extends Window {
  BabbleBuddy?: {
    init(options: { preview: true; config: TPublicWidgetConfig; open: boolean }): unknown;
    on(event: 'open' | 'close', listener: () => void): unknown;
  };
}

/**
 * The real widget (the gateway's /widget.js), drawn look-only (`preview: true`: no key, no request)
 * in a frame of its own, so its fixed-position launcher and panel sit in the frame, not over this page.
 * The frame is a same-origin srcdoc document: it inherits this page's CSP, and this page calls
 * `BabbleBuddy.init` in it again on every change.
 */
function WidgetPreview({ config }: { config: TPublicWidgetConfig }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const srcDoc = useMemo(() => {
    const src = `${apiUrl()}/widget.js`.replace(/"/g, '&quot;');
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><script src="${src}"></script></head><body style="margin:0;font:14px system-ui,sans-serif;color:#475569;background:#f8fafc"><p style="margin:16px">Your page</p></body></html>`;
  }, []);

  // Whether the visitor's panel is open in the preview: kept when a change redraws the widget.
  const open = useRef(false);

  useEffect(() => {
    if (state !== 'ready') return;
    const win = frame.current?.contentWindow as PreviewWindow | null | undefined;
    if (!win?.BabbleBuddy) return;
    // An open panel focuses its input when drawn: a redraw must not take the focus from the field
    // the operator is typing in.
    const typingIn = document.activeElement;
    const giveBack = () => {
      if (typingIn instanceof HTMLElement && document.activeElement === frame.current) typingIn.focus({ preventScroll: true });
    };
    if (open.current && typingIn !== frame.current) win.addEventListener('focusin', giveBack, { once: true });
    win.BabbleBuddy.init({ preview: true, config, open: open.current });
    const stop = window.setTimeout(() => win.removeEventListener('focusin', giveBack), 1000);
    return () => {
      window.clearTimeout(stop);
      win.removeEventListener('focusin', giveBack);
    };
  }, [config, state]);

  return (
    <div className="space-y-2">
      <iframe
        ref={frame}
        title="Widget preview"
        srcDoc={srcDoc}
        className="block h-[560px] w-full rounded-lg border border-slate-200 bg-slate-50"
        onLoad={() => {
          const widget = (frame.current?.contentWindow as PreviewWindow | null)?.BabbleBuddy;
          widget?.on('open', () => (open.current = true));
          widget?.on('close', () => (open.current = false));
          setState(widget ? 'ready' : 'failed');
        }}
      />
      {state === 'failed' && <Notice tone="warning">The widget could not be loaded from {apiUrl() || window.location.origin}/widget.js: is the gateway&apos;s widget built?</Notice>}
    </div>
  );
}

function activePublishable(keys: TApiKey[]): TApiKey[] {
  const now = Date.now();
  return keys.filter((k) => k.kind === 'publishable' && !k.revokedAt && !(k.expiresAt && Date.parse(k.expiresAt) <= now));
}

/**
 * The tag to paste into a site. Keys are stored hashed, so the list only knows their prefixes: the
 * operator pastes the full key (shown once, at creation) to get a snippet ready to copy.
 */
function EmbedSnippet({ tenantId, keys }: { tenantId: string; keys: TApiKey[] }) {
  const [pasted, setPasted] = useState('');
  const usable = activePublishable(keys);
  const gateway = apiUrl() || window.location.origin;
  const key = pasted.trim();
  const matches = usable.find((k) => key.startsWith(k.prefix));
  const shown = matches && /^pk_[A-Za-z0-9_-]+$/.test(key) ? key : `${usable[0]?.prefix ?? 'pk_'}…`;
  const snippet = `<script src="${gateway}/widget.js" data-key="${shown}" async></script>`;
  if (usable.length === 0) {
    return (
      <Notice tone="warning">
        This tenant has no active publishable key: create one on the <ButtonLink to={`/t/${tenantId}/keys`} size="sm" variant="ghost">API keys</ButtonLink> page, then come back for the snippet.
      </Notice>
    );
  }
  return (
    <div className="space-y-3">
      <TextField
        label="Publishable key"
        spellCheck={false}
        placeholder={`${usable[0]?.prefix ?? 'pk_'}…`}
        hint={`Paste the full key (shown once when it was created). Active: ${usable.map((k) => `${k.prefix}… ${k.name ?? ''}`.trim()).join(', ')}.`}
        error={key && !matches ? 'Not one of this tenant’s active publishable keys.' : undefined}
        value={pasted}
        onValueChange={setPasted}
      />
      <pre className="overflow-x-auto rounded-md bg-slate-900 px-3 py-2 font-mono text-xs whitespace-pre-wrap text-emerald-300" data-snippet>
        {snippet}
      </pre>
      <div className="flex flex-wrap items-center gap-3">
        <CopyButton text={snippet} label="Copy snippet" />
        {shown.endsWith('…') && <span className="text-xs text-slate-600">Replace the key&apos;s prefix with the full key before using it.</span>}
      </div>
    </div>
  );
}

function ColourField({ value, onChange, error, disabled }: { value: string; onChange: (value: string) => void; error?: string | undefined; disabled: boolean }) {
  return (
    <Field label="Main colour" hint="Launcher, header and your visitor's messages. Text on it is black or white, whichever reads better." error={error}>
      {(ids) => (
        <div className="flex items-center gap-2">
          <input
            type="color"
            aria-label="Pick the main colour"
            value={HEX.test(value) && value.length === 7 ? value : WIDGET_DEFAULTS.primaryColor}
            onChange={(e) => onChange(e.target.value)}
            disabled={disabled}
            className="h-9 w-12 shrink-0 cursor-pointer rounded-md border border-slate-300 bg-white p-0.5"
          />
          <input {...ids} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled} spellCheck={false} className={`${controlClass} font-mono ${error ? 'ring-red-500' : ''}`} />
        </div>
      )}
    </Field>
  );
}

function WidgetForm({ config, canAdmin, keys }: { config: TWidgetConfig; canAdmin: boolean; keys: TApiKey[] }) {
  const { tenant } = useTenant();
  const queryClient = useQueryClient();
  const toast = useToast();
  const form = useForm<Values, typeof ZWidgetConfigUpdate>({ initial: initialValues(config), schema: ZWidgetConfigUpdate, toRequest });
  const save = useMutation({
    mutationFn: (request: z.output<typeof ZWidgetConfigUpdate>) => api.widget.update(tenant.id, request),
    onSuccess: (saved) => {
      queryClient.setQueryData(['widget', tenant.id], saved);
      form.reset(initialValues(saved));
      toast.success('Widget settings saved');
    },
    onError: (error) => form.showServerError(error),
  });
  const preview = useMemo(() => previewConfig(tenant.name, form.values), [tenant.name, form.values]);
  const v = form.values;
  const disabled = !canAdmin;

  return (
    <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_400px]">
      <div className="min-w-0 space-y-6">
        <Card title="Look and behaviour" description={config.updatedAt ? `Last saved ${formatDateTime(config.updatedAt)}.` : 'The defaults: nothing saved yet.'}>
          <form
            aria-label="Widget settings"
            noValidate
            className="space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              const request = form.validate();
              if (request) save.mutate(request);
            }}
          >
            <fieldset disabled={disabled} className="space-y-4">
              <FormError message={form.formError} />
              <div className="grid gap-4 sm:grid-cols-2">
                <TextField label="Title" hint={`Header title; empty: ${tenant.name}.`} value={v.title} onValueChange={(x) => form.set('title', x)} error={form.errors['title']} />
                <ColourField value={v.primaryColor} onChange={(x) => form.set('primaryColor', x)} error={form.errors['primaryColor']} disabled={disabled} />
              </div>
              <TextAreaField
                label="Greeting"
                hint="The first message a visitor sees; empty: a short greeting in the visitor's language."
                rows={2}
                value={v.greeting}
                onValueChange={(x) => form.set('greeting', x)}
                error={form.errors['greeting']}
              />
              <div className="grid gap-4 sm:grid-cols-2">
                <SelectField
                  label="Position"
                  value={v.position}
                  onValueChange={(x) => form.set('position', x)}
                  options={[
                    { value: 'bottom-right', label: 'Bottom right' },
                    { value: 'bottom-left', label: 'Bottom left' },
                  ]}
                />
                <SelectField
                  label="Theme"
                  value={v.theme}
                  onValueChange={(x) => form.set('theme', x)}
                  options={[
                    { value: 'auto', label: "Follow the visitor's system" },
                    { value: 'light', label: 'Light' },
                    { value: 'dark', label: 'Dark' },
                  ]}
                />
                <SelectField label="Launcher icon" value={v.launcherIcon} onValueChange={(x) => form.set('launcherIcon', x)} options={ICONS} error={form.errors['launcherIcon']} />
                <SelectField label="Language" value={v.locale} onValueChange={(x) => form.set('locale', x)} options={LOCALES} />
              </div>
              <TextField
                label="Logo URL"
                type="url"
                inputMode="url"
                spellCheck={false}
                placeholder="https://example.com/logo.png"
                hint="Shown in the header (and in the launcher with the logo icon). https, square, at least 64 px."
                value={v.logoUrl}
                onValueChange={(x) => form.set('logoUrl', x)}
                error={form.errors['logoUrl']}
              />
              <SelectField
                label="Sending a message"
                value={v.sendOn}
                onValueChange={(x) => form.set('sendOn', x)}
                options={[
                  { value: 'enter', label: 'Enter sends, Shift+Enter adds a line' },
                  { value: 'mod-enter', label: 'Ctrl/Cmd+Enter sends, Enter adds a line' },
                ]}
              />
              <TextAreaField
                label="Allowed origins (all publishable keys)"
                hint="Sites where every publishable key of this tenant works, one per line, e.g. https://shop.example.com. Each key may allow more sites of its own."
                rows={3}
                spellCheck={false}
                value={v.allowedOrigins}
                onValueChange={(x) => form.set('allowedOrigins', x)}
                error={form.errors['allowedOrigins']}
              />
            </fieldset>
            {canAdmin && (
              <div className="flex flex-wrap gap-2">
                <Button type="submit" variant="primary" loading={save.isPending}>
                  Save
                </Button>
                <Button onClick={() => form.reset(initialValues(config))}>Discard changes</Button>
              </div>
            )}
          </form>
        </Card>
        <Card title="Embed it" description="Paste this tag into the pages of an allowed site, before </body>.">
          <EmbedSnippet tenantId={tenant.id} keys={keys} />
        </Card>
      </div>
      <div className="min-w-0">
        <Card title="Live preview" description="The real widget with the settings above, saved or not: open it with its launcher. Messages get a placeholder answer." className="xl:sticky xl:top-4">
          <WidgetPreview config={preview} />
        </Card>
      </div>
    </div>
  );
}

export function WidgetPage() {
  const { tenant, role, canAdmin } = useTenant();
  usePageTitle(`Widget · ${tenant.name}`);
  const config = useQuery({ queryKey: ['widget', tenant.id], queryFn: () => api.widget.get(tenant.id) });
  const keys = useQuery({ queryKey: ['keys', tenant.id], queryFn: () => api.keys.list(tenant.id) });
  return (
    <>
      <PageHeader title="Widget" description="How the chat widget looks and behaves on your sites, and the tag that puts it there." />
      {!canAdmin && <ReadOnlyNotice role={role} what="the widget" />}
      {config.isPending || keys.isPending ? (
        <LoadingState />
      ) : config.isError ? (
        <ErrorState error={config.error} onRetry={() => void config.refetch()} />
      ) : keys.isError ? (
        <ErrorState error={keys.error} onRetry={() => void keys.refetch()} />
      ) : (
        <WidgetForm config={config.data} canAdmin={canAdmin} keys={keys.data} />
      )}
    </>
  );
}
