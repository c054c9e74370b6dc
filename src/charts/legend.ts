/**
 * A legend placed in the plot corner that covers the fewest data points, so curves that grow
 * live or move with the controls never hide under it.
 */
import type { Plot } from './axis';
import { textWidth } from './reference-line';
import { el, num, text } from './svg';
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

const ROW = 18;

export function legend(items: LegendItem[], plot: Plot, occupied: Box[], points: [number, number][]): string {
  if (items.length === 0) return '';
  const w = 34 + Math.max(...items.map((i) => textWidth(i.label)));
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
  let best = corners[0] as Box;
  let bestCost = Infinity;
  for (const c of corners) {
    const cost = points.filter(([x, y]) => inside(c, x, y)).length + occupied.filter((o) => overlaps(c, o)).length * 50;
    if (cost < bestCost) [best, bestCost] = [c, cost];
  }
  let out = '';
  items.forEach((it, i) => {
    const y = best.y + 3 + i * ROW + ROW / 2;
    const x = best.x + 4;
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
  return `<g class="lg">${out}</g>`;
}

