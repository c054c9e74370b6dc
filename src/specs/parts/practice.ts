/**
 * What chapter 9's five training demos share: one point's settings as controls (chapter 8's
 * model and tasks), presets that re-run any committed point of the study, the view (the committed
 * study with the reader's point beside it) and the live view (the run so far).
 */
import {
  MAX_LM_STEPS,
  PRACTICE_RUN,
  STUDY_POINTS,
  DEFAULTS,
  type Point,
  type PracticeProgress,
  type PracticeResult,
  type PracticeRun,
  type PracticeSettings,
} from '../../../demos/index';
import type { FigurePanel } from '../../charts/figures';
import { curvePanel, nats, pm, pointLabel } from '../../charts/practice';
import type { View } from '../../demo-kit/view';
import { int, seed } from '../../demo-kit/params';
import type { Preset, Values } from '../../demo-kit/spec';
import { choicesOf, taskLabel as TASK_LABEL, runParams, runSettings } from './language-model';


/** A point's controls, defaults from the experiment's (D). */
export const pointParams = (D: PracticeSettings) => ({
  ...runParams(D),
  valWindows: int('Held-out windows', D.valWindows, 2, 4096, 'Fixed, evenly spaced windows of one context each, on the task and on Austen'),
  seed: seed(D.seed),
});
/** The overfitting demo adds the training slice and how often the held-out loss is measured. */
export const curveParams = (D: PracticeSettings) => ({
  ...pointParams(D),
  slice: int('Training characters', D.slice, 0, 400000, 'From the start of the training text; 0 uses all of it'),
  evalEvery: int('Measure every', D.evalEvery, 0, MAX_LM_STEPS, `Steps between held-out measurements, a multiple of ${D.stepsPerRun} (0: at the end only)`),
});
type PointValues = Values<ReturnType<typeof pointParams>> & Partial<Values<ReturnType<typeof curveParams>>>;

export const pointSettings = (v: PointValues): Partial<PracticeSettings> => ({
  ...runSettings(v),
  valWindows: v.valWindows,
  seed: v.seed,
  ...(v.slice !== undefined ? { slice: v.slice } : {}),
  ...(v.evalEvery !== undefined ? { evalEvery: v.evalEvery } : {}),
  root: import.meta.env.BASE_URL,
});

/** Full fine-tuning has no adapter: changed adapter settings would silently do nothing. */
export function pointCheck(D: PracticeSettings) {
  return (v: PointValues): Partial<Record<string, string>> => {
    const changed = v.rank !== D.rank || v.alpha !== D.alpha || v.scalingRule !== D.scalingRule;
    if (v.method === 'full' && changed) return { method: 'Full fine-tuning has no adapter: set rank, α and scaling back to their defaults, or choose LoRA.' };
    return {};
  };
}

/** A preset per committed point of a study: one click re-runs it live (same settings as the committed run). */
export function pointPresets<P extends ReturnType<typeof pointParams>>(D: PracticeSettings, ids: readonly string[]): Preset<P>[] {
  return ids.flatMap((id) => {
    const p = STUDY_POINTS.find((q) => q.id === id);
    if (!p || !PRACTICE_RUN.points[id]) return [];
    const s: PracticeSettings = { ...DEFAULTS[p.from], ...p.change };
    if (id === 'qv-r8' && JSON.stringify(s) === JSON.stringify(D)) return []; // the defaults preset already is this point
    const values = {
      method: s.method, targets: choicesOf(s.targets), rank: s.rank, alpha: s.alpha, scalingRule: s.scalingRule, lr: s.lr,
      ...(p.from === 'practiceEvaluation' ? { slice: s.slice, evalEvery: s.evalEvery, steps: s.steps } : {}),
    } as Partial<Values<P>>;
    return [{ id, label: pointLabel(s), values }];
  });
}

/** How long a point takes, from the committed run's own timings (stated before Run). */
export function expectedTime(run: PracticeRun = PRACTICE_RUN): string {
  const secs = Object.values(run.pointSeconds ?? {}).sort((x, y) => x - y);
  if (!secs.length) return '';
  return `Each committed point took ${secs[0]}–${secs[secs.length - 1]} s to train and measure in Node on a shared 2-core CPU (WebAssembly); a page on WebGPU is usually faster, and the first run also loads the model and the texts.`;
}

function yourLines(r: PracticeResult): string[] {
  const p = r.point;
  if (!p) return ['', `Committed study (${PRACTICE_RUN.options.steps} steps, batch ${PRACTICE_RUN.options.batch}, ${PRACTICE_RUN.options.valWindows} held-out windows). Press Run to train a point with your settings beside it.`, expectedTime()];
  const s = r.settings;
  return [
    '',
    `Your run: ${TASK_LABEL(s.task)} · ${pointLabel(s)} · ${s.steps} steps, batch ${s.batch}, seed ${s.seed}${s.slice ? `, first ${s.slice} characters` : ''}`,
    `  ${p.trainable.toLocaleString('en')} trained parameters · held-out loss ${pm(p.task)} on the task, ${pm(p.austen)} on Austen (${s.valWindows} windows each, ± one standard error)`,
  ];
}

/** A training demo's view: the study's panels (with the reader's point) and a printout of both. */
export function practiceView(panels: (run: PracticeRun, point?: Point) => FigurePanel[], r: PracticeResult): View {
  const fig = panels(PRACTICE_RUN, r.point);
  const run = PRACTICE_RUN;
  const printout = [
    `Base model: held-out ${pm(run.base.task)} on the task, ${pm(run.base.austen)} on Austen`,
    ...fig.map((f) => f.summary),
    ...yourLines(r),
  ].join('\n');
  return { panels: fig, printout };
}

/** A run in progress: its training curve (and held-out measurements) so far. */
export function practiceLive(p: PracticeProgress): View {
  const s = p.result.settings;
  const panel = curvePanel({ trainLosses: p.trainLosses, curve: p.curve, epochs: 0, spec: { steps: s.steps, slice: s.slice } }, 'Your run so far');
  return { panels: [panel], printout: `${pointLabel(s)} · step ${p.steps} of ${s.steps}${p.curve.length ? ` · held-out ${p.curve.map((c) => `${c.step}: ${nats(c.loss)}`).join(', ')}` : ''}` };
}

const MB = (n: number) => (n / 1e6).toFixed(1);
export function practiceLabel(p: PracticeProgress): string {
  if (p.phase === 'loading') return p.total > 0 ? `Loading the model and texts: ${MB(p.loaded)} of ${MB(p.total)} MB` : 'Loading the model and texts…';
  return `Step ${p.steps} of ${p.result.settings.steps}`;
}
