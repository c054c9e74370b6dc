/**
 * §8 LoRA on a real language model: which modules get adapters, rank, α, scaling, the
 * optimizer's step size and length, the prompt both models continue. Run / Cancel / Reset; the
 * model's files load in the engine worker when Run is first pressed. What only the model knows
 * (a rank above a layer's width, a character outside the vocabulary, no module chosen) comes
 * back as the engine's typed error and is shown next to its control.
 */
import {
  LANGUAGE_MODEL_DEFAULTS as D,
  LANGUAGE_MODEL_FILES,
  LM_DEFAULTS,
  LM_TASKS,
  MAX_NEW_TOKENS,
  type LanguageModelProgress,
  type LanguageModelResult,
  type LanguageModelSettings,
  type LmTask,
} from '../../demos/index';
import { languageModelFigure, speedLine } from '../charts/language-model';
import type { DownloadSource } from '../demo-kit/downloads';
import type { View } from '../demo-kit/view';
import { int, seed, textLine, view } from '../demo-kit/params';
import { defineDemo, type Inactive, type Values } from '../demo-kit/spec';
import { taskLabel as TASK_LABEL, runParams, runSettings } from './parts/language-model';

/** The adapter switch: this run's adapter, the base, or the last adapter trained on a task. */
type AdapterChoice = 'run' | 'base' | LmTask;

const params = {
  ...runParams(D),
  prompt: textLine('Prompt', D.prompt, 200),
  sampleLength: int('Continuation', D.sampleLength, 1, MAX_NEW_TOKENS, 'Characters each model adds'),
  seed: seed(D.seed),
  adapter: view<AdapterChoice>('Continue with', 'run', [
    // "model", not "adapter": under full fine-tuning this run has fine-tuned weights, no adapter.
    { value: 'run', label: "This run's model" },
    { value: 'base', label: 'Base model (no adapter)' },
    ...LM_TASKS.map((t) => ({ value: t, label: `${TASK_LABEL(t)} adapter` })),
  ]),
};
type LmValues = Values<typeof params>;

/**
 * About three refreshed samples per run, on whole runs of stepsPerRun steps, at most every 100
 * (the default run's 300 steps refresh at 100 and 200): a short run shows the text moving too.
 */
export const refreshEvery = (steps: number): number => {
  const K = D.stepsPerRun;
  return Math.max(K, Math.min(D.refreshEvery, Math.round(steps / 3 / K) * K));
};



/** The site's base URL, where the worker fetches models/ and corpora/ (Vite's BASE_URL). */
const ROOT = import.meta.env.BASE_URL;

/** Why the adapter switch has nothing to show yet, naming the adapters this page keeps so far. */
function needsTwo(kept: LanguageModelResult['kept']): string {
  const have = kept?.length ? ` (kept so far: ${kept.map((k) => `${TASK_LABEL(k.task)}, ${k.steps} steps`).join('; ')})` : '';
  return `Switching needs LoRA runs on two tasks in this page${have}; train one on each task, then pick an adapter.`;
}

/**
 * The switch's table and the continuation the picker names. Before two tasks have adapters there
 * is nothing to switch between: the picker says so instead of silently showing this run's.
 */
function switchParts(r: LanguageModelResult, choice: AdapterChoice): { tables: View['tables']; lines: string[]; shown?: Parameters<typeof languageModelFigure>[1]['shown'] } {
  const sw = r.frame.switching;
  if (!sw) {
    const lines = choice === 'run' ? [] : ['', needsTwo(r.kept)];
    return { tables: undefined, lines };
  }
  const name = (a: string) => (a === 'base' ? 'Base model' : `${TASK_LABEL(a)} adapter`);
  const tables = [
    {
      caption: 'Held-out loss (nats per character) of the base model and each adapter on each task, all on the same frozen base',
      head: ['Weights', ...sw.tasks.map(TASK_LABEL)],
      rows: sw.rows.map((row) => [`${name(row.adapter)}${row.steps ? ` (${row.steps} steps)` : ''}`, ...row.valLoss.map((v) => v.toFixed(3))]),
    },
  ];
  const lines = ['', 'Switch (same frozen base, no retraining), held-out loss per task:', ...sw.rows.map((row) => `  ${name(row.adapter)}: ${row.valLoss.map((v, i) => `${sw.tasks[i]} ${v.toFixed(3)}`).join(', ')}`)];
  const pick = choice === 'run' ? undefined : sw.rows.find((row) => row.adapter === choice);
  if (choice !== 'run' && !pick) lines.push(`No ${TASK_LABEL(choice)} adapter has been trained in this page yet.`);
  const shown = pick ? { title: name(pick.adapter), body: pick.sample, model: pick.adapter, step: pick.steps } : undefined;
  return { tables, lines, shown };
}

