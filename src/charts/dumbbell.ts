/**
 * Dumbbell chart: one labelled row per item, a hollow dot at its "from" value and a filled dot at
 * its "to" value joined by a line (chapter 10: each variant's held-out loss before and after
 * training). A row without a "to" yet (a variant still training) shows its "from" dot only.
 */
import { axisBottom, makeScale, type Plot } from './axis';
import { frame } from './frame';
import { el, esc, num, text } from './svg';

export interface DumbbellRow {
  label: string;
  from: number;
  to: number;
}
export interface DumbbellOptions {
  title: string;
  subtitle?: string;
  desc: string;
  id?: string;
  rows: DumbbellRow[];
  xLabel: string;
  /** Legend words for the two dots. */
  fromLabel: string;
  toLabel: string;
  tip: (row: DumbbellRow) => string;
  format?: (v: number) => string;
}

const ROW = 26;

export function dumbbellChart(o: DumbbellOptions): string {
  const top = o.subtitle ? 70 : 54;
  const bottom = 46;
  const height = top + Math.max(1, o.rows.length) * ROW + bottom;
  const f = frame({ title: o.title, subtitle: o.subtitle, desc: o.desc, id: o.id, height });
  // Room on the left for the longest label (≈11 px a character at the phone's largest text scale), within reason.
  const left = Math.min(260, Math.max(90, 18 + 11 * Math.max(0, ...o.rows.map((r) => r.label.length))));
  const plot: Plot = { x0: left, x1: f.width - 22, y0: top, y1: height - bottom };
  const values = o.rows.flatMap((r) => [r.from, r.to]).filter(Number.isFinite);
  const xs = makeScale(values, [plot.x0, plot.x1], {});
  let body = axisBottom(xs, plot, { label: o.xLabel, ticks: 4, format: o.format });
  // Legend above the rows: hollow = from, filled = to (from the left edge; the second item after the first's text, ≈8.5 px a character at the largest text scale).
  const second = 16 + 8.5 * o.fromLabel.length + 24;
  const lx = 18;
  const ly = top - 12;
  body +=
    el('circle', { cx: lx + 6, cy: ly, r: 5, class: 's1', fill: 'none', 'stroke-width': 2 }) +
    text({ x: lx + 16, y: ly, dy: '0.35em' }, o.fromLabel) +
    el('circle', { cx: lx + second, cy: ly, r: 5, class: 'f1' }) +
    text({ x: lx + second + 10, y: ly, dy: '0.35em' }, o.toLabel);
  o.rows.forEach((r, i) => {
    const y = plot.y0 + (i + 0.5) * ROW;
    body += text({ x: plot.x0 - 10, y, dy: '0.35em', 'text-anchor': 'end' }, r.label);
    const a = xs(r.from);
    const b = xs(r.to);
    if (Number.isFinite(a) && Number.isFinite(b)) body += el('path', { class: 'ln s1', d: `M${num(a)} ${num(y)}H${num(b)}` });
    if (Number.isFinite(a)) body += el('circle', { cx: a, cy: y, r: 5, class: 's1', fill: 'var(--color-bg, #ffffff)', 'stroke-width': 2 });
    if (Number.isFinite(b)) body += el('circle', { cx: b, cy: y, r: 5, class: 'f1' });
    body += el('rect', { class: 'hb', x: plot.x0, y: y - ROW / 2, width: plot.x1 - plot.x0, height: ROW, 'data-tip': o.tip(r), tabindex: 0 });
  });
  if (o.rows.length === 0) body += `<text x="${num((plot.x0 + plot.x1) / 2)}" y="${num((plot.y0 + plot.y1) / 2)}" text-anchor="middle" class="st">${esc('No data yet')}</text>`;
  return f.wrap(body);
}
