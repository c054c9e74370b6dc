/**
 * Matrices drawn to scale side by side with operators between them, e.g. the LoRA picture
 * "W₀  |  s · B · A = ΔW": the reader sees that B is tall and thin, A short and wide, and
 * ΔW as large as W₀. Each matrix is a diverging heatmap scaled to its own max |value|.
 */
import type { PlainMatrix } from '../../demos/index';
import { frame } from './frame';
import { divergingLegend, heatmapCells, maxAbs } from './heatmap';
import { el, text } from './svg';

export type DiagramTerm =
  | { kind: 'matrix'; name: string; caption: string; matrix: PlainMatrix }
  | { kind: 'op'; symbol: string }
  | { kind: 'gap' };

export interface MatrixDiagramOptions {
  title: string;
  subtitle?: string;
  desc: string;
  id?: string;
  terms: DiagramTerm[];
}

const OP_W = 22;
const GAP_W = 30;

export function matrixDiagram(o: MatrixDiagramOptions): string {
  const width = 480;
  const top = o.subtitle ? 60 : 44;
  const side = 12;
  const mats = o.terms.filter((t): t is Extract<DiagramTerm, { kind: 'matrix' }> => t.kind === 'matrix');
  const fixed = o.terms.reduce((s, t) => s + (t.kind === 'op' ? OP_W : t.kind === 'gap' ? GAP_W : 0), 0);
  const totalCols = mats.reduce((s, t) => s + t.matrix.cols, 0);
  const maxRows = Math.max(1, ...mats.map((t) => t.matrix.rows));
  // Cells as large as fit the width, but no matrix taller than 150 units.
  const cell = Math.min((width - 2 * side - fixed) / Math.max(1, totalCols), 150 / maxRows);
  const blockH = maxRows * cell;
  const height = Math.ceil(top + blockH + 92);
  const f = frame({ title: o.title, subtitle: o.subtitle, desc: o.desc, id: o.id, width, height });
  const used = totalCols * cell + fixed;
  let x = (width - used) / 2;
  const midY = top + blockH / 2;
  let body = '';
  for (const t of o.terms) {
    if (t.kind === 'gap') {
      body += el('path', { class: 'gr', d: `M${x + GAP_W / 2} ${top - 6}V${top + blockH + 40}` });
      x += GAP_W;
      continue;
    }
    if (t.kind === 'op') {
      body += text({ class: 't', x: x + OP_W / 2, y: midY, dy: '0.35em', 'text-anchor': 'middle' }, t.symbol);
      x += OP_W;
      continue;
    }
    const { rows, cols } = t.matrix;
    const w = cols * cell;
    const h = rows * cell;
    const y = midY - h / 2;
    const max = maxAbs(t.matrix);
    body += heatmapCells(t.matrix, x, y, cell, { name: t.name, max });
    const cx = x + w / 2;
    const capY = top + blockH + 18;
    body += text({ class: 'al', x: cx, y: capY, 'text-anchor': 'middle' }, t.name);
    body += text({ class: 'st', x: cx, y: capY + 15, 'text-anchor': 'middle' }, `${rows}×${cols}`);
    // The value range is in the tip and the summary; a caption only where it says more.
    const caption = max > 0 ? t.caption : 'all zeros';
    if (caption) body += text({ class: 'st', x: cx, y: capY + 29, 'text-anchor': 'middle' }, caption);
    x += w;
  }
  const keyW = 150;
  const ky = height - 30;
  body += text({ class: 'st', x: width / 2 - keyW / 2 - 8, y: ky + 8, 'text-anchor': 'end' }, '−max');
  body += divergingLegend(width / 2 - keyW / 2, ky, keyW, 0, false);
  body += text({ class: 'st', x: width / 2 + keyW / 2 + 8, y: ky + 8, 'text-anchor': 'start' }, '+max (per matrix)');
  return f.wrap(body);
}
