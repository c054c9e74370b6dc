/**
 * §9 "Rank and α": the committed study drawn at build time; Run trains one point with the
 * reader's settings (any committed point is a preset) and draws it beside the study.
 */
import { DEFAULTS, STUDIES } from '../../demos/index';
import { rankPanels } from '../charts/practice';
import { defineDemo } from '../demo-kit/spec';
import { pointCheck, pointParams, pointPresets, pointSettings, practiceLabel, practiceLive, practiceView } from './parts/practice';

const D = DEFAULTS.practiceRank;
const params = pointParams(D);

export const spec = defineDemo({
  id: 'practice-rank',
  experiment: 'practiceRank',
  defaultsFrom: 'chapter',
  params,
  presets: pointPresets<typeof params>(D, [...STUDIES.rank['alpha/r'], ...STUDIES.rank['alpha/sqrt(r)'].slice(1)]),
  check: pointCheck(D),
  settings: pointSettings,
  view: (r) => practiceView(rankPanels, r),
  live: { view: practiceLive, label: practiceLabel },
  runButtons: true,
  autoRun: false,
});
