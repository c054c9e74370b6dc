/**
 * §9 "Learns less, forgets less": the committed study drawn at build time; Run trains one point with the
 * reader's settings (any committed point is a preset) and draws it beside the study.
 */
import { DEFAULTS, STUDIES } from '../../demos/index';
import { forgettingPanels } from '../charts/practice';
import { defineDemo } from '../demo-kit/spec';
import { pointCheck, pointParams, pointPresets, pointSettings, practiceLabel, practiceLive, practiceView } from './parts/practice';

const D = DEFAULTS.practiceForgetting;
const params = pointParams(D);

export const spec = defineDemo({
  id: 'practice-forgetting',
  experiment: 'practiceForgetting',
  defaultsFrom: 'chapter',
  params,
  presets: pointPresets<typeof params>(D, [STUDIES.forgetting.qv, STUDIES.forgetting.all, ...STUDIES.forgetting.full]),
  check: pointCheck(D),
  settings: pointSettings,
  view: (r) => practiceView(forgettingPanels, r),
  live: { view: practiceLive, label: practiceLabel },
  runButtons: true,
  autoRun: false,
});
