/**
 * What a demo shows for a result: figure panels, the notebook's printout and, where the notebook
 * prints a table, that table. Pure (no DOM): Demo.astro renders it at build time and the
 * islands render it live from the same result shape, so the markup — and its box — match.
 */
import type {
  AdapterChoice,
  AdaptersResult,
  ImplementationResult,
  LowRankResult,
  MergingResult,
  RankSweepResult,
  SavingsTable,
  TrainingResult,
} from '../../demos/experiments/types';
import {
  formatAdapters,
  formatComparison,
  formatImplementation,
  formatLoraTraining,
  formatMerging,
  formatRankSweep,
  formatSavings,
  formatTrainingTask,
} from '../../demos/experiments/printout';
import { barChart } from '../charts/bar-chart';
import { implementationFigure, lowRankFigure, mergingFigure, rankFigure, trainingFigure, type FigurePanel, type TrainingProgress } from '../charts/figures';
import { heatmapChart, maxAbs } from '../charts/heatmap';
import { formatCount, formatValue } from '../charts/svg';

export interface Table {
  caption: string;
  head: string[];
  rows: (string | number)[][];
}
export interface View {
  panels: FigurePanel[];
  /** The notebook's printed lines for this result (monospace). */
  printout: string;
  tables?: Table[];
}

/** The result each demo id holds (savings: the calculator's tables). */
export interface DemoResults {
  lowrank: LowRankResult;
  implementation: ImplementationResult;
  training: TrainingResult;
  merging: MergingResult;
  rank: RankSweepResult;
  adapters: AdaptersResult;
  savings: SavingsTable[];
}
/** UI state that changes the picture but not the computation. */
export interface ViewOptions {
  mergingView?: 'separate' | 'merged';
  adapter?: AdapterChoice;
}

export function lowRankView(r: LowRankResult): View {
  const { d, k, trueRank, noise } = r.settings;
  const printout = [
    `ΔW: ${d}x${k}, true rank ${trueRank}, noise ${noise}`,
    `  σ_1 = ${formatValue(r.singularValues[0] ?? NaN)}, σ_${trueRank} = ${formatValue(r.singularValues[trueRank - 1] ?? NaN)}, σ_${trueRank + 1} = ${formatValue(r.singularValues[trueRank] ?? NaN)}`,
    `  relative error at r = ${trueRank}: ${formatValue(r.relErrors[trueRank - 1] ?? NaN)}`,
    `  99% of the energy with r = ${r.rankFor99}`,
  ].join('\n');
  return { panels: lowRankFigure(r), printout };
}

export function implementationView(r: ImplementationResult): View {
  const panels = implementationFigure(r);
  const rows = panels[0]?.rows ?? [];
  return {
    panels,
    printout: formatImplementation(r),
    tables: [
      {
        caption: 'Shapes and parameter counts',
        head: ['Matrix', 'Shape', 'Parameters', 'Trained'],
        rows: rows.map((x) => [String(x.matrix).replace('W0', 'W₀'), String(x.shape).replace('x', '×'), formatCount(Number(x.parameters)), String(x.trainable)]),
      },
    ],
  };
}

/** A run in progress has curves but no checkpoints yet: show only what is there. */
export function trainingView(r: TrainingResult | TrainingProgress): View {
  const panels = trainingFigure(r);
  const done = 'checkpoints' in r && 'info' in r;
  return {
    panels,
    printout: done ? [formatTrainingTask(r.settings), '', formatLoraTraining(r), '', formatComparison(r)].join('\n') : '',
  };
}

export function mergingView(r: MergingResult, o: ViewOptions = {}): View {
  const which = o.mergingView ?? 'separate';
  const out = which === 'merged' ? r.outMerged : r.outSeparate;
  // One colour scale for both paths, so toggling shows that nothing changes.
  const max = Math.max(maxAbs(r.outSeparate), maxAbs(r.outMerged));
  const desc =
    `Output of the ${r.outSeparate.rows} test tokens through the ${which === 'merged' ? 'merged weight W₀ + s·B·A (one matmul)' : 'separate path W₀x + s·B·A·x (two matmuls)'}; ` +
    `the largest difference between the two paths is ${formatValue(r.maxDiff)}.`;
  const output: FigurePanel = {
    svg: heatmapChart({
      title: which === 'merged' ? 'Output with merged weights' : 'Output with a separate adapter',
      subtitle: `max |separate − merged| = ${formatValue(r.maxDiff)} (${r.equal ? 'equal' : 'not equal'} at 1e-5)`,
      desc,
      matrix: out,
      max,
      name: 'h',
      xLabel: 'Output dim',
      yLabel: 'Token',
      id: 'merging-output',
    }),
    summary: desc,
    rows: out.data.map((v, i) => ({ token: Math.floor(i / out.cols), dim: i % out.cols, separate: r.outSeparate.data[i] ?? '', merged: r.outMerged.data[i] ?? '' })),
  };
  return { panels: [output, ...mergingFigure(r)], printout: formatMerging(r) };
}

