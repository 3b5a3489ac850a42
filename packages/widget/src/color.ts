/** #rgb or #rrggbb, the only colour syntax we put into a style sheet. */
export function isHexColor(value: unknown): value is string {
  return typeof value === 'string' && /^#(?:[0-9a-fA-F]{3}){1,2}$/.test(value);
}

function luminance(hex: string): number {
  const full = hex.length === 4 ? hex.replace(/[0-9a-f]/gi, (c) => c + c) : hex;
  const channel = (i: number) => {
    const v = parseInt(full.slice(i, i + 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
}

/** White or near-black, whichever reads better on `background` (WCAG contrast ratio). */
export function textColorOn(background: string): string {
  const l = luminance(background);
  const dark = 0.0113; // luminance of #111827
  return (1.05) / (l + 0.05) >= (l + 0.05) / (dark + 0.05) ? '#ffffff' : '#111827';
}
