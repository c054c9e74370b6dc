/**
 * Chapter 9's figures: the committed study (demos/lm/results/practice.json) with the reader's own
 * point beside it, and the memory of a training step. Pure: data in, SVG out. A point the
 * committed file does not hold (a study run at a smaller size) is left out, not invented.
 */
import type { HeldOut, PracticeMemoryResult, PracticeRun, Point, PracticeSettings } from '../../demos/index';
import { STUDIES } from '../../demos/index';
import { barChart } from './bar-chart';
import type { FigurePanel } from './figures';
import { lineChart, type LineSeries } from './line-chart';
import type { RefLine } from './reference-line';

export const nats = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : '—');
export const pm = (h: Pick<HeldOut, 'loss' | 'se'>): string => `${nats(h.loss)} ± ${Number.isFinite(h.se) ? h.se.toFixed(3) : '—'}`;
const count = (n: number): string => Math.round(n).toLocaleString('en');

const MODULE_WORD: Record<string, string> = { q_proj: 'q', k_proj: 'k', v_proj: 'v', o_proj: 'o', gate_proj: 'gate', up_proj: 'up', down_proj: 'down' };
/** "q, v", "attention (q, k, v, o)", "MLP (gate, up, down)", "all linear": how the chapter names target sets. */
export function targetsLabel(targets: readonly string[]): string {
  const has = (xs: string[]) => xs.every((x) => targets.includes(x)) && targets.length === xs.length;
  if (has(['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'])) return 'all linear';
  if (has(['q_proj', 'k_proj', 'v_proj', 'o_proj'])) return 'attention';
  if (has(['gate_proj', 'up_proj', 'down_proj'])) return 'MLP';
  return targets.map((t) => MODULE_WORD[t] ?? t).join(', ');
}

/** One point in words: "LoRA q, v · r = 8, α = 16 (α/r) · lr 0.003" or "Full fine-tuning · lr 0.001". */
export function pointLabel(s: Pick<PracticeSettings, 'method' | 'targets' | 'rank' | 'alpha' | 'scalingRule' | 'lr'>): string {
  if (s.method === 'full') return `Full fine-tuning · lr ${s.lr}`;
  return `LoRA ${targetsLabel(s.targets)} · r = ${s.rank}, α = ${s.alpha} (${s.scalingRule === 'alpha/r' ? 'α/r' : 'α/√r'}) · lr ${s.lr}`;
}

/** A committed point's settings in the shape pointLabel reads. */
export const specOf = (p: Point): Pick<PracticeSettings, 'method' | 'targets' | 'rank' | 'alpha' | 'scalingRule' | 'lr'> => ({
  method: p.spec.method, targets: p.spec.targets, rank: p.spec.rank, alpha: p.spec.alpha, scalingRule: p.spec.rslora ? 'alpha/sqrt(r)' : 'alpha/r', lr: p.spec.lr,
});

const got = (run: PracticeRun, ids: readonly string[]): Point[] => ids.flatMap((id) => (run.points[id] ? [run.points[id]!] : []));

/** The reader's point as a one-point series, where it has a place on the x axis. */
function yours(point: Point | undefined, x: (p: Point) => number, y: (p: Point) => number = (p) => p.task.loss): LineSeries[] {
  return point ? [{ label: 'Your run', x: [x(point)], y: [y(point)], slot: 3 }] : [];
}

function rowsOf(points: { name: string; p: Point }[]): Record<string, number | string>[] {
  return points.map(({ name, p }) => ({ point: name, trainable: p.trainable, heldOut: p.task.loss, se: p.task.se, austen: p.austen.loss, austenSe: p.austen.se }));
}