export function rankView(r: RankSweepResult): View {
  return { panels: rankFigure(r), printout: r.rows.length ? formatRankSweep(r) : '' };
}

const ADAPTER_LABEL: Record<AdapterChoice, string> = { none: 'Base model', taskA: '+ Task A', taskB: '+ Task B' };

export function adaptersView(r: AdaptersResult, o: ViewOptions = {}): View {
  const pick = o.adapter ?? 'taskA';
  const order: AdapterChoice[] = ['none', 'taskA', 'taskB'];
  const summary =
    `Output norm ‖h‖ for the test input: ${order.map((c) => `${ADAPTER_LABEL[c].replace('+ ', 'with ')} ${formatValue(r.norms[c])}`).join(', ')}. ` +
    `Selected: ${ADAPTER_LABEL[pick]}.`;
  const norms: FigurePanel = {
    svg: barChart({
      title: 'Output norm per adapter',
      subtitle: `same frozen W, adapter switched; selected: ${ADAPTER_LABEL[pick]}`,
      desc: summary,
      series: [{ label: '‖h‖', values: order.map((c) => r.norms[c]) }],
      xLabel: '1 = base model, 2 = task A, 3 = task B',
      yLabel: 'Output norm ‖h‖',
      tip: (i, [v]) => `${ADAPTER_LABEL[order[i - 1] ?? 'none']}: ‖h‖ = ${formatValue(v ?? NaN)}`,
      id: 'adapters-norms',
    }),
    summary,
    rows: order.map((c) => ({ adapter: c, norm: r.norms[c] })),
  };
  const out = r.outputs[pick];
  const max = Math.max(...order.map((c) => maxAbs(r.outputs[c])));
  const outDesc = `Output h of the ${out.rows} test tokens with ${ADAPTER_LABEL[pick].replace('+ ', '')} (‖h‖ = ${formatValue(r.norms[pick])}).`;
  const output: FigurePanel = {
    svg: heatmapChart({
      title: `Output h: ${ADAPTER_LABEL[pick].replace('+ ', 'with ')}`,
      subtitle: `‖h‖ = ${formatValue(r.norms[pick])}; colour scale shared by all three`,
      desc: outDesc,
      matrix: out,
      max,
      name: 'h',
      xLabel: 'Output dim',
      yLabel: 'Token',
      id: 'adapters-output',
    }),
    summary: outDesc,
    rows: out.data.map((v, i) => ({ token: Math.floor(i / out.cols), dim: i % out.cols, value: v })),
  };
  return { panels: [norms, output], printout: formatAdapters(r) };
}

export function savingsView(tables: SavingsTable[]): View {
  const millions = (n: number) => `${(n / 1e6).toFixed(2)}M`;
  return {
    panels: [],
    printout: formatSavings(tables),
    tables: tables.map((t) => ({
      caption: `${t.model.name}: d_model = ${t.model.dModel}, ${t.model.layers} layers, ${t.model.matricesPerLayer} adapted matrices per layer — full fine-tuning ${millions(t.fullParams)} parameters`,
      head: ['Rank r', 'LoRA parameters', 'Reduction'],
      rows: t.rows.map((x) => [x.rank, millions(x.loraParams), `${Math.round(x.reduction).toLocaleString('en')}×`]),
    })),
  };
}

/** The view of any demo's result. */
export function viewOf<D extends keyof DemoResults>(demo: D, result: DemoResults[D], o: ViewOptions = {}): View {
  switch (demo) {
    case 'lowrank':
      return lowRankView(result as LowRankResult);
    case 'implementation':
      return implementationView(result as ImplementationResult);
    case 'training':
      return trainingView(result as TrainingResult);
    case 'merging':
      return mergingView(result as MergingResult, o);
    case 'rank':
      return rankView(result as RankSweepResult);
    case 'adapters':
      return adaptersView(result as AdaptersResult, o);
    default:
      return savingsView(result as SavingsTable[]);
  }
}
