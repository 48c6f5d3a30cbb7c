/**
 * The report's CSS, inline in the page. System fonts only (nothing to fetch); light and dark
 * follow the system. Cards flow in one column on a phone and two or more on a wide screen; a chart
 * is 11rem high whatever its width, its text stays at its size (scales.ts).
 */
export const STYLE = `
:root{--fg:#1d2330;--muted:#5b6475;--bg:#fff;--card:#f5f6f8;--edge:#e1e4e9;--grid:#e3e6ea;--line:#2563eb;--avg:#0b2f7a;
--band:rgba(37,99,235,.18);--target:#c2410c;--pace:#6b7280;--good:#15803d;--warn:#b45309;--bad:#b91c1c;--sleep:#6d28d9;--cell:#2563eb;--none:#dde1e6}
@media (prefers-color-scheme:dark){:root{--fg:#e7e9ee;--muted:#a3aab8;--bg:#14171c;--card:#1c2027;--edge:#2c323c;--grid:#2a3039;
--line:#60a5fa;--avg:#bfdbfe;--band:rgba(96,165,250,.22);--target:#fb923c;--pace:#9ca3af;--good:#4ade80;--warn:#fbbf24;--bad:#f87171;--sleep:#a78bfa;--cell:#60a5fa;--none:#2f3540}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
header,main{max-width:1240px;margin:0 auto;padding:0 16px}
header{padding-top:20px}
h1{font-size:1.6rem;margin:0 0 .25rem}
h2{font-size:1.25rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--edge);padding-bottom:.25rem}
h3{font-size:1.02rem;margin:0 0 .2rem}
h4{font-size:.98rem;margin:0 0 .2rem}
.sub{margin:.1rem 0;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
.muted,.facts{color:var(--muted)}
nav{display:flex;flex-wrap:wrap;gap:.3rem 1rem;margin:.6rem 0 0}
nav a{color:var(--line)}
.legend{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;color:var(--muted);font-size:.85rem;margin:.2rem 0 .8rem}
.legend i{display:inline-block;width:1.4em;height:.7em;margin-right:.4em;vertical-align:middle;border-radius:2px}
.k-line{border-top:2px solid var(--line);height:0!important}
.k-avg{border-top:3px solid var(--avg);height:0!important}
.k-band{background:var(--band)}
.k-target{border-top:2px dashed var(--target);height:0!important}
.k-pace{border-top:2px dashed var(--pace);height:0!important}
.k-sleep{background:var(--sleep);opacity:.7}
.k-cell{background:linear-gradient(90deg,var(--none),var(--cell))}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,520px),1fr));gap:14px}
.card{background:var(--card);border:1px solid var(--edge);border-radius:8px;padding:12px 14px;min-width:0}
.facts{display:flex;flex-wrap:wrap;gap:0 .9rem;font-size:.83rem;margin:0 0 .4rem}
.na{color:var(--warn)}
.chart{display:grid;grid-template-columns:3.4rem minmax(0,1fr) .7rem;grid-template-rows:11rem auto;margin:14px 0 4px;font-size:.75rem;color:var(--muted)}
.yaxis{position:relative;grid-column:1;grid-row:1}
.yaxis span{position:absolute;right:.45rem;transform:translateY(-50%);white-space:nowrap;line-height:1}
.plot{position:relative;grid-column:2;grid-row:1;min-width:0}
.plot svg{position:absolute;inset:0;width:100%;height:100%;overflow:visible}
.xaxis{position:relative;grid-column:2;grid-row:2;height:1.6rem}
.xaxis span{position:absolute;top:.55rem;transform:translateX(-50%);white-space:nowrap;line-height:1}
@media (max-width:700px){.xaxis span.l1{display:none}}
.tlabel{position:absolute;right:2px;transform:translateY(-115%);color:var(--target);white-space:nowrap;line-height:1;background:var(--card);padding:0 2px;border-radius:2px}
svg path,svg rect{vector-effect:non-scaling-stroke}
.grid{stroke:var(--grid);stroke-width:1;fill:none}
.line{stroke:var(--line);stroke-width:1.5;fill:none;stroke-linejoin:round}
.pt{stroke:var(--line);stroke-width:4;stroke-linecap:round;fill:none}
.pts{stroke:var(--line);stroke-width:3;stroke-linecap:round;fill:none}
.chart.metric .pt{stroke-width:3.5}
.hover{fill:transparent;stroke:none}
.hover:hover{fill:var(--band)}
.avg{stroke:var(--avg);stroke-width:2.5;fill:none;opacity:.85}
.band{fill:var(--band);stroke:none}
.target{stroke:var(--target);stroke-width:1.5;stroke-dasharray:6 4;fill:none}
.pace{stroke:var(--pace);stroke-width:1.5;stroke-dasharray:4 4;fill:none}
.today{stroke:var(--muted);stroke-width:1;stroke-dasharray:2 3;fill:none}
.band-cell{fill:var(--sleep);opacity:.7}
.averages{display:grid;grid-template-columns:repeat(auto-fit,minmax(7.5rem,1fr));gap:.3rem .8rem;margin:.5rem 0 0}
.averages div{min-width:0}
.averages dt{font-size:.75rem;color:var(--muted)}
.averages dd{margin:0;font-weight:600}
.averages small{font-weight:400;color:var(--muted)}
.objective{margin:0 0 1.6rem}
.bar{height:8px;background:var(--none);border-radius:4px;overflow:hidden;margin:.1rem 0 .8rem;max-width:520px}
.bar div{height:100%;background:var(--line)}
.status{font-size:.78rem;font-weight:600;padding:1px 6px;border-radius:9px;border:1px solid currentColor;white-space:nowrap}
.good{color:var(--good)}.warn{color:var(--warn)}.bad{color:var(--bad)}
.strip{display:block;width:100%;height:20px}
.cell{fill:var(--cell)}
.cell.none{fill:var(--none)}
ul{padding-left:1.2rem}
`;