export function languageModelView(r: LanguageModelResult, choice: AdapterChoice = 'run'): View {
  const f = r.frame;
  const s = r.settings;
  const sw = switchParts(r, choice);
  const val = f.valLosses;
  const what =
    s.method === 'full'
      ? 'Full fine-tuning of every weight'
      : `LoRA on ${s.targets.join(', ')} · r = ${s.rank}, α = ${s.alpha}, s = ${s.scalingRule === 'alpha/r' ? 'α/r' : 'α/√r'}`;
  const full = s.method === 'full';
  // What the figure counts is the trained weights' state only; say what else training holds.
  const notCounted = s.method === 'full' ? 'the activations kept for the backward pass (no weight is frozen)' : 'the frozen weights, and the activations kept for the backward pass';
  const memory =
    f.trainingStateBytes > 0
      ? [`training state (parameters, gradients, Adam's two moments of the trained weights): ${(f.trainingStateBytes / 1e6).toFixed(2)} MB in float32; not counted: ${notCounted}`]
      : [];
  const merge = r.merge
    ? [`merged into W + sBA: max |logits(merged) − logits(with adapter)| = ${r.merge.maxAbsDifference.toExponential(2)} over ${r.merge.positions} positions`]
    : [];
  const printout = [
    `${TASK_LABEL(s.task)} · ${what} · Adam lr ${s.lr} · batch ${s.batch} · samples every ${s.refreshEvery} steps`,
    `step ${f.step} of ${s.steps} · held-out loss ${val.map((v) => `${v.step}: ${v.loss.toFixed(3)}`).join(', ') || 'not measured yet'}`,
    speedLine(f),
    ...memory,
    ...merge,
    '',
    'Base model:',
    s.prompt + f.baseSample,
    '',
    sw.shown ? `${sw.shown.title}:` : `${full ? 'Fine-tuned' : 'Adapted'} (step ${val[val.length - 1]?.step ?? 0}):`,
    s.prompt + (sw.shown?.body ?? f.adaptedSample),
    ...sw.lines,
    // The adapters this page keeps for switching outlive Cancel, Reset and other runs: say which.
    ...(r.kept?.length && !f.switching && choice === 'run' ? ['', `Kept for switching in this page: ${r.kept.map((k) => `${TASK_LABEL(k.task)} adapter (${k.steps} steps)`).join(', ')}.`] : []),
  ].join('\n');
  return { panels: languageModelFigure(f, { steps: s.steps, prompt: s.prompt, shown: sw.shown, method: s.method }), printout, tables: sw.tables };
}

const MB = (n: number) => (n / 1e6).toFixed(1);

/** The settings only LoRA uses: disabled under full fine-tuning (their values wait for LoRA). */
const LORA_ONLY = ['targets', 'rank', 'alpha', 'scalingRule'] as const;

/** What the reader cannot use now: LoRA's settings under full fine-tuning, adapters not trained yet. */
function inactive(v: LmValues, shown: { result: LanguageModelResult | undefined; running: boolean }): Inactive<typeof params> {
  const controls: Inactive<typeof params>['controls'] = {};
  if (v.method === 'full') for (const k of LORA_ONLY) controls[k] = 'LoRA only: full fine-tuning trains every weight, with no adapter.';
  const others: AdapterChoice[] = ['base', ...LM_TASKS];
  const r = shown.result;
  const sw = r?.frame.switching;
  let options: { values: string[]; why: string };
  if (shown.running) options = { values: others, why: 'The other choices apply to a finished run: they come back when this one ends.' };
  else if (!r) options = { values: others, why: 'Switching applies to a finished run; this one stopped. The adapters kept in this page stay for the next run.' };
  else if (!sw) options = { values: others, why: needsTwo(r.kept) };
  else {
    const missing = LM_TASKS.filter((t) => !sw.rows.some((row) => row.adapter === t));
    options = { values: missing, why: `No ${missing.map(TASK_LABEL).join(' or ')} adapter has been trained in this page yet.` };
  }
  return { controls, options: { adapter: options } };
}

