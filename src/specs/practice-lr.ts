/**
 * §9 "Learning rate": the committed study drawn at build time; Run trains one point with the
 * reader's settings (any committed point is a preset) and draws it beside the study.
 */
import { DEFAULTS, STUDIES } from '../../demos/index';
import { lrPanels } from '../charts/practice';
import { defineDemo } from '../demo-kit/spec';
import { pointCheck, pointParams, pointPresets, pointSettings, practiceLabel, practiceLive, practiceView } from './parts/practice';

const D = DEFAULTS.practiceLr;
const params = pointParams(D);

export const spec = defineDemo({
  id: 'practice-lr',
  experiment: 'practiceLr',
  defaultsFrom: 'chapter',
  params,
  presets: pointPresets<typeof params>(D, [...STUDIES.lr.lora, ...STUDIES.lr.full]),
  check: pointCheck(D),
  settings: pointSettings,
  view: (r) => practiceView(lrPanels, r),
  live: { view: practiceLive, label: practiceLabel },
  runButtons: true,
  autoRun: false,
});
