/**
 * A layer × module heat map of one non-negative number per adapted module (‖ΔW‖_F): layers as
 * rows (top = first layer), module kinds as columns, a missing module left blank. The cells are
 * heatmap.ts's (`heatmapCells`: one path per opacity level, value tooltips from data-grid-*);
 * this file adds the named axes and a 0 … max key, since a norm has no sign.
 */
import { PANEL, frame } from './frame';
import { heatmapCells } from './heatmap';
import { el, formatValue, num, text } from './svg';

export interface AdapterGridOptions {
  title: string;
  subtitle?: string;
  desc: string;
  id?: string;
  /** Row labels, top to bottom (layer numbers or names). */
  rows: string[];
  /** Column labels, left to right (module kinds). */
  cols: string[];
  /** Row-major rows×cols values; NaN where a layer has no such module. */
  values: number[];
  /** Name in tooltips: "‖ΔW‖_F[3, 5] = …" reads as row, column. */
  name: string;
  /** Axis titles; default 'layer' and none. */
  yLabel?: string;
  xLabel?: string;
  /** The value that gets full colour; default the largest. Share it to compare two adapters. */
  max?: number;
}

/** Long module kinds (`self_attn.q_proj`) are shown by their last component (`q_proj`). */
export const shortKind = (kind: string): string => kind.split('.').pop() || kind;

export function adapterGrid(o: AdapterGridOptions): string {
  const nr = o.rows.length;
  const nc = o.cols.length;
  const top = o.subtitle ? 56 : 40;
  const left = 70;
  const keyW = 120;
  const availW = PANEL.width - left - 24;
  const cell = nc > 0 ? Math.min(availW / nc, 56) : 0;
  // About 240 units of rows: 32–80 layers stay readable (≥ 6 units a row), and a wide grid of
  // few rows (8 × 64 for φ) gets rows taller than its columns are wide, as in Hu et al.'s figure.
  const cellH = Math.max(6, Math.min(240 / Math.max(nr, 1), Math.max(cell, 30)));
  const w = nc * cell;
  const h = nr * cellH;
  const x = left + (availW - w) / 2;
  const y = top;
  // Long column names are turned 60°; short ones (numbers) stay level, thinned to 16 units apart.
  const rotate = o.cols.some((c) => shortKind(c).length > 3);
  const labelsH = rotate ? 70 : o.xLabel ? 36 : 20;
  const height = y + h + labelsH + 62;
  const f = frame({ title: o.title, subtitle: o.subtitle, desc: o.desc, id: o.id, height });
  const max = o.max ?? Math.max(0, ...o.values.filter(Number.isFinite));
  let body = heatmapCells({ rows: nr, cols: nc, data: o.values }, x, y, cell, { name: o.name, max, cellTips: nr * nc <= 4096 }, cellH);
  let ticks = '';
  // Level labels every `step` columns (1, 2, 4, 8 …), at least 30 units apart so that they stay
  // apart at a phone's enlarged chart text; the first column is always labelled.
  let step = 1;
  while (step * cell < 30 && step < nc) step *= 2;
  o.cols.forEach((c, j) => {
    const cx = x + (j + 0.5) * cell;
    if (rotate) ticks += text({ x: cx, y: y + h + 10, transform: `rotate(60 ${num(cx)} ${num(y + h + 10)})`, 'text-anchor': 'start' }, shortKind(c));
    else if (j === 0 || ((j + 1) % step === 0 && (j + 1) * cell >= 22)) ticks += text({ x: cx, y: y + h + 14, 'text-anchor': 'middle' }, c);
  });
  // Row labels: every one when they fit, else every k-th so that they stay 12 units apart.
  const every = Math.max(1, Math.ceil(12 / cellH));
  o.rows.forEach((r, i) => {
    if (i % every === 0) ticks += text({ x: x - 5, y: y + (i + 0.5) * cellH, dy: '0.35em', 'text-anchor': 'end' }, r);
  });
  body += `<g aria-hidden="true" class="st">${ticks}</g>`;
  body += text({ class: 'al', transform: `translate(${num(x - 42)} ${num(y + h / 2)}) rotate(-90)`, 'text-anchor': 'middle' }, o.yLabel ?? 'layer');
  if (o.xLabel && !rotate) body += text({ class: 'al', x: x + w / 2, y: y + h + 34, 'text-anchor': 'middle' }, o.xLabel);
  // Key: 0 … max in the cells' colour, as nine steps.
  const ky = y + h + labelsH + 10;
  const kx = (PANEL.width - keyW) / 2;
  const steps = 9;
  let key = '';
  for (let k = 0; k < steps; k++) key += el('rect', { x: kx + (k * keyW) / steps, y: ky, width: keyW / steps + 0.3, height: 10, class: 'pos', 'fill-opacity': (k + 1) / steps });
  key += el('rect', { class: 'ax', x: kx, y: ky, width: keyW, height: 10, 'stroke-opacity': 0.5 });
  key += text({ x: kx - 6, y: ky + 9, 'text-anchor': 'end' }, '0');
  key += text({ x: kx + keyW + 6, y: ky + 9, 'text-anchor': 'start' }, formatValue(max));
  key += text({ class: 'st', x: kx + keyW / 2, y: ky + 26, 'text-anchor': 'middle' }, o.name);
  body += `<g class="key">${key}</g>`;
  return f.wrap(body);
}
