/** §6 Multi-adapter switching: pick none / task A / task B and see the output and its norm change. */
import { ADAPTERS_DEFAULTS as D, formatAdapters, type AdapterChoice, type AdaptersResult } from '../../demos/index';
import { barChart } from '../charts/bar-chart';
import type { FigurePanel } from '../charts/figures';
import { heatmapChart, maxAbs } from '../charts/heatmap';
import { formatValue } from '../charts/svg';
import type { View } from '../demo-kit/view';
import { alpha, int, seed, view } from '../demo-kit/params';
import { defineDemo } from '../demo-kit/spec';

const ADAPTER_LABEL: Record<AdapterChoice, string> = { none: 'Base model', taskA: '+ Task A', taskB: '+ Task B' };

export function adaptersView(r: AdaptersResult, pick: AdapterChoice): View {
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
      xLabel: 'Adapter applied',
      categories: order.map((c) => ADAPTER_LABEL[c]),
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

export const spec = defineDemo({
  id: 'adapters',
  experiment: 'adapters',
  python: 'adapters.py',
  params: {
    adapter: view<AdapterChoice>('Adapter', 'taskA', [
      { value: 'none', label: 'None (base model)' },
      { value: 'taskA', label: 'Task A' },
      { value: 'taskB', label: 'Task B' },
    ]),
    rank: int('Rank r', D.rank, 1, D.dModel),
    alpha: alpha(D.alpha),
    seed: seed(D.seed),
  },
  settings: (v) => ({ seed: v.seed, rank: v.rank, alpha: v.alpha }),
  view: (r, v) => adaptersView(r, v.adapter),
  runButtons: false,
});
