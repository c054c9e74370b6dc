/**
 * §9 "Where to put the adapters": the committed study drawn at build time; Run trains one point with the
 * reader's settings (any committed point is a preset) and draws it beside the study.
 */
import { DEFAULTS, STUDIES } from '../../demos/index';
import { targetsPanels } from '../charts/practice';
import { defineDemo } from '../demo-kit/spec';
import { pointCheck, pointParams, pointPresets, pointSettings, practiceLabel, practiceLive, practiceView } from './parts/practice';

const D = DEFAULTS.practiceTargets;
const params = pointParams(D);

export const spec = defineDemo({
  id: 'practice-targets',
  experiment: 'practiceTargets',
  defaultsFrom: 'chapter',
  params,
  presets: pointPresets<typeof params>(D, [...STUDIES.targets.equalRank, ...STUDIES.targets.equalBudget.slice(1)]),
  check: pointCheck(D),
  settings: pointSettings,
  view: (r) => practiceView(targetsPanels, r),
  live: { view: practiceLive, label: practiceLabel },
  runButtons: true,
  autoRun: false,
});
