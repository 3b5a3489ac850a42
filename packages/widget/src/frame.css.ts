/**
 * The loader's styles: the host element pinned against anything a host page's CSS does to it
 * (`all: initial !important` inside a shadow root beats the page's rules, `!important` ones too) and the launcher. The panel brings the rest
 * of the theme. Host pages override the look with the `--bb-*` custom properties (README, "Theming").
 */
export const FRAME_CSS = `
:host{all:initial!important;display:block!important;position:fixed!important;z-index:var(--bb-z-index,2147483000)!important}
.bb{--x:var(--bb-offset-x,20px);--y:var(--bb-offset-y,20px);--ls:var(--bb-launcher-size,56px)}
.bb *,.bb *::before,.bb *::after{box-sizing:border-box}
.ln{all:unset;position:fixed;bottom:calc(var(--y) + env(safe-area-inset-bottom,0px));right:calc(var(--x) + env(safe-area-inset-right,0px));width:var(--ls);height:var(--ls);border-radius:50%;background:var(--p);color:var(--op);cursor:pointer;display:grid;place-items:center;box-shadow:0 6px 20px rgba(0,0,0,.24);transition:transform .15s ease}
.bb[data-pos=left] .ln{right:auto;left:calc(var(--x) + env(safe-area-inset-left,0px))}
.ln:hover{transform:scale(1.06)}
.ln:focus-visible{outline:3px solid var(--p);outline-offset:3px;box-shadow:0 0 0 3px #fff,0 6px 20px rgba(0,0,0,.24)}
.ln>*{grid-area:1/1}
.ln .i{width:28px;height:28px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.ln img{width:100%;height:100%;border-radius:50%;object-fit:cover}
.ln .x,.ln[aria-expanded=true] .o{display:none}
.ln[aria-expanded=true] .x{display:block}
.ln[aria-busy=true] .o{animation:bb-pulse 1s ease-in-out infinite}
.ln .dot{position:absolute;top:1px;right:1px;width:14px;height:14px;border-radius:50%;background:#d61f45;border:2px solid #fff;display:none}
.bb[data-unread] .ln .dot{display:block}
@keyframes bb-pulse{50%{opacity:.4}}
@media (prefers-reduced-motion:reduce){.bb *{transition:none!important;animation:none!important}}
`;
