import { z } from 'zod';
import { ZSessionId } from './common.schema';
import { ZOrigin } from './admin.schema';

/** POST /api/v1/widget/session with a publishable key (Authorization: Bearer pk_…) from an allowed origin. */
export const ZWidgetSessionRequest = z.strictObject({
  /** Continue this conversation (from an earlier session) instead of starting one. */
  sessionId: ZSessionId.optional(),
});
export type TWidgetSessionRequest = z.infer<typeof ZWidgetSessionRequest>;

export const ZWidgetSessionResponse = z.object({
  /** Short-lived bearer token bound to tenant + session + origin; send it as Authorization or socket auth. */
  token: z.string(),
  sessionId: z.string(),
  expiresAt: z.string(),
  tenant: z.object({ id: z.string(), name: z.string() }),
});
export type TWidgetSessionResponse = z.infer<typeof ZWidgetSessionResponse>;

// ── Widget look and behaviour (per tenant) ──────────────────────────────────────────────────────

/** Languages the widget's own labels are translated into; `auto` follows the visitor's browser. */
export const WIDGET_LOCALES = ['en', 'es', 'fr', 'de', 'he', 'ar'] as const;
export const ZWidgetLocale = z.enum(WIDGET_LOCALES);
export type TWidgetLocale = z.infer<typeof ZWidgetLocale>;

export const ZWidgetPosition = z.enum(['bottom-right', 'bottom-left']);
export type TWidgetPosition = z.infer<typeof ZWidgetPosition>;
export const ZWidgetTheme = z.enum(['light', 'dark', 'auto']);
export type TWidgetTheme = z.infer<typeof ZWidgetTheme>;
/** Built-in launcher icons; `logo` shows the tenant's logo image in the launcher. */
export const ZLauncherIcon = z.enum(['chat', 'question', 'sparkles', 'headset', 'logo']);
export type TLauncherIcon = z.infer<typeof ZLauncherIcon>;
/** `enter`: Enter sends, Shift+Enter is a new line. `mod-enter`: Ctrl/Cmd+Enter sends, Enter is a new line. */
export const ZSendOn = z.enum(['enter', 'mod-enter']);
export type TSendOn = z.infer<typeof ZSendOn>;

/** A CSS colour we can trust inside a style sheet: #rgb or #rrggbb. */
export const ZHexColor = z
  .string()
  .regex(/^#(?:[0-9a-fA-F]{3}){1,2}$/, 'a colour like #4f46e5')
  .transform((value) => value.toLowerCase());

/** Images the widget shows: https (or http for local development) only. */
export const ZImageUrl = z
  .url({ protocol: /^https?$/ })
  .max(2048);

export const WIDGET_DEFAULTS = {
  primaryColor: '#4f46e5',
  position: 'bottom-right',
  theme: 'auto',
  launcherIcon: 'chat',
  locale: 'auto',
  sendOn: 'enter',
} as const satisfies Record<string, string>;

/** What the widget needs to draw itself: public, served to any allowed origin. */
export const ZPublicWidgetConfig = z.object({
  tenantName: z.string(),
  /** Header title; null means the tenant's name. */
  title: z.string().nullable(),
  /** First message the visitor sees; null means the widget's localised default. */
  greeting: z.string().nullable(),
  primaryColor: z.string(),
  position: ZWidgetPosition,
  theme: ZWidgetTheme,
  logoUrl: z.string().nullable(),
  launcherIcon: ZLauncherIcon,
  locale: z.union([ZWidgetLocale, z.literal('auto')]),
  sendOn: ZSendOn,
});
export type TPublicWidgetConfig = z.infer<typeof ZPublicWidgetConfig>;

/** GET /api/v1/widget/config?key=pk_… (from an allowed origin). */
export const ZWidgetConfigQuery = z.strictObject({ key: z.string().min(1).max(200) });

/** The operator's view: the public settings plus the tenant-wide allowed origins. */
export const ZWidgetConfig = ZPublicWidgetConfig.omit({ tenantName: true }).extend({
  tenantId: z.string(),
  /**
   * Origins every publishable key of the tenant accepts, in addition to each key's own list
   * (a key's effective allow-list is the union of both).
   */
  allowedOrigins: z.array(z.string()),
  updatedAt: z.string().nullable(),
});
export type TWidgetConfig = z.infer<typeof ZWidgetConfig>;

/**
 * PUT /api/v1/admin/tenants/:tenantId/widget: the fields given are set, omitted fields keep their
 * value, `null` puts a field back to its default.
 */
export const ZWidgetConfigUpdate = z.strictObject({
  title: z.string().trim().min(1).max(80).nullish(),
  greeting: z.string().trim().min(1).max(500).nullish(),
  primaryColor: ZHexColor.nullish(),
  position: ZWidgetPosition.nullish(),
  theme: ZWidgetTheme.nullish(),
  logoUrl: ZImageUrl.nullish(),
  launcherIcon: ZLauncherIcon.nullish(),
  locale: z.union([ZWidgetLocale, z.literal('auto')]).nullish(),
  sendOn: ZSendOn.nullish(),
  allowedOrigins: z.array(ZOrigin).max(50).nullish(),
});
export type TWidgetConfigUpdate = z.infer<typeof ZWidgetConfigUpdate>;
