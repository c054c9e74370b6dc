/** §3 Training: LoRA and full fine-tuning loss curves, drawn live; Run, Cancel, Reset. */
import { defineDemo } from '../demo-kit/spec';
import { ADAM, ADAM_NOTE, liveTraining, trainedAdapterDownloads, trainingParams, trainingSettings, trainingView } from './parts/training';

export const spec = defineDemo({
  id: 'training',
  experiment: 'training',
  python: 'training.py',
  params: trainingParams(),
  presets: [{ ...ADAM, note: ADAM_NOTE }],
  settings: (v) => trainingSettings(v),
  view: trainingView,
  live: liveTraining,
  downloads: (r) => trainedAdapterDownloads('training', r),
  runButtons: true,
});
