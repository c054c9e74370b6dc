/**
 * §9 "Evaluation you can trust": the standard error of a held-out loss by the number of windows
 * (the base model, committed), and several epochs on a small slice with the held-out curve turning
 * up. Run trains the overfitting point with the reader's settings (slice, steps, windows, …).
 */
import { DEFAULTS } from '../../demos/index';
import { evaluationPanels } from '../charts/practice';
import { defineDemo } from '../demo-kit/spec';
import { curveParams, pointCheck, pointSettings, practiceLabel, practiceLive, practiceView } from './parts/practice';

const D = DEFAULTS.practiceEvaluation;
const params = curveParams(D);

export const spec = defineDemo({
  id: 'practice-evaluation',
  experiment: 'practiceEvaluation',
  defaultsFrom: 'chapter',
  params,
  presets: [
    { id: 'tiny', label: 'Tiny (20 steps, q and v, rank 4)', values: { steps: 20, evalEvery: 10, targets: ['q_proj', 'v_proj'], rank: 4, alpha: 8, valWindows: 8 }, note: 'A short run: enough to see both curves start.' },
    { id: 'whole', label: 'The whole training text', values: { slice: 0 }, note: 'The same run on all of the training text: the held-out curve for comparison.' },
  ],
  check: pointCheck(D),
  settings: pointSettings,
  view: (r) => practiceView(evaluationPanels, r),
  live: { view: practiceLive, label: practiceLabel },
  runButtons: true,
  autoRun: false,
});
