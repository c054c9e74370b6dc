/**
 * Bar chart of a spectrum: σ₁, σ₂, … as bars at 1, 2, …, an optional reference line such as
 * the true rank (drawn between σ_r and σ_r+1, at r + 0.5), and an optional second series
 * beside the first ("full FT vs LoRA") with a legend.
 */
import { axisBottom, axisLeft, leftAxisWidth, makeScale, type Plot, type ScaleSpec } from './axis';
import { defaultMargins, frame } from './frame';
import { legend, type LegendItem } from './legend';
import { referenceLine, type RefLine } from './reference-line';
import { el, esc, num } from './svg';

export interface BarSeries {
  label: string;
  values: number[];
}

export interface BarChartOptions {
  title: string;
  subtitle?: string;
  desc: string;
  id?: string;
  /** One series, or two drawn side by side (the second outlined, so it reads without colour). */
  series: [BarSeries] | [BarSeries, BarSeries];
  xLabel: string;
  yLabel: string;
  y?: Pick<ScaleSpec, 'domain'>;
  /** x values are bar positions 1 … n; a boundary after bar r sits at r + 0.5. */
  refLines?: RefLine[];
  /** Tooltip of bar i (1-based) given each series' value there. */
  tip?: (i: number, values: (number | undefined)[]) => string;
  legend?: boolean;
  /** A name per bar, shown under it instead of its number (keep them short: a band is ~130 units for 3 bars). */
  categories?: string[];
}

export function barChart(o: BarChartOptions): string {
  const f = frame({ title: o.title, subtitle: o.subtitle, desc: o.desc, id: o.id });
  const m = defaultMargins(!!o.subtitle);
  const n = Math.max(0, ...o.series.map((s) => s.values.length));
  const finite = o.series.flatMap((s) => s.values.filter(Number.isFinite));
  const ys = makeScale(finite, [f.height - m.bottom, m.top], { zero: true, domain: o.y?.domain });
  const plot: Plot = { x0: Math.max(m.left, leftAxisWidth(ys, {})), x1: f.width - m.right, y0: m.top, y1: f.height - m.bottom };
  const xs = makeScale([], [plot.x0, plot.x1], { domain: [0.5, Math.max(n, 1) + 0.5] });
  // Bars named by their categories where given (the adapters' names), else numbered 1 … n.
  const names = o.categories;
  const xFormat = names ? (v: number) => (Number.isInteger(v) ? (names[v - 1] ?? '') : '') : undefined;

  let body =
    axisLeft(ys, plot, { label: o.yLabel }) +
    axisBottom(xs, plot, { label: o.xLabel, integer: true, grid: false, ticks: Math.min(8, n), format: xFormat });

  const band = (plot.x1 - plot.x0) / Math.max(n, 1);
  const two = o.series.length === 2;
  const barW = band * (two ? 0.42 : 0.78);
  const y0 = ys(0);
  const points: [number, number][] = [];
  o.series.forEach((s, si) => {
    // One path per series: n rectangles as M x y h w v h h -w z (compact, one DOM node).
    let d = '';
    s.values.forEach((v, i) => {
      if (!Number.isFinite(v)) return;
      const cx = xs(i + 1);
      const x = two ? cx - barW + si * barW : cx - barW / 2;
      const y = ys(v);
      // A zero-height bar draws nothing but its outline along the axis; leave it out (its
      // column still carries the tip).
      if (Math.abs(y0 - y) < 0.25) return;
      d += `M${num(x)} ${num(y0)}V${num(y)}h${num(barW)}V${num(y0)}z`;
      points.push([x + barW / 2, y], [x + barW / 2, (y + y0) / 2]);
    });
    if (d) {
      body += el('path', {
        class: si === 0 ? 'f1' : 'f2 s2',
        d,
        'fill-opacity': si === 0 ? undefined : 0.3,
        'stroke-width': si === 0 ? undefined : 1.2,
      });
    }
  });

  const refs = (o.refLines ?? []).map((r) => referenceLine(r, xs, ys, plot, points));
  body += refs.map((r) => r.markup).join('');

  // Hover/focus targets: a transparent full-height column per bar, so a σ of 1e-5 is as easy
  // to point at as σ₁.
  let cols = '';
  for (let i = 0; i < n; i++) {
    const values = o.series.map((s) => s.values[i]);
    if (values.every((v) => v === undefined || !Number.isFinite(v))) continue;
    const tip = o.tip ? o.tip(i + 1, values) : `${i + 1}: ${values.join(', ')}`;
    cols += el('rect', {
      class: 'hb',
      x: xs(i + 1) - band / 2,
      y: plot.y0,
      width: band,
      height: plot.y1 - plot.y0,
      'data-tip': tip,
      tabindex: 0,
    });
  }
  body += `<g>${cols}</g>`;

  let legendBottom: number | undefined;
  if (o.legend ?? two) {
    const items: LegendItem[] = o.series.map((s, si) => ({
      label: s.label,
      slot: si,
      kind: si === 0 ? 'bar' : 'bar-outline',
    }));
    const placed = legend(items, plot, refs.flatMap((r) => (r.box ? [r.box] : [])), points);
    body += placed.markup;
    legendBottom = placed.bottom;
  }
  if (n === 0) {
    body += `<text x="${num((plot.x0 + plot.x1) / 2)}" y="${num((plot.y0 + plot.y1) / 2)}" text-anchor="middle" class="st">${esc('No data yet')}</text>`;
  }
  const out = legendBottom === undefined ? f : frame({ title: o.title, subtitle: o.subtitle, desc: o.desc, id: o.id, height: Math.ceil(legendBottom + 6) });
  return out.wrap(body);
}
