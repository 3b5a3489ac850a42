/**
 * Styles for our shadow root as constructed style sheets, which a host page's Content-Security-Policy
 * does not block (a `<style>` element needs `style-src 'unsafe-inline'`); `<style>` where the browser
 * has no constructable sheets.
 */
export interface ShadowStyles {
  replace(css: string): void;
  remove(): void;
}

export function addStyles(root: ShadowRoot, css: string): ShadowStyles {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    return {
      replace: (next) => sheet.replaceSync(next),
      remove: () => {
        root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
      },
    };
  }
  const style = document.createElement('style');
  style.textContent = css;
  root.append(style);
  return { replace: (next) => void (style.textContent = next), remove: () => style.remove() };
}
