/**
 * Scales and axes drawn as markup from scale.ticks(): ticks, tick labels, gridlines and the
 * axis label. No d3-axis/d3-selection, so it runs without a DOM.
 */
import { extent, format, precisionFixed, scaleLinear, scaleLog, type ScaleLinear, type ScaleLogarithmic } from 'd3';
import { el, num, text, textWidth } from './svg';
import { MAX_TEXT_SCALE, TEXT_SIZES } from './frame';

export type Scale = ScaleLinear<number, number> | ScaleLogarithmic<number, number>;

/** The plot area inside a panel, in viewBox units (y0 is the top edge). */
export interface Plot {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

export const isLog = (s: Scale): s is ScaleLogarithmic<number, number> => 'base' in s;

export interface ScaleSpec {
  log?: boolean;
  /** Log base (10 for losses and errors, 2 for ranks and parameter counts). */
  base?: number;
  /** A fixed domain (e.g. all epochs, so a growing curve does not rescale the x axis). */
  domain?: [number, number];
  /** Include 0 in a linear domain (bar heights). */
  zero?: boolean;
  /** Round a linear domain to nice tick values. */
  nice?: boolean;
}

/**
 * A scale for the given data. Log scales ignore values ≤ 0 and non-finite values; a log
 * domain narrower than one decade is padded slightly instead of widened to whole decades
 * (0.55–0.62 must not become 0.1–1).
 */
export function makeScale(values: number[], range: [number, number], spec: ScaleSpec = {}): Scale {
  const usable = values.filter((v) => Number.isFinite(v) && (!spec.log || v > 0));
  if (spec.log) {
    const base = spec.base ?? 10;
    let [lo, hi] = spec.domain ?? (extent(usable) as [number | undefined, number | undefined]);
    if (lo === undefined || hi === undefined || !(lo > 0) || !(hi > 0)) [lo, hi] = [1, base];
    if (lo === hi) [lo, hi] = [lo / 1.2, hi * 1.2];
    const s = scaleLog().base(base).domain([lo, hi]).range(range);
    if (spec.domain) return s;
    if (hi / lo >= 10) return s.nice();
    const pad = Math.pow(hi / lo, 0.05);
    return s.domain([lo / pad, hi * pad]);
  }
  let [lo, hi] = spec.domain ?? (extent(usable) as [number | undefined, number | undefined]);
  if (lo === undefined || hi === undefined) [lo, hi] = [0, 1];
  if (spec.zero) [lo, hi] = [Math.min(0, lo), Math.max(0, hi)];
  if (lo === hi) [lo, hi] = lo === 0 ? [0, 1] : [lo - Math.abs(lo) * 0.1, hi + Math.abs(hi) * 0.1];
  const s = scaleLinear().domain([lo, hi]).range(range);
  return spec.nice === false || spec.domain ? s : s.nice();
}

const SUPERSCRIPT: Record<string, string> = {
  '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹',
};
/** 10⁻³ as text with superscript digits. */
export function formatPowerOfTen(v: number): string {
  const k = Math.round(Math.log10(v));
  return '10' + String(k).replace(/./g, (c) => SUPERSCRIPT[c] ?? c);
}

/**
 * Labels for a log₁₀ axis, consistent along the axis: plain (0.01, 0.1, 1) when every
 * power is within 10⁻² … 10², else all as powers of ten.
 */
function decadeFormat(powers: number[]): (v: number) => string {
  const plain = powers.every((v) => Math.abs(Math.round(Math.log10(v))) <= 2);
  return plain ? format('~g') : formatPowerOfTen;
}

export interface Tick {
  value: number;
  label: string;
  /** Labelled ticks get a gridline in the normal weight; others a fainter one. */
  major: boolean;
}

/** The ticks of a scale with labels; `integer` keeps only whole numbers (indices, ranks). */
export function ticksOf(scale: Scale, count: number, integer = false, fmt?: (v: number) => string): Tick[] {
  let values = scale.ticks(count);
  if (integer) values = values.filter(Number.isInteger);
  if (isLog(scale)) {
    const b = scale.base();
    const isPower = (v: number) => Math.abs(Math.log(v) / Math.log(b) - Math.round(Math.log(v) / Math.log(b))) < 1e-9;
    const powers = values.filter(isPower);
    if (powers.length >= 2) {
      // Whole decades: label the powers (every other one when there are many).
      const every = powers.length > 8 ? 2 : 1;
      const labelled = new Set(powers.filter((_, i) => (powers.length - 1 - i) % every === 0));
      const label = fmt ?? (b === 10 ? decadeFormat(powers) : format(',~g'));
      return powers.map((v) => ({ value: v, label: labelled.has(v) ? label(v) : '', major: labelled.has(v) }));
    }
    // Less than a decade: d3 returned linear ticks; label them all with enough digits.
    const step = values.length > 1 ? Math.abs((values[1] ?? 0) - (values[0] ?? 0)) : Math.abs(values[0] ?? 1);
    const f = fmt ?? format(`.${precisionFixed(step || 1)}f`);
    return values.map((v) => ({ value: v, label: f(v), major: true }));
  }
  const f = fmt ?? scale.tickFormat(count);
  return values.map((v) => ({ value: v, label: f(v), major: true }));
}

export interface AxisOptions {
  label: string;
  ticks?: number;
  integer?: boolean;
  format?: (v: number) => string;
  grid?: boolean;
}

/** Bottom axis: baseline, ticks, labels, vertical gridlines, centred axis label. */
export function axisBottom(scale: Scale, plot: Plot, o: AxisOptions): string {
  const ticks = ticksOf(scale, o.ticks ?? 6, o.integer, o.format);
  let grid = '';
  let marks = '';
  for (const t of ticks) {
    const x = scale(t.value);
    if (!Number.isFinite(x) || x < plot.x0 - 0.5 || x > plot.x1 + 0.5) continue;
    if (o.grid !== false) grid += `M${num(x)} ${num(plot.y0)}V${num(plot.y1)}`;
    if (!t.label) continue;
    marks += `M${num(x)} ${num(plot.y1)}v5`;
  }
  const labels = ticks
    .filter((t) => t.label && scale(t.value) >= plot.x0 - 0.5 && scale(t.value) <= plot.x1 + 0.5)
    .map((t) => text({ x: scale(t.value), y: plot.y1 + 18, 'text-anchor': 'middle' }, t.label))
    .join('');
  return (
    (grid ? el('path', { class: 'gr', d: grid }) : '') +
    el('path', { class: 'ax', d: `M${num(plot.x0)} ${num(plot.y1)}H${num(plot.x1)}${marks}` }) +
    `<g aria-hidden="true">${labels}</g>` +
    text({ class: 'al', x: (plot.x0 + plot.x1) / 2, y: plot.y1 + 37, 'text-anchor': 'middle' }, o.label)
  );
}

/** Where the rotated y-axis title's baseline sits: its glyphs (at the largest text scale) clear the left edge. */
const Y_TITLE_X = 0.8 * TEXT_SIZES.axisLabel * MAX_TEXT_SCALE + 1;
/** The right edge of the rotated title's glyphs (the descent side), at the largest text scale. */
const Y_TITLE_RIGHT = Y_TITLE_X + 0.25 * TEXT_SIZES.axisLabel * MAX_TEXT_SCALE;

/**
 * The left margin a y axis needs so that its tick labels, at the largest text scale, end to
 * the right of its title: label gap (8) + the widest label + 4 units clear of the title.
 */
export function leftAxisWidth(scale: Scale, o: Pick<AxisOptions, 'ticks' | 'integer' | 'format'>): number {
  const labels = ticksOf(scale, o.ticks ?? 5, o.integer, o.format).map((t) => t.label);
  const widest = Math.max(0, ...labels.map((l) => textWidth(l, TEXT_SIZES.text)));
  return Math.ceil(Y_TITLE_RIGHT + 4 + widest * MAX_TEXT_SCALE + 8);
}

/** Left axis: baseline, ticks, labels, horizontal gridlines, rotated axis label. */
export function axisLeft(scale: Scale, plot: Plot, o: AxisOptions): string {
  const ticks = ticksOf(scale, o.ticks ?? 5, o.integer, o.format);
  let grid = '';
  let marks = '';
  let labels = '';
  for (const t of ticks) {
    const y = scale(t.value);
    if (!Number.isFinite(y) || y < plot.y0 - 0.5 || y > plot.y1 + 0.5) continue;
    if (o.grid !== false) grid += `M${num(plot.x0)} ${num(y)}H${num(plot.x1)}`;
    if (!t.label) continue;
    marks += `M${num(plot.x0)} ${num(y)}h-5`;
    labels += text({ x: plot.x0 - 8, y, dy: '0.35em', 'text-anchor': 'end' }, t.label);
  }
  const cy = (plot.y0 + plot.y1) / 2;
  return (
    (grid ? el('path', { class: 'gr', d: grid }) : '') +
    el('path', { class: 'ax', d: `M${num(plot.x0)} ${num(plot.y0)}V${num(plot.y1)}${marks}` }) +
    `<g aria-hidden="true">${labels}</g>` +
    text({ class: 'al', transform: `translate(${num(Y_TITLE_X)} ${num(cy)}) rotate(-90)`, 'text-anchor': 'middle' }, o.label)
  );
}
