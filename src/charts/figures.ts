/**
 * The notebook's figures: one function per experiment result, returning the panels to show
 * side by side. Each panel is a complete SVG plus a plain-text summary computed from the data
 * (for screen readers and the figure caption) and the plotted rows (for the CSV download).
 *
 * Every function also accepts partial data (a run in progress, rows still missing) and
 * renders what is there.
 */
import type {
  ImplementationResult,
  LowRankResult,
  MergingResult,
  RankSweepResult,
  TrainingSettings,
} from '../../demos/index';
import { barChart } from './bar-chart';
import { heatmapChart } from './heatmap';
import { lineChart } from './line-chart';
import { matrixDiagram } from './matrix-diagram';
import { formatCount, formatLoss, formatValue } from './svg';

export interface FigurePanel {
  /** Complete <svg> markup (viewBox, role="img", title, desc). */
  svg: string;
  /**
   * The same content as HTML, for panels too narrow for the drawing's text (text that is the
   * result itself, like chapter 8's continuations): the page shows one of the two, by the
   * panel's width (global.css); downloads are the SVG.
   */
  html?: string;
  /** Plain-text description of what the data shows. */
  summary: string;
  /** The plotted data, one object per row (for toCsv). */
  rows: Record<string, number | string>[];
}

const sub = (i: number) => String(i).replace(/\d/g, (c) => '₀₁₂₃₄₅₆₇₈₉'[Number(c)] ?? c);
const range = (xs: number[]) =>
  xs.length === 0 ? '' : `${formatValue(Math.min(...xs))} and ${formatValue(Math.max(...xs))}`;

/** "the first 4 are between 0.45 and 0.71, the rest at most 0.0155". */
function spectrumSentence(sv: number[], k: number): string {
  const head = sv.slice(0, k).filter(Number.isFinite);
  const tail = sv.slice(k).filter(Number.isFinite);
  if (head.length === 0) return 'no values yet';
  const first = k === 1 ? `the first is ${formatValue(head[0] as number)}` : `the first ${head.length} are between ${range(head)}`;
  return tail.length ? `${first}, the other ${tail.length} at most ${formatValue(Math.max(...tail))}` : first;
}

// §1 -------------------------------------------------------------------------------------

export function lowRankFigure(r: LowRankResult): FigurePanel[] {
  const { trueRank, d, k } = r.settings;
  const sv = r.singularValues;
  const n = sv.length;
  const svSummary = `Singular values of ΔW (${d}×${k}, true rank ${trueRank}): ${spectrumSentence(sv, trueRank)}.`;
  const bars: FigurePanel = {
    svg: barChart({
      title: 'Singular values of ΔW',
      subtitle: 'a sharp drop after the true rank → low-rank structure',
      desc: svSummary,
      series: [{ label: 'σᵢ', values: sv }],
      xLabel: 'Singular value index i',
      yLabel: 'Magnitude σᵢ',
      refLines: trueRank < n ? [{ axis: 'x', value: trueRank + 0.5, label: `true rank = ${trueRank}` }] : [],
      tip: (i, [v]) => `σ${sub(i)} = ${formatValue(v ?? NaN)}`,
    }),
    summary: svSummary,
    rows: sv.map((v, i) => ({ index: i + 1, singularValue: v })),
  };

  const ranks = r.relErrors.map((_, i) => i + 1);
  const errAt = r.relErrors[trueRank - 1];
  const errSummary =
    errAt === undefined
      ? 'Relative reconstruction error by rank: no values yet.'
      : `Relative reconstruction error ‖ΔW − ΔW_r‖/‖ΔW‖: ${formatValue(r.relErrors[0] ?? NaN)} at r = 1, ${formatValue(errAt)} at r = ${trueRank}` +
        `${n > trueRank ? `, ${formatValue(r.relErrors[n - 2] ?? NaN)} at r = ${n - 1}` : ''} (log scale).`;
  const errors: FigurePanel = {
    svg: lineChart({
      title: 'Reconstruction error vs rank',
      subtitle: `keeping ${trueRank} singular values captures almost everything`,
      desc: errSummary,
      series: [{ label: 'relative error', x: ranks, y: r.relErrors }],
      x: { label: 'Rank r of the approximation', integer: true, domain: [1, Math.max(2, n)] },
      y: { label: 'Relative error (log)', log: true },
      refLines: [{ axis: 'x', value: trueRank, label: `r = ${trueRank}` }],
      tip: (x, y) => `r = ${x}: error ${formatValue(y)}`,
    }),
    summary: errSummary,
    rows: r.relErrors.map((e, i) => ({ rank: i + 1, relativeError: e })),
  };

  const e1 = r.energy[0];
  const eK = r.energy[trueRank - 1];
  const energySummary =
    e1 === undefined
      ? 'Cumulative energy: no values yet.'
      : `Cumulative energy (fraction of Σσ² explained): ${formatValue(e1)} with one value` +
        `${eK !== undefined && trueRank > 1 ? `, ${formatValue(eK)} with ${trueRank}` : ''}; 99 % is reached at r = ${r.rankFor99}.`;
  const energy: FigurePanel = {
    svg: lineChart({
      title: 'Cumulative variance explained',
      subtitle: r.rankFor99 > 0 ? `99 % reached with ${r.rankFor99} singular value${r.rankFor99 === 1 ? '' : 's'}` : '99 % line',
      desc: energySummary,
      series: [{ label: 'energy', x: r.energy.map((_, i) => i + 1), y: r.energy }],
      x: { label: 'Number of singular values kept', integer: true, domain: [1, Math.max(2, n)] },
      y: { label: 'Fraction explained', domain: [Math.min(0.99, ...r.energy.filter(Number.isFinite)) - 0.02, 1.005] },
      refLines: [
        { axis: 'y', value: 0.99, label: '99 %', soft: true },
        { axis: 'x', value: trueRank, label: `r = ${trueRank}` },
      ],
      tip: (x, y) => `${x} value${x === 1 ? '' : 's'}: ${(y * 100).toFixed(3)} %`,
    }),
    summary: energySummary,
    rows: r.energy.map((e, i) => ({ kept: i + 1, energy: e })),
  };
  return [bars, errors, energy];
}

