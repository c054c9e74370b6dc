/**
 * Matrix heatmap with a diverging colour scale centred on 0: a cell is var(--div-pos) or
 * var(--div-neg) at fill-opacity |v| / max, so the same markup works in light and dark mode.
 *
 * Compact markup for up to 64×64: opacity is quantised to LEVELS steps and every
 * (sign, level) bucket is one <path> of one-cell-high strokes (runs along a row merged)
 * inside a scaled group: about 7 bytes per cell instead of a 60-byte <rect>.
 */
import type { PlainMatrix } from '../../demos/index';
import { PANEL, defaultMargins, frame } from './frame';
import { format } from 'd3';
import { el, formatValue, num, text } from './svg';

const gridSmall = format('.2e');
const gridNormal = format('.3~g');

const LEVELS = 16;

export interface CellsOptions {
  /** Name used in tooltips: "ΔW[3, 5] = 0.0123". */
  name: string;
  /** |v| that gets full colour; default the matrix's max |v|. Share it to compare matrices. */
  max?: number;
  /** One tooltip per cell (hover only; not focusable). Default: when rows·cols ≤ 1024. */
  cellTips?: boolean;
}

/** Largest |v| of a matrix (0 for an empty or all-zero one; non-finite values ignored). */
export function maxAbs(m: PlainMatrix): number {
  let max = 0;
  for (const v of m.data) if (Number.isFinite(v) && Math.abs(v) > max) max = Math.abs(v);
  return max;
}

/**
 * The cells of a matrix with its top-left corner at (x, y), cells `cell` wide and `cellH`
 * high (square by default), plus a frame. Row i is drawn at y + i·cellH (row 0 on top, like
 * imshow). The runs are horizontal strokes, so a taller cell just scales their width.
 */
export function heatmapCells(m: PlainMatrix, x: number, y: number, cell: number, o: CellsOptions, cellH = cell): string {
  const max = o.max ?? maxAbs(m);
  // Each bucket is one path of unit-wide horizontal strokes (stroke-width 1 = one cell high):
  // "M3 5.5h2" starts a run in a new row, "m4 0h1" continues along the same row.
  const buckets = new Map<string, { d: string; row: number; x: number }>();
  const levelOf = (v: number) =>
    max > 0 && Number.isFinite(v) ? Math.min(LEVELS, Math.round((Math.abs(v) / max) * LEVELS)) : 0;
  for (let i = 0; i < m.rows; i++) {
    let j = 0;
    while (j < m.cols) {
      const v = m.data[i * m.cols + j] ?? 0;
      const level = levelOf(v);
      let run = 1;
      while (j + run < m.cols) {
        const w = m.data[i * m.cols + j + run] ?? 0;
        const l2 = levelOf(w);
        if (l2 !== level || (l2 > 0 && (w < 0) !== (v < 0))) break;
        run++;
      }
      if (level > 0) {
        const key = `${v < 0 ? 'sn' : 'sp'} ${level}`;
        const b = buckets.get(key);
        if (b && b.row === i) b.d += `m${j - b.x} 0h${run}`;
        else {
          const d = `M${j} ${i + 0.5}h${run}`;
          if (b) b.d += d;
          else buckets.set(key, { d, row: i, x: 0 });
        }
        const nb = buckets.get(key)!;
        nb.row = i;
        nb.x = j + run;
      }
      j += run;
    }
  }
  let paths = '';
  for (const [key, b] of buckets) {
    const [cls, level] = key.split(' ') as [string, string];
    paths += `<path class="${cls}" stroke-opacity="${num(Number(level) / LEVELS)}" d="${b.d}"/>`;
  }
  const w = m.cols * cell;
  const h = m.rows * cellH;
  // One target over the whole matrix: its tip states the range (keyboard focus), and with
  // cell tips on, tooltip.ts reads the value under the pointer from data-grid-* instead of
  // one element per cell.
  const finite = m.data.filter(Number.isFinite);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(0, ...finite);
  const tipsOn = o.cellTips ?? m.rows * m.cols <= 1024;
  const target = el('rect', {
    class: 'hb',
    x,
    y,
    width: Math.max(w, 4),
    height: Math.max(h, 4),
    tabindex: 0,
    'data-tip': `${o.name} (${m.rows}×${m.cols}): ${max > 0 ? `values ${formatValue(lo)} … ${formatValue(hi)}` : 'all zeros'}`,
    'data-grid-name': tipsOn ? o.name : undefined,
    'data-grid-rows': tipsOn ? m.rows : undefined,
    'data-grid-cols': tipsOn ? m.cols : undefined,
    'data-grid-values': tipsOn ? m.data.map(gridValue).join(' ') : undefined,
  });
  return (
    `<g transform="translate(${num(x)} ${num(y)}) scale(${cellH === cell ? num(cell) : `${num(cell)} ${num(cellH)}`})">${paths}</g>` +
    el('rect', { class: 'ax', x, y, width: w, height: h, 'stroke-opacity': 0.5 }) +
    target
  );
}

/** A cell value for data-grid-values: 3 significant digits, as short as possible. */
function gridValue(v: number): string {
  if (!Number.isFinite(v)) return 'n/a';
  // ASCII '-' (1 byte, not d3's 3-byte U+2212); tooltip.ts shows it as '−'.
  return (v !== 0 && Math.abs(v) < 1e-3 ? gridSmall(v) : gridNormal(v)).replace(/−/g, '-');
}

