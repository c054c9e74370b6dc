/**
 * A legend placed in the plot corner that covers the fewest data points, so curves that grow
 * live or move with the controls never hide under it.
 */
import type { Plot } from './axis';
import { MAX_TEXT_SCALE, TEXT_SIZES } from './frame';
import { el, num, text, textWidth } from './svg';
import { seriesDash } from './theme';
import { markerSymbol } from './marker';

export interface LegendItem {
  label: string;
  /** Series slot 0…3 (colour and dash). */
  slot: number;
  kind: 'line' | 'bar' | 'bar-outline';
  /** Show the series' marker shape on the line swatch. */
  marker?: boolean;
}

type Box = { x: number; y: number; w: number; h: number };

// The box is sized for the largest text scale (frame.ts), so on a phone, where the labels are
// drawn larger than the curves around them, it still covers only the corner it was placed in.
const ROW = Math.max(18, TEXT_SIZES.text * MAX_TEXT_SCALE + 2);

/** A legend's markup and, when it went below the plot, the y its last row ends at (the chart must reach it). */
export interface PlacedLegend {
  markup: string;
  bottom?: number;
}

/**
 * The legend in the plot corner that covers no data point and no reference label, its box
 * sized for the largest text scale; where every corner would cover data (curves that fill the
 * plot, or a phone's larger text), it goes below the chart instead, `below` units under the
 * plot (past the x-axis title), and the chart grows to its `bottom`.
 */
export function legend(items: LegendItem[], plot: Plot, occupied: Box[], points: [number, number][], below = 50): PlacedLegend {
  if (items.length === 0) return { markup: '' };
  const w = 34 + Math.max(...items.map((i) => textWidth(i.label))) * MAX_TEXT_SCALE;
  const h = items.length * ROW + 6;
  const pad = 6;
  const corners: Box[] = [
    { x: plot.x1 - w - pad, y: plot.y0 + pad, w, h },
    { x: plot.x0 + pad, y: plot.y0 + pad, w, h },
    { x: plot.x1 - w - pad, y: plot.y1 - h - pad, w, h },
    { x: plot.x0 + pad, y: plot.y1 - h - pad, w, h },
  ];
  const inside = (b: Box, x: number, y: number) => x >= b.x - 4 && x <= b.x + b.w + 4 && y >= b.y - 4 && y <= b.y + b.h + 4;
  const overlaps = (a: Box, b: Box) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  let best: Box | undefined;
  for (const c of corners) {
    if (c.x < plot.x0) continue; // wider than the plot
    const free = !points.some(([x, y]) => inside(c, x, y)) && !occupied.some((o) => overlaps(c, o));
    if (free) {
      best = c;
      break;
    }
  }
  const box = best ?? { x: plot.x0 - 4, y: plot.y1 + below, w, h };
  let out = '';
  items.forEach((it, i) => {
    const y = box.y + 3 + i * ROW + ROW / 2;
    const x = box.x + 4;
    if (it.kind === 'line') {
      const dash = seriesDash[it.slot % 4];
      out += el('path', {
        class: `ln s${(it.slot % 4) + 1}`,
        d: `M${num(x)} ${num(y)}h24`,
        'stroke-dasharray': dash || undefined,
      });
      if (it.marker) {
        out += el('path', { class: `f${(it.slot % 4) + 1}`, d: markerSymbol(it.slot), transform: `translate(${num(x + 12)} ${num(y)})` });
      }
    } else {
      out += el('rect', {
        x: x + 4,
        y: y - 6,
        width: 16,
        height: 12,
        class: it.kind === 'bar' ? `f${(it.slot % 4) + 1}` : `f${(it.slot % 4) + 1} s${(it.slot % 4) + 1}`,
        'fill-opacity': it.kind === 'bar-outline' ? 0.3 : undefined,
        'stroke-width': it.kind === 'bar-outline' ? 1.5 : undefined,
      });
    }
    out += text({ x: x + 30, y, dy: '0.35em' }, it.label);
  });
  const markup = `<g class="lg"${best ? '' : ' data-legend="below"'}>${out}</g>`;
  return best ? { markup } : { markup, bottom: box.y + box.h };
}