// §2 -------------------------------------------------------------------------------------

export function implementationFigure(r: ImplementationResult): FigurePanel[] {
  const { w0, a, b, deltaW } = r.matrices;
  const s = r.settings;
  const zero = (m: { data: number[] }) => m.data.every((v) => v === 0);
  const describe = (name: string, m: { rows: number; cols: number; data: number[] }) =>
    zero(m) ? `${name} (${m.rows}×${m.cols}) is all zeros` : `${name} (${m.rows}×${m.cols}) has values between ${range(m.data.filter(Number.isFinite))}`;
  const summary =
    `${describe('W₀', w0)} and stays frozen; ${describe('B', b)}; ${describe('A', a)}; ${describe('ΔW = s·B·A', deltaW)}` +
    `${zero(deltaW) ? ', so the adapter starts as a no-op' : ''}. ` +
    `Trainable parameters: ${formatCount(r.params.trainable)} of ${formatCount(r.params.frozen)} (${r.params.reduction.toFixed(1)}× fewer), s = α/r = ${formatValue(r.scaling)}.`;
  const svg = matrixDiagram({
    title: `LoRA layer, rank ${s.rank}`,
    subtitle: `h = W₀x + s·B·A·x with s = ${s.scalingRule === 'alpha/r' ? 'α/r' : 'α/√r'} = ${formatValue(r.scaling)}`,
    desc: summary,
    terms: [
      { kind: 'matrix', name: 'W₀', caption: 'frozen', matrix: w0 },
      { kind: 'gap' },
      { kind: 'op', symbol: 's·' },
      { kind: 'matrix', name: 'B', caption: '', matrix: b },
      { kind: 'op', symbol: '·' },
      { kind: 'matrix', name: 'A', caption: '', matrix: a },
      { kind: 'op', symbol: '=' },
      { kind: 'matrix', name: 'ΔW', caption: '', matrix: deltaW },
    ],
  });
  const rows = [
    { matrix: 'W0', shape: `${w0.rows}x${w0.cols}`, parameters: r.params.frozen, trainable: 'no' },
    { matrix: 'A', shape: `${a.rows}x${a.cols}`, parameters: r.params.a, trainable: 'yes' },
    { matrix: 'B', shape: `${b.rows}x${b.cols}`, parameters: r.params.b, trainable: 'yes' },
  ];
  return [{ svg, summary, rows }];
}

// §3 -------------------------------------------------------------------------------------

/** What §3's figure reads: a TrainingResult, finished or in progress (shorter curves). */
export interface LossCurves {
  settings: Pick<TrainingSettings, 'epochs' | 'rank' | 'dModel'>;
  lora: { losses: number[]; params?: number };
  full: { losses: number[]; params?: number };
}