export function targetsPanels(run: PracticeRun, point?: Point): FigurePanel[] {
  const rank = STUDIES.targets.equalRank.map((id) => run.points[id]);
  const budget = STUDIES.targets.equalBudget.map((id) => run.points[id]);
  const names = rank.map((p, i) => (p ? targetsLabel(p.spec.targets) : budget[i] ? targetsLabel(budget[i]!.spec.targets) : '?'));
  const loss = (p?: Point) => p?.task.loss ?? NaN;
  const summary =
    `Held-out loss on the task after ${run.options.steps} steps, by where the adapters sit (${names.join(', ')}): ` +
    `at equal rank ${rank.map((p, i) => `${names[i]} ${nats(loss(p))} (${p ? count(p.trainable) : '—'} trained)`).join(', ')}; ` +
    `at an equal budget ${budget.map((p, i) => `${names[i]} ${nats(loss(p))} (r = ${p?.spec.rank ?? '—'}, ${p ? count(p.trainable) : '—'} trained)`).join(', ')}.`;
  const series = (label: string, ps: (Point | undefined)[], slot: number): LineSeries => {
    const at = ps.flatMap((p, i) => (p ? [i + 1] : []));
    return { label, x: at, y: at.map((i) => loss(ps[i - 1])), slot };
  };
  // The reader's run is a level to compare against (its modules may be none of the four sets).
  const refLines: RefLine[] = point ? [{ axis: 'y', value: point.task.loss, label: `your run ${nats(point.task.loss)}` }] : [];
  const svg = lineChart({
    title: 'Where the adapters sit',
    subtitle: 'held-out loss on the task (lower is better)',
    desc: summary,
    series: [series(`Equal rank (r = ${rank[0]?.spec.rank ?? '—'})`, rank, 0), series('Equal trainable budget', budget, 1)],
    x: { label: 'Adapted modules (every layer)', integer: true, domain: [0.6, names.length + 0.4], format: (v) => names[v - 1] ?? '', ticks: names.length },
    y: { label: 'Held-out loss' },
    refLines,
    markers: true,
    tip: (x, y, s) => `${s.label}, ${names[x - 1]}: ${nats(y)}`,
    legend: true,
  });
  const rows = rowsOf([...rank, ...budget.slice(1)].flatMap((p) => (p ? [{ name: pointLabel(specOf(p)), p }] : [])));
  return [{ svg, summary, rows }];
}

export function lrPanels(run: PracticeRun, point?: Point): FigurePanel[] {
  const lora = got(run, STUDIES.lr.lora);
  const full = got(run, STUDIES.lr.full);
  const best = (ps: Point[]) => ps.reduce<Point | undefined>((b, p) => (!b || p.task.loss < b.task.loss ? p : b), undefined);
  const bl = best(lora);
  const bf = best(full);
  const summary =
    `Held-out loss after ${run.options.steps} steps against the learning rate: LoRA (q, v, r = 8) ${lora.map((p) => `${p.spec.lr}: ${nats(p.task.loss)}`).join(', ')}; ` +
    `full fine-tuning ${full.map((p) => `${p.spec.lr}: ${nats(p.task.loss)}`).join(', ')}.` +
    (bl && bf ? ` Best rates: LoRA ${bl.spec.lr}, full fine-tuning ${bf.spec.lr}.` : '');
  const svg = lineChart({
    title: 'Each method’s best learning rate',
    subtitle: 'held-out loss against Adam’s learning rate',
    desc: summary,
    series: [
      { label: 'LoRA (q, v, r = 8)', x: lora.map((p) => p.spec.lr), y: lora.map((p) => p.task.loss), slot: 0 },
      { label: 'Full fine-tuning', x: full.map((p) => p.spec.lr), y: full.map((p) => p.task.loss), slot: 1 },
      ...yours(point, (p) => p.spec.lr),
    ],
    x: { label: 'Learning rate', log: true, base: 10 },
    y: { label: 'Held-out loss' },
    refLines: [{ axis: 'y', value: run.base.task.loss, label: 'base model', soft: true }],
    markers: true,
    tip: (x, y, s) => `${s.label}, lr ${x}: ${nats(y)}`,
    legend: true,
  });
  return [{ svg, summary, rows: rowsOf([...lora, ...full].map((p) => ({ name: pointLabel(specOf(p)), p }))) }];
}

export function rankPanels(run: PracticeRun, point?: Point): FigurePanel[] {
  const byRule = (['alpha/r', 'alpha/sqrt(r)'] as const).map((rule) => ({ rule, ps: got(run, STUDIES.rank[rule]) }));
  const summary = `Held-out loss after ${run.options.steps} steps against the rank, α = 16: ` +
    byRule.map(({ rule, ps }) => `${rule === 'alpha/r' ? 's = α/r' : 's = α/√r'} ${ps.map((p) => `r = ${p.spec.rank}: ${nats(p.task.loss)}`).join(', ')}`).join('; ') + '.';
  const svg = lineChart({
    title: 'Rank under two scaling rules',
    subtitle: 'held-out loss on the task, LoRA on q, v, α = 16',
    desc: summary,
    series: [
      ...byRule.map(({ rule, ps }, i) => ({ label: rule === 'alpha/r' ? 's = α/r' : 's = α/√r (rsLoRA)', x: ps.map((p) => p.spec.rank), y: ps.map((p) => p.task.loss), slot: i })),
      ...yours(point, (p) => p.spec.rank),
    ],
    x: { label: 'Rank r', log: true, base: 2, integer: true },
    y: { label: 'Held-out loss' },
    markers: true,
    tip: (x, y, s) => `${s.label}, r = ${x}: ${nats(y)}`,
    legend: true,
  });
  const rows = rowsOf(byRule.flatMap(({ ps }) => ps.map((p) => ({ name: pointLabel(specOf(p)), p }))));
  return [{ svg, summary, rows }];
}

