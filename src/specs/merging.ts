/** §4 Merging: train, merge, compare the separate and merged paths; the toggle flips the output shown. */
import { formatMerging, type MergingResult } from '../../demos/index';
import { mergingFigure, type FigurePanel } from '../charts/figures';
import { heatmapChart, maxAbs } from '../charts/heatmap';
import { formatValue } from '../charts/svg';
import type { View } from '../demo-kit/view';
import { view } from '../demo-kit/params';
import { defineDemo } from '../demo-kit/spec';
import { ADAM, ADAM_NOTE, liveTraining, trainedAdapterDownloads, trainingParams, trainingSettings } from './parts/training';

type Path = 'separate' | 'merged';

export function mergingView(r: MergingResult, which: Path): View {
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

export const spec = defineDemo({
  id: 'merging',
  experiment: 'merging',
  python: 'merging.py',
  params: {
    ...trainingParams(),
    view: view<Path>('Weights', 'separate', [
      { value: 'separate', label: 'Separate: W₀x + s·B·A·x' },
      { value: 'merged', label: 'Merged: (W₀ + s·B·A)x' },
    ]),
  },
  presets: [{ ...ADAM, note: ADAM_NOTE }],
  settings: (v) => trainingSettings(v),
  view: (r, v) => mergingView(r, v.view),
  // While it trains, show the loss curves; the merge figures replace them when it is done.
  live: liveTraining,
  downloads: (r) => trainedAdapterDownloads('merging', r),
  runButtons: true,
});