export function trainingFigure(r: LossCurves): FigurePanel[] {
  const { epochs, rank, dModel } = r.settings;
  const loraParams = r.lora.params ?? 2 * rank * dModel;
  const fullParams = r.full.params ?? dModel * dModel;
  const done = Math.max(r.lora.losses.length, r.full.losses.length);
  const last = (xs: number[]) => {
    for (let i = xs.length - 1; i >= 0; i--) if (Number.isFinite(xs[i])) return xs[i] as number;
    return undefined;
  };
  const lf = last(r.lora.losses);
  const ff = last(r.full.losses);
  const start = r.full.losses[0] ?? r.lora.losses[0];
  const summary =
    done === 0
      ? `Loss curves of LoRA (rank ${rank}, ${loraParams} parameters) and full fine-tuning (${fullParams} parameters): not run yet.`
      : `MSE loss after ${done} of ${epochs} epochs (log scale): ` +
        `full fine-tuning (${formatCount(fullParams)} parameters) ${ff === undefined ? 'not started' : formatLoss(ff)}, ` +
        `LoRA rank ${rank} (${formatCount(loraParams)} parameters) ${lf === undefined ? 'not started' : formatLoss(lf)}` +
        `${start !== undefined ? `; both start at ${formatLoss(start)}` : ''}.`;
  const svg = lineChart({
    title: 'LoRA vs full fine-tuning',
    subtitle: 'training loss per epoch, log scale',
    desc: summary,
    series: [
      { label: `Full fine-tuning (${formatCount(fullParams)} params)`, y: r.full.losses },
      { label: `LoRA r = ${rank} (${formatCount(loraParams)} params)`, y: r.lora.losses },
    ],
    x: { label: 'Epoch', integer: true, domain: [0, Math.max(1, epochs)] },
    y: { label: 'MSE loss (log)', log: true },
    tip: (x, y, s) => `${s.label.split(' (')[0]}, epoch ${x}: loss ${formatLoss(y)}`,
    maxFocusable: 20,
  });
  const rows = Array.from({ length: done }, (_, t) => ({
    epoch: t,
    lossFull: r.full.losses[t] ?? '',
    lossLora: r.lora.losses[t] ?? '',
  }));
  return [{ svg, summary, rows }];
}

// §4 -------------------------------------------------------------------------------------

/** Values above this fraction of σ₁ count as nonzero (float32 round-off is ~1e-7·σ₁). */
const NUMERIC_ZERO = 1e-4;
const numericRank = (sv: number[]) => sv.filter((v) => v > (sv[0] ?? 0) * NUMERIC_ZERO).length;

export function mergingFigure(r: MergingResult): FigurePanel[] {
  const { deltaW, rank } = r;
  const d = deltaW.rows;
  const heatSummary = `Learned ΔW = s·B·A (${deltaW.rows}×${deltaW.cols}, rank ${rank}): values between ${range(deltaW.data.filter(Number.isFinite))}.`;
  const heat: FigurePanel = {
    svg: heatmapChart({
      title: 'Learned ΔW = s·B·A',
      subtitle: `rank ${rank}, ${deltaW.rows}×${deltaW.cols}, colour centred on 0`,
      desc: heatSummary,
      matrix: deltaW,
      name: 'ΔW',
      xLabel: 'Input dim',
      yLabel: 'Output dim',
    }),
    summary: heatSummary,
    rows: deltaW.data.map((v, idx) => ({ row: Math.floor(idx / deltaW.cols), col: idx % deltaW.cols, value: v })),
  };

  const count = Math.min(r.spectrumLora.length, Math.max(20, rank + 8));
  const lora = r.spectrumLora.slice(0, count);
  const nr = numericRank(r.spectrumLora);
  const specSummary = `Singular values of the learned ΔW: ${spectrumSentence(lora, rank)}; ${nr} of ${r.spectrumLora.length} are above ${NUMERIC_ZERO}·σ₁, so ΔW has rank ${nr}.`;
  const spectrum: FigurePanel = {
    svg: barChart({
      title: 'Singular values of learned ΔW',
      subtitle: nr === rank ? `exactly rank ${rank}` : `numerical rank ${nr} (adapter rank ${rank})`,
      desc: specSummary,
      series: [{ label: 'LoRA ΔW', values: lora }],
      xLabel: `Singular value index i (first ${count} of ${d})`,
      yLabel: 'Magnitude σᵢ',
      refLines: rank < count ? [{ axis: 'x', value: rank + 0.5, label: `rank boundary (r = ${rank})` }] : [],
      tip: (i, [v]) => `σ${sub(i)} = ${formatValue(v ?? NaN)}`,
    }),
    summary: specSummary,
    rows: r.spectrumLora.map((v, i) => ({ index: i + 1, singularValue: v })),
  };

  const full = r.spectrumFull.slice(0, count);
  const nf = numericRank(r.spectrumFull);
  const cmpSummary =
    `Full fine-tuning's ΔW has ${nf} singular values above ${NUMERIC_ZERO}·σ₁ (largest ${formatValue(full[0] ?? NaN)}); ` +
    `LoRA's has ${nr} (largest ${formatValue(lora[0] ?? NaN)}).`;
  const compare: FigurePanel = {
    svg: barChart({
      title: 'Rank of ΔW: full fine-tuning vs LoRA',
      subtitle: `first ${count} singular values`,
      desc: cmpSummary,
      series: [
        { label: 'Full FT ΔW', values: full },
        { label: `LoRA ΔW (r = ${rank})`, values: lora },
      ],
      xLabel: 'Singular value index i',
      yLabel: 'Magnitude σᵢ',
      tip: (i, [f, l]) => `σ${sub(i)}: full FT ${formatValue(f ?? NaN)}, LoRA ${formatValue(l ?? NaN)}`,
    }),
    summary: cmpSummary,
    rows: r.spectrumFull.map((v, i) => ({ index: i + 1, full: v, lora: r.spectrumLora[i] ?? '' })),
  };
  return [heat, spectrum, compare];
}