export function forgettingPanels(run: PracticeRun, point?: Point): FigurePanel[] {
  const qv = run.points[STUDIES.forgetting.qv];
  const all = run.points[STUDIES.forgetting.all];
  const full = got(run, STUDIES.forgetting.full);
  const one = (label: string, p: Point | undefined, slot: number): LineSeries[] => (p ? [{ label, x: [p.task.loss], y: [p.austen.loss], slot }] : []);
  const summary =
    `Held-out loss on the new task (x) and on held-out Austen, the pretraining text (y), after ${run.options.steps} steps: base model ${nats(run.base.task.loss)}, ${nats(run.base.austen.loss)}; ` +
    [qv && `LoRA q, v ${nats(qv.task.loss)}, ${nats(qv.austen.loss)}`, all && `LoRA all linear ${nats(all.task.loss)}, ${nats(all.austen.loss)}`, ...full.map((p) => `full fine-tuning at ${p.spec.lr} ${nats(p.task.loss)}, ${nats(p.austen.loss)}`)]
      .filter(Boolean)
      .join('; ') + '.';
  const svg = lineChart({
    title: 'Learns less, forgets less',
    subtitle: 'lower-left is better on both',
    desc: summary,
    series: [
      ...one('LoRA q, v (r = 8)', qv, 0),
      ...one('LoRA all linear (r = 8)', all, 1),
      ...(full.length ? [{ label: `Full fine-tuning (${full.length} rates)`, x: full.map((p) => p.task.loss), y: full.map((p) => p.austen.loss), slot: 2 }] : []),
      ...yours(point, (p) => p.task.loss, (p) => p.austen.loss),
    ],
    x: { label: 'Held-out loss, new task' },
    y: { label: 'Held-out loss, Austen' },
    // The base model is where every run starts: the two lines cross at it.
    // (one label for both: the crossing is the base model's point)
    refLines: [
      { axis: 'x', value: run.base.task.loss, label: `base model (${nats(run.base.task.loss)}, ${nats(run.base.austen.loss)})`, soft: true },
      { axis: 'y', value: run.base.austen.loss, label: '', soft: true },
    ],
    markers: true,
    tip: (x, y, s) => `${s.label}: task ${nats(x)}, Austen ${nats(y)}`,
    legend: true,
  });
  const named = [...(qv ? [{ name: pointLabel(specOf(qv)), p: qv }] : []), ...(all ? [{ name: pointLabel(specOf(all)), p: all }] : []), ...full.map((p) => ({ name: pointLabel(specOf(p)), p }))];
  return [{ svg, summary, rows: rowsOf(named) }];
}

function curveDomain(train: number[], c: Point['curve']): [number, number] | undefined {
  const ys = [...train, ...c.flatMap((v) => [v.loss + 2 * v.se, v.loss - 2 * v.se])].filter(Number.isFinite);
  if (!ys.length) return undefined;
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  return [lo - 0.05 * (hi - lo), hi + 0.6 * (hi - lo)];
}

/** The overfitting run: training loss on the slice and the held-out curve, with ±2 standard errors. */
export function curvePanel(p: Pick<Point, 'trainLosses' | 'curve' | 'epochs'> & { spec: { steps: number; slice: number } }, title: string): FigurePanel {
  const c = p.curve;
  const low = c.reduce<(typeof c)[number] | undefined>((b, v) => (!b || v.loss < b.loss ? v : b), undefined);
  const last = c[c.length - 1];
  const summary =
    `Training on the first ${count(p.spec.slice)} characters only (${p.epochs.toFixed(0)} epochs in ${p.spec.steps} steps): the training loss falls to ${nats(p.trainLosses[p.trainLosses.length - 1] ?? NaN)}; ` +
    (low && last ? `the held-out loss is lowest at step ${low.step} (${pm(low)}) and ${nats(last.loss)} at step ${last.step}.` : 'no held-out measurement yet.');
  const svg = lineChart({
    title,
    subtitle: 'nats per character; held-out ± 2 standard errors',
    desc: summary,
    series: [
      { label: 'Training batch (the slice)', y: p.trainLosses, slot: 0 },
      { label: 'Held-out text', x: c.map((v) => v.step), y: c.map((v) => v.loss), slot: 1 },
      { label: '+2 SE', x: c.map((v) => v.step), y: c.map((v) => v.loss + 2 * v.se), slot: 2 },
      { label: '−2 SE', x: c.map((v) => v.step), y: c.map((v) => v.loss - 2 * v.se), slot: 2 },
    ].filter((s) => s.y.length > 0),
    x: { label: 'Step', integer: true, domain: [0, Math.max(1, p.spec.steps)] },
    // Head room above the curves for the legend (four entries).
    y: { label: 'Loss (nats/char)', domain: curveDomain(p.trainLosses, c) },
    tip: (x, y, s) => `${s.label}, step ${x}: ${nats(y)}`,
    maxFocusable: 20,
    legend: true,
  });
  const rows = c.map((v) => ({ step: v.step, heldOut: v.loss, se: v.se, train: p.trainLosses[v.step - 1] ?? '' }));
  return { svg, summary, rows };
}

