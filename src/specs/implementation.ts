/** §2 Implementation: rank, α and sizes → shapes, parameter counts and the W₀, A, B, ΔW pictures. */
import { IMPLEMENTATION_DEFAULTS as D, formatImplementation, type ImplementationResult } from '../../demos/index';
import { implementationFigure } from '../charts/figures';
import { formatCount } from '../charts/svg';
import type { View } from '../demo-kit/view';
import { alpha, int, scalingRule, seed } from '../demo-kit/params';
import { defineDemo } from '../demo-kit/spec';

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

export const spec = defineDemo({
  id: 'implementation',
  experiment: 'implementation',
  python: 'implementation.py',
  params: {
    rank: int('Rank r', D.rank, 1, 256),
    alpha: alpha(D.alpha),
    dIn: int('d_in', D.dIn, 1, 256),
    dOut: int('d_out', D.dOut, 1, 256),
    scalingRule: scalingRule(D.scalingRule),
    seed: seed(D.seed),
  },
  check: (v) =>
    v.rank > Math.min(v.dIn, v.dOut) ? { rank: `The rank r = ${v.rank} must be at most min(d_in, d_out) = ${Math.min(v.dIn, v.dOut)}.` } : {},
  settings: (v) => ({ seed: v.seed, dIn: v.dIn, dOut: v.dOut, rank: v.rank, alpha: v.alpha, scalingRule: v.scalingRule }),
  view: implementationView,
  runButtons: false,
});