function liveLabel(p: LanguageModelProgress): string {
  if (p.phase === 'loading') return p.total > 0 ? `Loading the model and texts: ${MB(p.loaded)} of ${MB(p.total)} MB` : 'Loading the model and texts…';
  if (p.phase === 'preparing') return 'Continuing the prompt with the base model…';
  return `Step ${p.result.frame.step} of ${p.result.settings.steps}`;
}

const bytesOf = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

function downloads(r: LanguageModelResult): DownloadSource[] {
  const out: DownloadSource[] = [];
  if (r.peft) {
    const peft = r.peft;
    // The adapter names the run it is from, so it cannot pass for another (a run in progress).
    const from = `r = ${r.settings.rank}, ${TASK_LABEL(r.settings.task)}`;
    out.push(
      { label: `Adapter (PEFT, ${from}) · adapter_config.json`, filename: 'adapter_config.json', make: () => new Blob([peft.config], { type: 'application/json' }) },
      { label: `Adapter (PEFT, ${from}) · adapter_model.safetensors`, filename: 'adapter_model.safetensors', make: () => new Blob([bytesOf(peft.safetensors)], { type: 'application/octet-stream' }) },
    );
  }
  // The base model is the site's own static files: fetched from here, saved as they are.
  for (const file of LANGUAGE_MODEL_FILES.model) {
    out.push({ label: `Base model · ${file}`, filename: file, make: async () => (await fetch(`${ROOT}${r.modelDir}/${file}`)).blob() });
  }
  return out;
}

export const spec = defineDemo({
  id: 'language-model',
  experiment: 'languageModel',
  // The source notebook has no language-model section: these defaults are the chapter's own.
  defaultsFrom: 'chapter',
  // The same run in transformers + PEFT, from npm run lm:finetune's flags (no settings block to export).
  companion: 'language_model.py',
  params,
  presets: [
    { id: 'attention', label: 'All of attention (q, k, v, o)', values: { targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj'] } },
    { id: 'everything', label: 'Attention and MLP, rank 4', values: { targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'mlp'], rank: 4, alpha: 8 } },
    { id: 'rslora', label: 'rsLoRA, rank 32', values: { rank: 32, alpha: 16, scalingRule: 'alpha/sqrt(r)' } },
    { id: 'quick', label: 'Quick look (60 steps)', values: { steps: 60 } },
    // Its learning rate follows from the method (onChange), as when the method is picked by hand.
    { id: 'full', label: 'Full fine-tuning', values: { method: 'full' } },
  ],
  check: (v) => {
    if (v.prompt.trim().length === 0) return { prompt: 'Type a prompt for both models to continue: at least one character that is not a space or a line break.' };
    // Under full fine-tuning LoRA's settings are disabled with a note (inactive): they are
    // kept for a return to LoRA and do nothing meanwhile, which the page says.
    return {};
  },
  /**
   * Values that follow from another, whichever control sets it (the method select or a preset):
   * full fine-tuning has its own learning rate, and each task its own prompt. A value the reader
   * chose themselves is kept.
   */
  onChange: (key, v) => {
    const next = { ...v };
    if (key === 'method') {
      if (v.method === 'full' && v.lr === D.lr) next.lr = LM_DEFAULTS.fullLr;
      if (v.method === 'lora' && v.lr === LM_DEFAULTS.fullLr) next.lr = D.lr;
    }
    if (key === 'task') {
      const prompts = LM_TASKS.map((t) => LANGUAGE_MODEL_FILES.tasks[t].prompt);
      if (prompts.includes(v.prompt)) next.prompt = LANGUAGE_MODEL_FILES.tasks[v.task].prompt;
    }
    return next;
  },
  inactive,
  settings: (v): Partial<LanguageModelSettings> => ({
    ...runSettings(v),
    prompt: v.prompt,
    sampleLength: v.sampleLength,
    refreshEvery: refreshEvery(v.steps),
    seed: v.seed,
    root: ROOT,
  }),
  view: (r, v) => languageModelView(r, v.adapter),
  live: {
    // Loading and the first samples draw nothing of this run: the figure keeps the previous result, dimmed.
    view: (p) => (p.phase === 'training' ? languageModelView(p.result) : undefined),
    label: liveLabel,
  },
  runButtons: true,
  autoRun: false,
  downloads,
});
