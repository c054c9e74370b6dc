/**
 * Reference lines with a label at the line: "true rank = 4", "99 %", "full FT (1024 params)".
 */
import type { Plot, Scale } from './axis';
import { el, num, text, textWidth } from './svg';

export interface RefLine {
  /** 'x': a vertical line at x = value; 'y': a horizontal line at y = value. */
  axis: 'x' | 'y';
  value: number;
  label: string;
  /** Grey instead of the accent colour, for context lines (99 %, full FT). */
  soft?: boolean;
}

export interface DrawnRef {
  markup: string;
  /** The label's box, so a legend can avoid it. */
  box: { x: number; y: number; w: number; h: number } | null;
}

type Box = { x: number; y: number; w: number; h: number };

/**
 * Draws the line and puts its label in whichever of four spots beside it covers the fewest
 * of the `avoid` points (data vertices), preferring top/right.
 */
export function referenceLine(r: RefLine, xs: Scale, ys: Scale, plot: Plot, avoid: [number, number][] = []): DrawnRef {
  const cls = r.soft ? 'rf soft' : 'rf';
  const tcls = r.soft ? 'rft soft' : 'rft';
  const w = textWidth(r.label, 12);
  const h = 14;
  const fits = (b: Box) => b.x >= plot.x0 - 2 && b.x + b.w <= plot.x1 + 2 && b.y >= plot.y0 - 2 && b.y + b.h <= plot.y1 + 2;
  const cost = (b: Box) =>
    avoid.filter(([x, y]) => x >= b.x - 3 && x <= b.x + b.w + 3 && y >= b.y - 3 && y <= b.y + b.h + 3).length;
  let line: string;
  let spots: { box: Box; anchor: 'start' | 'end' }[];
  if (r.axis === 'x') {
    const x = xs(r.value);
    if (!Number.isFinite(x) || x < plot.x0 - 0.5 || x > plot.x1 + 0.5) return { markup: '', box: null };
    line = `M${num(x)} ${num(plot.y0)}V${num(plot.y1)}`;
    const top = plot.y0 + 2;
    const bottom = plot.y1 - h - 4;
    spots = [
      { box: { x: x + 5, y: top, w, h }, anchor: 'start' },
      { box: { x: x - 5 - w, y: top, w, h }, anchor: 'end' },
      { box: { x: x + 5, y: bottom, w, h }, anchor: 'start' },
      { box: { x: x - 5 - w, y: bottom, w, h }, anchor: 'end' },
    ];
  } else {
    const y = ys(r.value);
    if (!Number.isFinite(y) || y < plot.y0 - 0.5 || y > plot.y1 + 0.5) return { markup: '', box: null };
    line = `M${num(plot.x0)} ${num(y)}H${num(plot.x1)}`;
    const right = plot.x1 - 4 - w;
    const left = plot.x0 + 4;
    spots = [
      { box: { x: right, y: y - h - 2, w, h }, anchor: 'end' },
      { box: { x: right, y: y + 3, w, h }, anchor: 'end' },
      { box: { x: left, y: y - h - 2, w, h }, anchor: 'start' },
      { box: { x: left, y: y + 3, w, h }, anchor: 'start' },
    ];
  }
  const usable = spots.filter((s) => fits(s.box));
  let best = usable[0] ?? spots[0]!;
  for (const s of usable) if (cost(s.box) < cost(best.box)) best = s;
  const b = best.box;
  return {
    markup:
      el('path', { class: cls, d: line }) +
      text({ class: tcls, x: best.anchor === 'start' ? b.x : b.x + b.w, y: b.y + 11, 'text-anchor': best.anchor }, r.label),
    box: b,
  };
}
