import { WIDGET_LOCALES } from '@babble-buddy/shared';
import { isRtl, LAUNCHER_LABELS, resolveLocale } from '../locale';
import { LABELS } from './i18n';

describe('labels', () => {
  const keys = Object.keys(LABELS.en).sort();

  it.each(WIDGET_LOCALES)('%s has every label, none empty, none left in English where it should not be', (locale) => {
    expect(Object.keys(LABELS[locale]).sort()).toEqual(keys);
    for (const value of Object.values(LABELS[locale])) expect(value.trim()).not.toBe('');
    expect(LAUNCHER_LABELS[locale].every((label) => label.trim().length > 0)).toBe(true);
    if (locale !== 'en') {
      expect(LABELS[locale].send).not.toBe(LABELS.en.send);
      expect(LAUNCHER_LABELS[locale][0]).not.toBe(LAUNCHER_LABELS.en[0]);
    }
  });

  it('the accessible names tests and screen readers rely on', () => {
    expect(LAUNCHER_LABELS.en).toEqual(['Open chat', 'Close chat']);
    expect([LABELS.en.message, LABELS.en.send]).toEqual(['Message', 'Send']);
  });
});

describe('resolveLocale', () => {
  it('takes the first supported of the page’s, the tenant’s, then the browser’s language', () => {
    expect(resolveLocale('fr-CA', 'de')).toBe('fr');
    expect(resolveLocale('auto', 'de')).toBe('de');
    expect(resolveLocale(undefined, 'auto', 'pt-BR', 'es')).toBe('es');
    expect(resolveLocale('iw-IL')).toBe('he');
    expect(resolveLocale('auto', 'auto', 'zz')).toBe('en');
  });

  it('Hebrew and Arabic are right to left', () => {
    expect(WIDGET_LOCALES.filter(isRtl)).toEqual(['he', 'ar']);
  });
});