// §5 -------------------------------------------------------------------------------------

export function rankFigure(r: RankSweepResult): FigurePanel[] {
  const s = r.settings;
  const rows = [...r.rows].sort((p, q) => p.rank - q.rank);
  const ranks = s.ranks.length ? s.ranks : rows.map((x) => x.rank);
  const rLo = Math.min(...ranks, ...rows.map((x) => x.rank));
  const rHi = Math.max(...ranks, ...rows.map((x) => x.rank));
  const paramsOf = (rank: number) => 2 * rank * s.dModel;
  const pLo = Math.min(paramsOf(rLo), ...rows.map((x) => x.params));
  const pHi = Math.max(paramsOf(rHi), r.fullParams, ...rows.map((x) => x.params));
  const best = rows.reduce<(typeof rows)[number] | undefined>((b, x) => (b && b.finalLoss <= x.finalLoss ? b : x), undefined);
  const progress = rows.length < ranks.length ? ` (${rows.length} of ${ranks.length} ranks finished)` : '';
  const summary =
    rows.length === 0
      ? `Final loss by LoRA rank: no rank finished yet (ranks ${ranks.join(', ')}).`
      : `Final loss by LoRA rank${progress}: ${rows.map((x) => `r = ${x.rank}: ${formatLoss(x.finalLoss)}`).join('; ')}. ` +
        `Lowest at r = ${best?.rank} (${formatCount(best?.params ?? 0)} parameters); full fine-tuning has ${formatCount(r.fullParams)}.`;
  const ySpec = { label: 'Final loss (log)', log: true } as const;
  const bits = Math.log2(rHi / rLo);
  const byRank = lineChart({
    title: 'Final loss vs LoRA rank',
    subtitle: `rank on a log₂ axis; target has rank ${s.targetRank}`,
    desc: summary,
    series: [{ label: 'final loss', x: rows.map((x) => x.rank), y: rows.map((x) => x.finalLoss) }],
    x: { label: 'LoRA rank r', log: true, base: 2, domain: [rLo / 1.25, rHi * 1.25], ticks: Math.ceil(bits) + 1 },
    y: ySpec,
    markers: true,
    refLines: [{ axis: 'x', value: s.targetRank, label: `true rank of target = ${s.targetRank}` }],
    tip: (x, y) => `r = ${x}: final loss ${formatLoss(y)} (${formatCount(paramsOf(x))} params)`,
  });
  const byParams = lineChart({
    title: 'Final loss vs parameter count',
    subtitle: 'trainable parameters on a log₂ axis',
    desc: summary,
    series: [{ label: 'final loss', x: rows.map((x) => x.params), y: rows.map((x) => x.finalLoss) }],
    x: { label: 'Trainable parameters', log: true, base: 2, domain: [pLo / 1.25, pHi * 1.25], ticks: Math.ceil(Math.log2(pHi / pLo)) + 1 },
    y: ySpec,
    markers: true,
    refLines: [{ axis: 'x', value: r.fullParams, label: `full FT (${formatCount(r.fullParams)} params)`, soft: true }],
    tip: (x, y) => `${formatCount(x)} params: final loss ${formatLoss(y)}`,
  });
  const table = rows.map((x) => ({ rank: x.rank, finalLoss: x.finalLoss, params: x.params, percentOfFull: x.percentOfFull }));
  return [
    { svg: byRank, summary, rows: table },
    { svg: byParams, summary, rows: table },
  ];
}