export function evaluationPanels(run: PracticeRun, point?: Point): FigurePanel[] {
  const w = run.windowSweep;
  const summary = `The base model's held-out loss and its standard error by the number of windows: ${w.map((v) => `${v.windows}: ${pm(v)}`).join(', ')}.`;
  const se = lineChart({
    title: 'Standard error of a held-out loss',
    subtitle: 'of the base model’s held-out loss',
    desc: summary,
    series: [{ label: 'Standard error', x: w.map((v) => v.windows), y: w.map((v) => v.se), slot: 0 }],
    x: { label: 'Held-out windows (one context each)', log: true, base: 2, integer: true },
    y: { label: 'Standard error (nats)', zero: true },
    markers: true,
    tip: (x, y) => `${x} windows: SE ${y.toFixed(4)}`,
    legend: false,
  });
  const shown = point ?? run.points[STUDIES.evaluation.overfit];
  const panels: FigurePanel[] = [{ svg: se, summary, rows: w.map((v) => ({ windows: v.windows, loss: v.loss, se: v.se })) }];
  if (shown) panels.push(curvePanel(shown, point ? 'Your run: several epochs on a small slice' : 'Several epochs on a small slice'));
  return panels;
}

const GB = (b: number): string => (b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(0)} kB`);
export const bytesLabel = GB;
const KINDS = [
  ['frozen', 'Frozen weights', 'frozen'],
  ['trainable', 'Trained weights', 'trained'],
  ['activations', 'Activations kept', 'activ.'],
  ['gradients', 'Gradients', 'grads'],
  ['optimizer', 'Adam state', 'Adam'],
] as const;
const METHOD: Record<string, string> = { lora: 'LoRA', full: 'Full fine-tuning', qlora: 'QLoRA (NF4 base)' };

export function memoryPanels(r: PracticeMemoryResult): FigurePanel[] {
  const models = [...new Set(r.rows.map((row) => row.model))];
  return models.map((model, i) => {
    const rows = r.rows.filter((row) => row.model === model);
    const lora = rows.find((row) => row.method === 'lora')!;
    const full = rows.find((row) => row.method === 'full')!;
    const [B, T] = i === 0 ? [r.settings.batch, r.settings.context] : [r.settings.bigBatch, r.settings.bigContext];
    const unit = model.startsWith('7B') ? 1e9 : 1e6;
    const u = unit === 1e9 ? 'GB' : 'MB';
    const summary =
      `${model}, batch ${B} × context ${T}, float32: ` +
      rows.map((row) => `${METHOD[row.method]} ${GB(row.total)} in all (${KINDS.map(([k, name]) => `${name.toLowerCase()} ${GB(row.memory[k])}`).join(', ')}${row.memory.input ? `, one-hot input ${GB(row.memory.input)}` : ''})`).join('; ') + '.';
    const svg = barChart({
      title: `${model}: what a training step holds`,
      subtitle: `${u}, float32, batch ${B} × context ${T}`,
      desc: summary,
      series: [
        { label: 'LoRA', values: KINDS.map(([k]) => lora.memory[k] / unit) },
        { label: 'Full fine-tuning', values: KINDS.map(([k]) => full.memory[k] / unit) },
      ],
      xLabel: KINDS.map(([, , short], j) => `${j + 1} ${short}`).join(' · '),
      yLabel: u,
      tip: (j, v) => `${KINDS[j - 1]![1]}: LoRA ${(v[0] ?? 0).toFixed(2)} ${u}, full ${(v[1] ?? 0).toFixed(2)} ${u}`,
      legend: true,
    });
    return { svg, summary, rows: rows.map((row) => ({ method: METHOD[row.method]!, ...row.memory, total: row.total })) };
  });
}

export const methodName = (m: string): string => METHOD[m] ?? m;
