/**
 * Line chart: one or more series, linear or log axes, reference lines, optional markers.
 * Used for reconstruction error vs rank, cumulative energy, loss curves that grow live, and
 * final loss vs rank / parameter count.
 */
import { line } from 'd3';
import { axisBottom, axisLeft, leftAxisWidth, makeScale, type Plot, type ScaleSpec } from './axis';
import { frame, defaultMargins } from './frame';
import { legend, type LegendItem } from './legend';
import { markerSymbol } from './marker';
import { referenceLine, type RefLine } from './reference-line';
import { el, esc, num } from './svg';
import { seriesDash, seriesSlot } from './theme';

export interface LineSeries {
  label: string;
  y: number[];
  /** x of each y; default 0, 1, 2, … (epochs). */
  x?: number[];
  /** Colour/dash/marker slot 0…3; default the series' position. */
  slot?: number;
}

export interface AxisSpec extends ScaleSpec {
  label: string;
  integer?: boolean;
  format?: (v: number) => string;
  ticks?: number;
}

export interface LineChartOptions {
  title: string;
  subtitle?: string;
  desc: string;
  id?: string;
  series: LineSeries[];
  x: AxisSpec;
  y: AxisSpec;
  refLines?: RefLine[];
  /** Draw the series' marker shape at every point (few points, e.g. one per rank). */
  markers?: boolean;
  /** Focusable, tooltipped points per series (evenly sampled, at fixed x positions). */
  maxFocusable?: number;
  /** Tooltip text of one point. */
  tip?: (x: number, y: number, series: LineSeries) => string;
  legend?: boolean;
}

const drawable = (v: number, log: boolean | undefined) => Number.isFinite(v) && (!log || v > 0);

export function lineChart(o: LineChartOptions): string {
  const f = frame({ title: o.title, subtitle: o.subtitle, desc: o.desc, id: o.id });
  const m = defaultMargins(!!o.subtitle);
  const xsOf = (s: LineSeries) => s.x ?? s.y.map((_, i) => i);
  const allX = o.series.flatMap(xsOf);
  const allY = o.series.flatMap((s) => s.y);
  const refX = (o.refLines ?? []).filter((r) => r.axis === 'x').map((r) => r.value);
  const refY = (o.refLines ?? []).filter((r) => r.axis === 'y').map((r) => r.value);
  // The y scale does not depend on the left margin, and the margin depends on its tick labels.
  const ys = makeScale([...allY, ...refY], [f.height - m.bottom, m.top], o.y);
  const left = Math.max(m.left, leftAxisWidth(ys, o.y));
  const plot: Plot = { x0: left, x1: f.width - m.right, y0: m.top, y1: f.height - m.bottom };
  const xs = makeScale([...allX, ...refX], [plot.x0, plot.x1], o.x);
  const inX = (x: number) => x >= plot.x0 - 0.5 && x <= plot.x1 + 0.5;
  const inY = (y: number) => y >= plot.y0 - 0.5 && y <= plot.y1 + 0.5;

  let body =
    axisLeft(ys, plot, { label: o.y.label, integer: o.y.integer, format: o.y.format, ticks: o.y.ticks }) +
    axisBottom(xs, plot, { label: o.x.label, integer: o.x.integer, format: o.x.format, ticks: o.x.ticks });

  const occupiedPoints: [number, number][] = [];
  const maxFocus = o.maxFocusable ?? 25;
  let lines = '';
  let marks = '';
  o.series.forEach((s, si) => {
    const slot = seriesSlot(s.slot ?? si);
    const xv = xsOf(s);
    const pts: [number, number, number, number][] = []; // [px, py, x, y]
    const n = Math.min(xv.length, s.y.length);
    for (let i = 0; i < n; i++) {
      const x = xv[i] as number;
      const y = s.y[i] as number;
      pts.push(drawable(x, o.x.log) && drawable(y, o.y.log) ? [xs(x), ys(y), x, y] : [NaN, NaN, x, y]);
    }
    const d = line<[number, number, number, number]>()
      .defined((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]))
      .x((p) => p[0])
      .y((p) => p[1])(pts);
    if (d) {
      const dash = seriesDash[slot];
      lines += el('path', {
        class: `ln s${slot + 1}`,
        d: d.replace(/-?\d*\.\d+/g, (v) => num(Number(v))),
        'stroke-dasharray': dash || undefined,
      });
    }
    // Points the legend should avoid: vertices plus midpoints of long segments.
    for (let i = 0; i < pts.length; i++) {
      const p = pts[i] as [number, number, number, number];
      if (!Number.isFinite(p[0])) continue;
      occupiedPoints.push([p[0], p[1]]);
      const q = pts[i + 1];
      if (q && Number.isFinite(q[0])) {
        for (let k = 1; k < 8; k++) occupiedPoints.push([p[0] + ((q[0] - p[0]) * k) / 8, p[1] + ((q[1] - p[1]) * k) / 8]);
      }
    }
    // Focusable points: every point when few, else a fixed stride over the x domain's
    // indices so the set does not shift while a curve grows.
    const span = o.x.domain ? o.x.domain[1] - o.x.domain[0] + 1 : n;
    const stride = o.markers ? 1 : Math.max(1, Math.ceil(span / maxFocus));
    for (let i = 0; i < n; i++) {
      const p = pts[i] as [number, number, number, number];
      if (!Number.isFinite(p[0]) || !inX(p[0]) || !inY(p[1])) continue;
      const isLast = i === n - 1;
      if (i % stride !== 0 && !isLast) continue;
      const tip = o.tip ? o.tip(p[2], p[3], s) : `${s.label}: (${p[2]}, ${p[3]})`;
      if (o.markers) {
        marks += el('path', {
          class: `f${slot + 1}`,
          d: markerSymbol(slot, 56),
          transform: `translate(${num(p[0])} ${num(p[1])})`,
          'data-tip': tip,
          tabindex: 0,
        });
      } else {
        marks += el('circle', { class: 'hb', cx: p[0], cy: p[1], r: 5, 'data-tip': tip, tabindex: 0 });
      }
    }
  });
  const refs = (o.refLines ?? []).map((r) => referenceLine(r, xs, ys, plot, occupiedPoints));
  body += refs.map((r) => r.markup).join('') + `<g>${lines}</g><g>${marks}</g>`;

  const showLegend = o.legend ?? o.series.length > 1;
  let legendBottom: number | undefined;
  if (showLegend) {
    const items: LegendItem[] = o.series.map((s, si) => ({
      label: s.label,
      slot: seriesSlot(s.slot ?? si),
      kind: 'line',
      marker: !!o.markers,
    }));
    const boxes = refs.flatMap((r) => (r.box ? [r.box] : []));
    const placed = legend(items, plot, boxes, occupiedPoints);
    body += placed.markup;
    legendBottom = placed.bottom;
  }
  if (o.series.every((s) => s.y.length === 0)) {
    body += `<text x="${num((plot.x0 + plot.x1) / 2)}" y="${num((plot.y0 + plot.y1) / 2)}" text-anchor="middle" class="st">${esc('No data yet')}</text>`;
  }
  // A legend that found no free corner sits below the plot: the panel grows to hold it.
  const out = legendBottom === undefined ? f : frame({ title: o.title, subtitle: o.subtitle, desc: o.desc, id: o.id, height: Math.ceil(legendBottom + 6) });
  return out.wrap(body);
}