/**
 * The colour key: −max … 0 … +max as discrete steps, the same classes as the cells.
 * Horizontal, with its top-left corner at (x, y); `labels` adds −max and +max below its ends
 * and 0 above its middle, so the three never collide even where the page enlarges chart text
 * on a narrow panel (frame.ts, --chart-text-scale).
 */
export function divergingLegend(x: number, y: number, width: number, max: number, labels = true): string {
  const steps = 9;
  const w = width / (2 * steps + 1);
  let out = '';
  for (let k = -steps; k <= steps; k++) {
    out += el('rect', {
      x: x + (k + steps) * w,
      y,
      width: w + 0.3,
      height: 10,
      class: k < 0 ? 'neg' : 'pos',
      'fill-opacity': Math.abs(k) / steps,
    });
  }
  out += el('rect', { class: 'ax', x, y, width, height: 10, 'stroke-opacity': 0.5 });
  // Both ends from one formatted magnitude, so they read alike (−0.0494 … 0.0494).
  const end = max > 0 ? formatValue(max) : '0';
  if (labels)
    out +=
      text({ x, y: y + 24, 'text-anchor': 'start' }, max > 0 ? `−${end}` : end) +
      text({ x: x + width / 2, y: y - 4, 'text-anchor': 'middle' }, '0') +
      text({ x: x + width, y: y + 24, 'text-anchor': 'end' }, end);
  return `<g class="key">${out}</g>`;
}

export interface HeatmapOptions extends CellsOptions {
  title: string;
  subtitle?: string;
  desc: string;
  id?: string;
  matrix: PlainMatrix;
  xLabel: string;
  yLabel: string;
}

/** Rows of a wide matrix are drawn at least this high (viewBox units), so their labels never touch. */
const MIN_ROW = 22;
/** Index labels closer than this (viewBox units) would collide, at the enlarged text of a phone too. */
const MIN_TICK_GAP = 22;

/**
 * One matrix in a 480-wide panel: cells, colour key, axis labels with index ticks. A matrix
 * limited by the height (square, tall) has the key on its right in a 480×300 panel. A wide one
 * (4 tokens × 32 dims) would be a thin strip there in a mostly empty panel: it gets the whole
 * width, rows at least MIN_ROW high, the key below, and a panel only as tall as that.
 */
export function heatmapChart(o: HeatmapOptions): string {
  const m = defaultMargins(!!o.subtitle);
  // Wide enough for both end labels side by side at 1.6× text size; a square matrix is limited
  // by the height, so the wider key does not shrink it.
  const keyW = 160;
  const fullW = PANEL.width - m.left - m.right;
  const sideW = fullW - keyW - 20;
  const fullH = PANEL.height - m.top - m.bottom;
  const { rows, cols } = o.matrix;
  const some = rows > 0 && cols > 0;
  const wide = some && sideW / cols < fullH / rows;

  const availW = wide ? fullW : sideW;
  const cell = some ? Math.min(availW / cols, fullH / rows) : 0;
  const cellH = wide ? Math.min(Math.max(cell, MIN_ROW), fullH / rows) : cell;
  const w = cols * cell;
  const h = rows * cellH;
  const x = m.left + (availW - w) / 2;
  // The key below a wide matrix: its "0" above it, clear of the x-axis label.
  const keyY = m.top + h + 64;
  const height = wide ? keyY + 36 : PANEL.height;
  const y = wide ? m.top : m.top + (fullH - h) / 2;
  const f = frame({ title: o.title, subtitle: o.subtitle, desc: o.desc, id: o.id, height });

  const max = o.max ?? maxAbs(o.matrix);
  let body = heatmapCells(o.matrix, x, y, cell, { ...o, max }, cellH);
  // Index ticks at 0 and at a round step, like imshow's axes, never closer than MIN_TICK_GAP.
  const round = (n: number) => (n <= 8 ? 1 : n <= 16 ? 4 : n <= 40 ? 8 : 16);
  const step = (n: number, size: number) => {
    let k = round(n);
    while (k * size < MIN_TICK_GAP && k < n) k *= 2;
    return k;
  };
  let ticks = '';
  for (let j = 0; j < cols; j += step(cols, cell)) ticks += text({ x: x + (j + 0.5) * cell, y: y + h + 14, 'text-anchor': 'middle' }, j);
  for (let i = 0; i < rows; i += step(rows, cellH)) ticks += text({ x: x - 5, y: y + (i + 0.5) * cellH, dy: '0.35em', 'text-anchor': 'end' }, i);
  body += `<g aria-hidden="true" class="st">${ticks}</g>`;
  body += text({ class: 'al', x: x + w / 2, y: y + h + 34, 'text-anchor': 'middle' }, o.xLabel);
  body += text({ class: 'al', transform: `translate(${num(x - 34)} ${num(y + h / 2)}) rotate(-90)`, 'text-anchor': 'middle' }, o.yLabel);
  if (wide) {
    const kx = m.left + (fullW - keyW) / 2;
    body += text({ class: 'st', x: kx - 10, y: keyY + 9, 'text-anchor': 'end' }, 'colour key');
    body += divergingLegend(kx, keyY, keyW, max);
  } else {
    const kx = f.width - m.right - keyW;
    body += text({ class: 'st', x: kx + keyW / 2, y: m.top + fullH / 2 - 36, 'text-anchor': 'middle' }, 'colour key');
    body += divergingLegend(kx, m.top + fullH / 2 - 10, keyW, max);
  }
  return f.wrap(body);
}
