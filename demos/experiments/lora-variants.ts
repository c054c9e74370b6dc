/**
 * Chapter 10, the variants side by side: chapter 8's model and task, one adapter per variant, each
 * one knob away from plain LoRA (DoRA, PiSSA, LoRA+, QLoRA, rsLoRA at a high rank, and plain LoRA at
 * that rank for comparison), on the same batches (same seed) and the same held-out windows.
 * Per variant: held-out loss before and after, the training losses, trainable and saved parameters,
 * the base's weight memory (NF4 for QLoRA) and time per step; a live run also returns each
 * adapter as PEFT saves it (PiSSA converted for the original base).
 *
 * The committed run (demos/lm/results/variants-run.json, `npx tsx scripts/lm/beyond-lora-run.ts`)
 * is the build-time figure; demos/experiments/lora-variants.test.ts re-runs its first steps.
 */
import { throwIfAborted, TrainingDivergedError } from '../errors';
import { need } from '../validate';
import type { LoraVariant } from '../lm/variants/prepare';
import { LM_TASKS } from '../lm/files';
import type { Engine } from '../types';
import { runClock } from './clock';
import { LORA_VARIANTS_DEFAULTS } from './defaults';
import { base64, loadLanguageModel } from './language-model';
import type { ExperimentOptions, LoraVariantId, LoraVariantRow, LoraVariantsProgress, LoraVariantsResult, LoraVariantsSettings } from './types';

export const LORA_VARIANT_IDS: readonly LoraVariantId[] = ['lora', 'dora', 'pissa', 'loraplus', 'qlora', 'rslora', 'lorahigh'];

/** What each variant is, in the reader's words (the chart's legend and the table's first column). */
export function variantLabel(id: LoraVariantId, s: Pick<LoraVariantsSettings, 'rank' | 'highRank' | 'loraplusRatio'>): string {
  const labels: Record<LoraVariantId, string> = {
    lora: `LoRA (r = ${s.rank})`,
    dora: 'DoRA',
    pissa: 'PiSSA',
    loraplus: `LoRA+ (ratio ${s.loraplusRatio})`,
    qlora: 'QLoRA (NF4 base)',
    rslora: `rsLoRA (r = ${s.highRank}, α/√r)`,
    lorahigh: `LoRA (r = ${s.highRank}, α/r)`,
  };
  return labels[id];
}

/** The variant spec of one id: chapter 8's LoRA with one knob changed. */
export function variantOf(id: LoraVariantId, s: LoraVariantsSettings): LoraVariant {
  const lora = { targets: [...s.targets], rank: s.rank, alpha: s.alpha, useRslora: false };
  switch (id) {
    case 'lora': return { lora };
    case 'dora': return { lora: { ...lora, useDora: true } };
    case 'pissa': return { lora: { ...lora, init: 'pissa' } };
    case 'loraplus': return { lora, loraplusRatio: s.loraplusRatio };
    case 'qlora': return { lora, qlora: true };
    case 'rslora': return { lora: { ...lora, rank: s.highRank, useRslora: true } };
    case 'lorahigh': return { lora: { ...lora, rank: s.highRank } };
  }
}

function check(s: LoraVariantsSettings): void {
  need(Array.isArray(s.variants) && s.variants.length > 0, 'variants', 'Choose at least one variant to train.');
  for (const v of s.variants) need(LORA_VARIANT_IDS.includes(v), 'variants', `Unknown variant ${JSON.stringify(v)}: choose from ${LORA_VARIANT_IDS.join(', ')}.`);
  need(new Set(s.variants).size === s.variants.length, 'variants', 'Each variant once, please.');
  need(LM_TASKS.includes(s.task), 'task', `Choose a task (${LM_TASKS.join(', ')}), not ${JSON.stringify(s.task)}.`);
  need(Number.isFinite(s.loraplusRatio) && s.loraplusRatio > 0, 'loraplusRatio', `LoRA+'s ratio must be a positive number, not ${s.loraplusRatio}.`);
  need(Number.isInteger(s.highRank) && s.highRank >= 1, 'highRank', `The high rank must be a whole number ≥ 1, not ${s.highRank}.`);
}

