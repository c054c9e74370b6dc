/**
 * Chapter 10's figures: the variants' training losses side by side (a moving average, since one
 * batch's loss is noisy), and the merging lab's held-out losses of the base, each task adapter
 * and their combination on both tasks. Pure: data in, SVG out; partial results draw too.
 */
import type { AdapterArithmeticResult, LoraVariantsResult } from '../../demos/index';
import { variantLabel } from '../../demos/index';
import type { FigurePanel } from './figures';
import { dumbbellChart } from './dumbbell';
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
  const done = r.rows.filter((row) => Number.isFinite(row.valAfter));
  const best = done.length ? done.reduce((a, b) => (b.valAfter < a.valAfter ? b : a)) : undefined;
  const summary = r.rows.length
    ? `Held-out loss before and after ${s.steps} steps for ${done.length} of ${s.variants.length} variant(s), same task, batches and held-out windows.` +
      (best ? ` Lowest after training: ${variantLabel(best.id, s)}, ${nats(best.valAfter)} nats per character.` : '')
    : 'No variant has trained yet.';
  const svg = dumbbellChart({
    title: 'Held-out loss, before and after training',
    subtitle: `${s.steps} steps each, nats per character`,
    desc: summary,
    rows: r.rows.map((row) => ({ label: variantLabel(row.id, s), from: row.valBefore, to: row.valAfter })),
    xLabel: 'Held-out loss (nats/char)',
    fromLabel: 'before training',
    toLabel: 'after training',
    tip: (row) => `${row.label}: ${nats(row.from)} → ${nats(row.to)} nats/char`,
    id: 'variants-held-out',
  });
  const panels: FigurePanel[] = [{ svg, summary, rows: r.rows.map((row) => ({ variant: row.id, before: row.valBefore, after: row.valAfter })) }];
  // While a variant trains: its training loss so far (mean of the last batches), so the run shows movement.
  const running = r.running ? r.rows.find((row) => row.id === r.running) : undefined;
  if (running) {
    const label = variantLabel(running.id, s);
    const runSummary = `${label}: training loss over ${running.trainLosses.length} of ${s.steps} steps (mean of the last ${SMOOTHING} batches).`;
    panels.push({
      svg: lineChart({
        title: `${label}, training`,
        subtitle: `training loss, mean of the last ${SMOOTHING} batches`,
        desc: runSummary,
        series: [{ label, y: movingAverage(running.trainLosses, SMOOTHING) }],
        x: { label: 'Step', integer: true, domain: [0, Math.max(1, s.steps)] },
        y: { label: 'Loss (nats/char)' },
        tip: (x, y) => `step ${x}: ${nats(y)} nats/char`,
        maxFocusable: 20,
        id: 'variants-training',
      }),
      summary: runSummary,
      rows: running.trainLosses.map((loss, step) => ({ step, loss })),
    });
  }
  return panels;
}

export const TASK_NAMES: Record<string, string> = { devil: "Devil's Dictionary", sotu: 'State of the Union' };
/** The chart's row labels (short: they share 480 px with the plot on a phone). */
const SHORT_NAMES: Record<string, string> = { base: 'Base', devil: 'Devil adapter', sotu: 'SotU adapter', own: 'Your adapter', combined: 'Combined' };
export const ROW_NAMES: Record<string, string> = { base: 'Base model', devil: "Devil's Dictionary adapter", sotu: 'State of the Union adapter', combined: 'Combined adapter' };

export function arithmeticFigure(r: AdapterArithmeticResult): FigurePanel[] {
  const [t1, t2] = r.tasks;
  const combined = r.rows.find((row) => row.adapter === 'combined');
  const summary = combined
    ? `Held-out loss of the base model, each task adapter and the ${r.settings.combination} combination: the combination scores ${nats(combined.valLoss[0]!)} on ${TASK_NAMES[t1!]} and ${nats(combined.valLoss[1]!)} on ${TASK_NAMES[t2!]}.`
    : 'Not evaluated yet.';
  const svg = dumbbellChart({
    title: 'Both tasks, before and after combining',
    subtitle: `${r.settings.combination}, weights ${r.settings.weights.join(', ')}: held-out loss, nats per character`,
    desc: summary,
    rows: r.rows.map((row) => ({ label: SHORT_NAMES[row.adapter] ?? row.adapter, from: row.valLoss[0]!, to: row.valLoss[1]! })),
    xLabel: 'Held-out loss (nats/char)',
    fromLabel: `${TASK_NAMES[t1!]} text`,
    toLabel: `${TASK_NAMES[t2!]} text`,
    tip: (row) => `${row.label}: ${TASK_NAMES[t1!]} ${nats(row.from)}, ${TASK_NAMES[t2!]} ${nats(row.to)}`,
    id: 'arithmetic-loss',
  });
  const rows = r.rows.map((row) => ({ weights: row.adapter, ...Object.fromEntries(r.tasks.map((t, k) => [t, row.valLoss[k]!])) }));
  return [{ svg, summary, rows }];
}
