/** The chat panel's styles (loaded with it): theme variables (`--bb-*` overrides), light and dark, layout. */
export const PANEL_CSS = `
.bb{--bg:var(--bb-bg,#fff);--fg:var(--bb-fg,#1d2130);--mu:var(--bb-muted,#585e6e);--bd:var(--bb-border,#dfe2e8);--bt:var(--bb-bot-bg,#f1f2f5);--btf:var(--bb-bot-fg,var(--fg));--ub:var(--bb-user-bg,var(--p));--uf:var(--bb-user-fg,var(--op));--r:var(--bb-radius,16px);--pw:var(--bb-panel-width,380px);--ph:var(--bb-panel-height,620px);font:15px/1.45 var(--bb-font,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif);color:var(--fg);text-align:start;-webkit-font-smoothing:antialiased;-webkit-text-size-adjust:100%;text-size-adjust:100%}
.bb[data-theme=dark]{--bg:var(--bb-bg,#17181e);--fg:var(--bb-fg,#eceef4);--mu:var(--bb-muted,#a6abba);--bd:var(--bb-border,#32343f);--bt:var(--bb-bot-bg,#272932)}
@media (prefers-color-scheme:dark){.bb[data-theme=auto]{--bg:var(--bb-bg,#17181e);--fg:var(--bb-fg,#eceef4);--mu:var(--bb-muted,#a6abba);--bd:var(--bb-border,#32343f);--bt:var(--bb-bot-bg,#272932)}}
.pn{--er:#b0122b;--wb:#fff3d1;--wf:#553f00;--sh:color-mix(in srgb,var(--fg) 8%,transparent);position:fixed;bottom:calc(var(--y) + var(--ls) + 14px + env(safe-area-inset-bottom,0px));right:calc(var(--x) + env(safe-area-inset-right,0px));width:min(var(--pw),calc(100vw - 2 * var(--x)));height:min(var(--ph),calc(100vh - var(--y) - var(--ls) - 40px));display:flex;flex-direction:column;background:var(--bg);color:var(--fg);border:1px solid var(--bd);border-radius:var(--r);box-shadow:0 12px 40px rgba(0,0,0,.24);overflow:hidden;animation:bb-in .18s ease-out}
.bb[data-theme=dark] .pn{--er:#ff9cab;--wb:#3b3208;--wf:#ffe59a}
@media (prefers-color-scheme:dark){.bb[data-theme=auto] .pn{--er:#ff9cab;--wb:#3b3208;--wf:#ffe59a}}
.pn[hidden]{display:none}
.bb[data-pos=left] .pn{right:auto;left:calc(var(--x) + env(safe-area-inset-left,0px))}
@keyframes bb-in{from{opacity:0;transform:translateY(10px)}}
.hd{display:flex;align-items:center;gap:10px;padding-block:10px;padding-inline:14px 8px;background:var(--p);color:var(--op);flex:none}
.hd img{width:32px;height:32px;border-radius:8px;object-fit:cover;background:#fff;flex:none}
.tt{flex:1;min-width:0;display:flex;flex-direction:column}
.ti{font-weight:600;font-size:16px;line-height:1.3;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.st{font-size:12.5px}
.st:empty{display:none}
.ib{all:unset;box-sizing:border-box;width:36px;height:36px;flex:none;border-radius:10px;display:grid;place-items:center;cursor:pointer;color:inherit}
.ib:hover{background:color-mix(in srgb,currentColor 16%,transparent)}
.ib:focus-visible{outline:2px solid currentColor;outline-offset:-3px}
.i{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.nb{padding:8px 14px;font-size:13.5px;background:var(--wb);color:var(--wf);border-bottom:1px solid var(--bd);flex:none}
.nb:empty{display:none}
.lg{flex:1;overflow-y:auto;padding:14px;display:flex;flex-direction:column;gap:10px;overscroll-behavior:contain}
.lg:focus-visible{outline:2px solid var(--p);outline-offset:-2px}
.m{display:flex;flex-direction:column;align-items:flex-start;max-width:88%;align-self:flex-start}
.m.u{align-self:flex-end;align-items:flex-end}
.b{padding:9px 13px;border-radius:16px;border-end-start-radius:5px;background:var(--bt);color:var(--btf);overflow-wrap:anywhere;max-width:100%}
.u .b{background:var(--ub);color:var(--uf);white-space:pre-wrap;border-radius:16px;border-end-end-radius:5px}
.u[data-status=queued] .b,.u[data-status=failed] .b{opacity:.75}
.b p{margin:0 0 .6em}
.b>:last-child,.b li>:last-child{margin-bottom:0}
.b ul,.b ol{margin:0 0 .6em;padding-inline-start:1.35em}
.b li+li{margin-top:.25em}
.b pre{margin:0 0 .6em;padding:8px 10px;background:var(--sh);border-radius:8px;overflow-x:auto;font-size:13px;line-height:1.45;white-space:pre}
.b code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em;background:var(--sh);padding:.1em .3em;border-radius:4px}
.b pre code{background:none;padding:0;font-size:inherit}
.b blockquote{margin:0 0 .6em;padding-inline-start:10px;border-inline-start:3px solid var(--bd)}
.b a{color:inherit;text-decoration:underline;text-underline-offset:2px}
.b hr{border:0;border-top:1px solid var(--bd);margin:.6em 0}
.ci{font-size:.72em;vertical-align:super;line-height:0;font-weight:600;margin-inline-start:1px}
.b a.ci{text-decoration:none}
.ms{font-size:12.5px;color:var(--mu);margin-top:4px;display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.ms.er{color:var(--er)}
.ms:empty{display:none}
.rt{all:unset;cursor:pointer;font-weight:600;text-decoration:underline;color:var(--fg)}
.rt:focus-visible{outline:2px solid var(--p);outline-offset:2px}
.cs{margin-top:6px;font-size:13px;border:1px solid var(--bd);border-radius:10px;padding:6px 10px;width:100%;box-sizing:border-box}
.cs summary{cursor:pointer;font-weight:600;color:var(--mu)}
.cs summary:focus-visible{outline:2px solid var(--p)}
.cs ol{margin:6px 0 2px;padding-inline-start:1.4em}
.cs li{margin:4px 0}
.cs a{color:var(--fg)}
.cs .pg{color:var(--mu)}
.cs .sn{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;color:var(--mu);font-size:12.5px}
.dots{display:inline-flex;gap:4px;padding:6px 0}
.dots i{width:7px;height:7px;border-radius:50%;background:var(--mu);animation:bb-dot 1.2s infinite}
.dots i:nth-child(2){animation-delay:.15s}
.dots i:nth-child(3){animation-delay:.3s}
@keyframes bb-dot{0%,60%,100%{opacity:.35;transform:none}30%{opacity:1;transform:translateY(-3px)}}
.ft{display:flex;align-items:flex-end;gap:8px;padding:10px 12px calc(10px + env(safe-area-inset-bottom,0px));border-top:1px solid var(--bd);flex:none;background:var(--bg)}
.ft textarea{all:unset;box-sizing:border-box;flex:1;min-width:0;min-height:42px;max-height:140px;overflow-y:auto;padding:9px 12px;border:1px solid var(--bd);border-radius:14px;font-family:inherit;font-size:16px;line-height:22px;color:var(--fg);background:var(--bg);white-space:pre-wrap;overflow-wrap:anywhere;cursor:text}
.ft textarea:focus{border-color:var(--p);box-shadow:0 0 0 2px color-mix(in srgb,var(--p) 35%,transparent)}
.ft textarea::placeholder{color:var(--mu);opacity:1}
.ft textarea:disabled{cursor:not-allowed}
.sd{all:unset;box-sizing:border-box;flex:none;width:42px;height:42px;border-radius:50%;background:var(--p);color:var(--op);display:grid;place-items:center;cursor:pointer}
.sd:disabled{opacity:.45;cursor:default}
.sd:focus-visible{outline:2px solid var(--p);outline-offset:2px}
[dir=rtl] .sd .i{transform:scaleX(-1)}
.sr{position:absolute!important;width:1px!important;height:1px!important;overflow:hidden!important;clip-path:inset(50%)!important;white-space:nowrap!important}
@media (max-width:520px){.pn{inset:0;width:auto;height:auto;border:0;border-radius:0;animation:none}.hd{padding-top:calc(10px + env(safe-area-inset-top,0px));padding-inline-start:calc(14px + env(safe-area-inset-left,0px));padding-inline-end:calc(8px + env(safe-area-inset-right,0px))}.ft{padding-inline:calc(12px + env(safe-area-inset-left,0px)) calc(12px + env(safe-area-inset-right,0px))}.bb[data-open] .ln{display:none}}
`;
