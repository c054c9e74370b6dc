/**
 * Colour roles → CSS custom properties. The site defines the properties with light and dark
 * values (src/styles/tokens.css); the fallback in each is the light theme's value, so a chart
 * opened on its own (a downloaded SVG) has the page's colours. theme.test.ts keeps the two equal.
 *
 * Charts never write a colour into a mark: marks carry short class names, and one <style>
 * block per chart, scoped by the chart's id, maps them to the properties. That keeps a
 * 4096-cell heatmap compact and lets dark mode switch colours without re-rendering.
 */
export const palette = {
  series: [
    'var(--series-1, #0072b2)',
    'var(--series-2, #d55e00)',
    'var(--series-3, #009e73)',
    'var(--series-4, #cc79a7)',
  ],
  ref: 'var(--ref-line, #4d4d4d)',
  grid: 'var(--grid, #e6e6e3)',
  text: 'var(--axis-text, #565e67)',
  // Diverging scale: negative blue, positive red, as on the page.
  neg: 'var(--div-neg, #2166ac)',
  pos: 'var(--div-pos, #b2182b)',
} as const;

/** Dash patterns that tell series apart without colour (series 1 solid, 2 dashed, …). */
export const seriesDash = ['', '7 4', '2 3', '9 3 2 3'] as const;

/** Index into palette.series / seriesDash for series i (wraps after 4). */
export const seriesSlot = (i: number): number => ((i % 4) + 4) % 4;

/** The scoped stylesheet of one chart. */
export function chartStyle(id: string): string {
  const s = `#${id}`;
  const series = palette.series
    .map((c, i) => `${s} .s${i + 1}{stroke:${c}}${s} .f${i + 1}{fill:${c}}`)
    .join('');
  return (
    `${s}{font-family:var(--chart-font,system-ui,-apple-system,"Segoe UI",sans-serif);overflow:visible}` +
    `${s} text{fill:${palette.text};font-size:13px}` +
    `${s} .t{font-size:15px;font-weight:600}` +
    `${s} .st{font-size:12px;opacity:.8}` +
    `${s} .al{font-size:13.5px}` +
    `${s} .ax{stroke:${palette.text};fill:none}` +
    `${s} .gr{stroke:${palette.grid};fill:none}` +
    `${s} .rf{stroke:${palette.ref};fill:none;stroke-width:1.5;stroke-dasharray:6 4}` +
    `${s} .rf.soft{stroke:${palette.text};opacity:.55}` +
    `${s} text.rft{fill:${palette.ref};font-size:12px}` +
    `${s} text.rft.soft{fill:${palette.text}}` +
    `${s} .ln{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}` +
    `${s} .pos{fill:${palette.pos}}${s} .neg{fill:${palette.neg}}` +
    `${s} .sp{stroke:${palette.pos};fill:none}${s} .sn{stroke:${palette.neg};fill:none}` +
    // Hover/focus targets: transparent until pointed at or focused, then outlined.
    `${s} .hb,${s} .hc{fill:transparent}` +
    `${s} [data-tip]{outline:none;cursor:default}` +
    `${s} [data-tip]:is(:hover,:focus-visible){stroke:${palette.text};stroke-width:1.5}` +
    `${s} .hc[data-tip]:hover{stroke-width:.12}` +
    series
  );
}
