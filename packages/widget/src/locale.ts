import type { TWidgetLocale } from '@babble-buddy/shared';

const SUPPORTED: readonly TWidgetLocale[] = ['en', 'es', 'fr', 'de', 'he', 'ar'];
const RTL: readonly TWidgetLocale[] = ['he', 'ar'];

/** The first supported language among `wanted` (page/tenant setting), then the browser's, then English. */
export function resolveLocale(...wanted: (string | null | undefined)[]): TWidgetLocale {
  const candidates = [...wanted, ...(typeof navigator === 'undefined' ? [] : navigator.languages ?? [navigator.language])];
  for (const candidate of candidates) {
    if (!candidate || candidate === 'auto') continue;
    const base = candidate.toLowerCase().split(/[-_]/)[0] as TWidgetLocale;
    // Old Hebrew code still sent by some systems.
    if ((base as string) === 'iw') return 'he';
    if (SUPPORTED.includes(base)) return base;
  }
  return 'en';
}

export function isRtl(locale: TWidgetLocale): boolean {
  return RTL.includes(locale);
}

/** The launcher's two labels, in the loader so the first paint needs nothing else. */
export const LAUNCHER_LABELS: Record<TWidgetLocale, [open: string, close: string]> = {
  en: ['Open chat', 'Close chat'],
  es: ['Abrir chat', 'Cerrar chat'],
  fr: ['Ouvrir le chat', 'Fermer le chat'],
  de: ['Chat öffnen', 'Chat schließen'],
  he: ["פתיחת צ'אט", "סגירת צ'אט"],
  ar: ['فتح الدردشة', 'إغلاق الدردشة'],
};