export async function loraVariants(
  engine: Engine,
  settings: Partial<LoraVariantsSettings> = {},
  opts: ExperimentOptions<LoraVariantsProgress> = {},
): Promise<LoraVariantsResult> {
  const s: LoraVariantsSettings = { ...LORA_VARIANTS_DEFAULTS, ...settings };
  check(s);
  const clock = runClock(engine);
  const rows: LoraVariantRow[] = [];
  const result = (extra?: LoraVariantRow, running?: LoraVariantId): LoraVariantsResult => ({
    settings: s, rows: extra ? [...rows, extra] : [...rows], ...(running ? { running } : {}), info: clock.done(),
  });
  throwIfAborted(opts.signal);
  const { model, texts, lm, lmIndex } = await loadLanguageModel(engine, s.root, opts, (loaded, total) =>
    opts.onProgress?.({ phase: 'loading', result: result(), steps: 0, loaded, total }),
  );
  const { encode, evaluateLoss, trainVariant, variantFacts, validateSpec, prepareVariant, peftAdapterFiles, peftAdapterConfig, MODEL_NAME } = lmIndex;
  const train = encode(model, texts[s.task].train);
  const val = encode(model, texts[s.task].val);
  const T = model.config.maxPositions;
  // Every variant's spec checked (ranks, targets, PiSSA's limits) before the first one trains.
  for (const id of s.variants) {
    const v = variantOf(id, s);
    validateSpec(model, v.lora);
    if (v.lora.init === 'pissa') prepareVariant(model, v, s.seed);
  }
  for (const id of s.variants) {
    throwIfAborted(opts.signal);
    const variant = variantOf(id, s);
    const facts = variantFacts(model, variant);
    const row = (losses: ArrayLike<number>, tokensPerSecond: number, valBefore = NaN, valAfter = NaN): LoraVariantRow => ({
      id,
      config: JSON.stringify(peftAdapterConfig(variant.lora, MODEL_NAME)),
      valBefore, valAfter,
      trainLosses: Array.from(losses),
      trainableParameters: facts.trainableParameters,
      savedParameters: facts.savedParameters,
      trainingStateBytes: facts.trainingStateBytes,
      baseWeightBytes: facts.baseWeightBytes,
      baseWeightBytesFloat32: facts.baseWeightBytesFloat32,
      msPerStep: tokensPerSecond > 0 ? (1000 * s.batch * T) / tokensPerSecond : 0,
    });
    let last = row([], 0);
    // Time a step from the first report to the last: the first run also builds its graphs (once
    // per shape, shared by later variants of the same shape), which is not the cost of a step.
    let first: { t: number; step: number } | undefined;
    let pace = 0;
    const paced = (step: number, tokensPerSecond: number): number => {
      const now = performance.now();
      if (!first) first = { t: now, step };
      else if (step > first.step) pace = ((now - first.t) / (step - first.step)) * 1e-3;
      // tokens/s of the same pace, so row() keeps one formula; the engine's own figure until two reports.
      return pace > 0 ? (s.batch * T) / pace : tokensPerSecond;
    };
    try {
      const r = await trainVariant(lm, {
        model, variant, tokens: train, lr: s.lr, steps: s.steps, batch: s.batch, seed: s.seed, stepsPerRun: s.stepsPerRun, signal: opts.signal,
        onProgress: ({ step, losses, tokensPerSecond }) => {
          last = row(losses, paced(step, tokensPerSecond));
          opts.onProgress?.({ phase: 'training', result: result(last, id), steps: step, loaded: 0, total: 0 });
        },
      });
      // Before: the starting adapter on the variant's base (QLoRA: the quantised base's own loss;
      // PiSSA: W_res + s·B₀A₀ = W up to rounding). After: the trained adapter on that base.
      const valBefore = await evaluateLoss(lm, r.prepared.base, val, { windows: s.valWindows }, r.prepared.adapter);
      const valAfter = await evaluateLoss(lm, r.prepared.base, val, { windows: s.valWindows }, r.trained);
      const done = row(r.losses, pace > 0 ? (s.batch * T) / pace : r.tokensPerSecond, valBefore, valAfter);
      const files = peftAdapterFiles(r.peft, MODEL_NAME);
      done.peft = { config: files['adapter_config.json'], safetensors: base64(files['adapter_model.safetensors']) };
      rows.push(done);
      opts.onProgress?.({ phase: 'training', result: result(), steps: s.steps, loaded: 0, total: 0 });
    } catch (e) {
      // A diverged variant keeps its losses up to the failing step on the chart.
      if (e instanceof TrainingDivergedError) opts.onProgress?.({ phase: 'training', result: result({ ...last, trainLosses: Array.from(e.losses) }, id), steps: e.step, loaded: 0, total: 0 });
      throw e;
    }
  }
  return result();
}

/** The committed run (no adapters in it): the figure before any JavaScript runs. */
export async function loraVariantsBuildResult(): Promise<LoraVariantsResult> {
  const run = (await import('../lm/results/variants-run.json')).default as unknown as LoraVariantsResult;
  return { ...run, settings: { ...LORA_VARIANTS_DEFAULTS, ...run.settings, root: LORA_VARIANTS_DEFAULTS.root } };
}
