/**
 * Chapter 10's figures: the variants' training losses side by side (a moving average, since one
 * batch's loss is noisy), and the merging lab's held-out losses of the base, each task adapter
 * and their combination on both tasks. Pure: data in, SVG out; partial results draw too.
 */
import type { AdapterArithmeticResult, LoraVariantsResult } from '../../demos/index';
import { variantLabel } from '../../demos/index';
import { barChart } from './bar-chart';
import type { FigurePanel } from './figures';
import { lineChart } from './line-chart';

const nats = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');

/** Mean of the last `w` values at each step (fewer at the start): the trend under the batch noise. */
export function movingAverage(y: readonly number[], w: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    sum += y[i]!;
    if (i >= w) sum -= y[i - w]!;
    out.push(sum / Math.min(i + 1, w));
  }
  return out;
}

export const SMOOTHING = 20;

export function variantsFigure(r: LoraVariantsResult): FigurePanel[] {
  const s = r.settings;
  const series = r.rows.map((row) => ({ label: variantLabel(row.id, s), y: movingAverage(row.trainLosses, SMOOTHING) }));
  const done = r.rows.filter((row) => Number.isFinite(row.valAfter));
  const best = done.length ? done.reduce((a, b) => (b.valAfter < a.valAfter ? b : a)) : undefined;
  const summary = r.rows.length
    ? `Training loss (mean of the last ${SMOOTHING} batches) of ${r.rows.length} variant(s) over ${s.steps} steps on the same batches.` +
      (best ? ` Lowest held-out loss after training: ${variantLabel(best.id, s)}, ${nats(best.valAfter)} nats per character.` : '')
    : 'No variant has trained yet.';
  const svg = lineChart({
    title: 'The variants, trained side by side',
    subtitle: `training loss, mean of the last ${SMOOTHING} batches`,
    desc: summary,
    series,
    x: { label: 'Step', integer: true, domain: [0, Math.max(1, s.steps)] },
    y: { label: 'Loss (nats/char)' },
    tip: (x, y, ser) => `${ser.label}, step ${x}: ${nats(y)} nats/char (mean of the last ${SMOOTHING})`,
    maxFocusable: 20,
    id: 'variants-loss',
  });
  const rows: Record<string, number | string>[] = r.rows.flatMap((row) => row.trainLosses.map((loss, step) => ({ variant: row.id, step, loss })));
  return [{ svg, summary, rows }];
}

export const TASK_NAMES: Record<string, string> = { devil: "Devil's Dictionary", sotu: 'State of the Union' };
export const ROW_NAMES: Record<string, string> = { base: 'Base model', devil: "Devil's Dictionary adapter", sotu: 'State of the Union adapter', combined: 'Combined adapter' };

export function arithmeticFigure(r: AdapterArithmeticResult): FigurePanel[] {
  const [t1, t2] = r.tasks;
  const combined = r.rows.find((row) => row.adapter === 'combined');
  const summary = combined
    ? `Held-out loss of the base model, each task adapter and the ${r.settings.combination} combination: the combination scores ${nats(combined.valLoss[0]!)} on ${TASK_NAMES[t1!]} and ${nats(combined.valLoss[1]!)} on ${TASK_NAMES[t2!]}.`
    : 'Not evaluated yet.';
  const svg = barChart({
    title: 'Both tasks, before and after combining',
    subtitle: '1 base · 2 Devil · 3 State of the Union · 4 combined',
    desc: summary,
    series: [
      { label: `${TASK_NAMES[t1!]} held-out`, values: r.rows.map((row) => row.valLoss[0]!) },
      { label: `${TASK_NAMES[t2!]} held-out`, values: r.rows.map((row) => row.valLoss[1]!) },
    ],
    xLabel: 'Weights',
    yLabel: 'Loss (nats/char)',
    tip: (i, values) => `${ROW_NAMES[r.rows[i - 1]?.adapter ?? ''] ?? ''}: ${values.map((v, k) => `${TASK_NAMES[r.tasks[k]!]} ${nats(v ?? NaN)}`).join(', ')}`,
    legend: true,
    id: 'arithmetic-loss',
  });
  const rows = r.rows.map((row) => ({ weights: row.adapter, ...Object.fromEntries(r.tasks.map((t, k) => [t, row.valLoss[k]!])) }));
  return [{ svg, summary, rows }];
}
