/**
 * Chapter 10's numbers, computed when the site is built from the committed runs the demos show
 * without JavaScript (demos/lm/results/variants-run.json and arithmetic-run.json, written by
 * `npx tsx scripts/lm/beyond-lora-run.ts`) and from the committed model's config; never typed into
 * the prose. `<BeyondNumber name="…" />` prints one; an unknown name fails the build.
 */
import {
  adapterArithmeticBuildResult,
  loraVariantsBuildResult,
  type AdapterArithmeticResult,
  type LoraVariantRow,
  type LoraVariantsResult,
} from '../../../demos/index';

export interface BeyondFacts {
  variants: LoraVariantsResult;
  arithmetic: AdapterArithmeticResult;
}

let facts: Promise<BeyondFacts> | undefined;
export function beyondFacts(): Promise<BeyondFacts> {
  facts ??= Promise.all([loraVariantsBuildResult(), adapterArithmeticBuildResult()]).then(([variants, arithmetic]) => ({ variants, arithmetic }));
  return facts;
}

const count = (n: number) => Math.round(n).toLocaleString('en');
const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;

/** A field of a variant's row as the prose shows it. */
const FIELDS: Record<string, (r: LoraVariantRow) => string> = {
  valBefore: (r) => r.valBefore.toFixed(3),
  valAfter: (r) => r.valAfter.toFixed(3),
  fall: (r) => (r.valBefore - r.valAfter).toFixed(3),
  trainable: (r) => count(r.trainableParameters),
  saved: (r) => count(r.savedParameters),
  baseBytes: (r) => mb(r.baseWeightBytes),
  msPerStep: (r) => r.msPerStep.toFixed(0),
};

/**
 * Names: `steps`, `highRank`, `loraplusRatio`; `variant.ID.FIELD` (ID a variant of the run, FIELD
 * one of FIELDS); `ratio.ID.msPerStep` (ID's time per step ÷ LoRA's); `qlora.saving` (float32 base
 * bytes ÷ NF4 base bytes); `merge.ROW.TASK` (the merging lab's held-out loss, ROW base | devil |
 * sotu | combined); `merge.deviation` (‖ΔW_combined − Σ wᵢΔWᵢ‖/‖Σ wᵢΔWᵢ‖ of the default combination).
 */
export function beyondNumber(f: BeyondFacts, name: string): string {
  const v = f.variants;
  const row = (id: string) => {
    const r = v.rows.find((x) => x.id === id);
    if (!r) throw new Error(`<BeyondNumber name="${name}">: the committed run has no variant ${id}.`);
    return r;
  };
  const parts = name.split('.');
  if (parts[0] === 'variant' && parts.length === 3 && FIELDS[parts[2]!]) return FIELDS[parts[2]!]!(row(parts[1]!));
  if (parts[0] === 'ratio' && parts.length === 3 && parts[2] === 'msPerStep') return (row(parts[1]!).msPerStep / row('lora').msPerStep).toFixed(1);
  if (parts[0] === 'merge' && parts.length === 3) {
    const r = f.arithmetic.rows.find((x) => x.adapter === parts[1]);
    const k = f.arithmetic.tasks.indexOf(parts[2] as never);
    if (r && k >= 0) return r.valLoss[k]!.toFixed(3);
  }
  const simple: Record<string, () => string> = {
    steps: () => String(v.settings.steps),
    // The committed run's training time: every variant's steps at its measured time a step.
    'run.minutes': () => String(Math.max(1, Math.round(v.rows.reduce((t, r) => t + r.msPerStep * r.trainLosses.length, 0) / 60000))),
    rank: () => String(v.settings.rank),
    batch: () => String(v.settings.batch),
    alpha: () => String(v.settings.alpha),
    highRank: () => String(v.settings.highRank),
    loraplusRatio: () => String(v.settings.loraplusRatio),
    'qlora.saving': () => (row('qlora').baseWeightBytesFloat32 / row('qlora').baseWeightBytes).toFixed(1),
    'merge.deviation': () => f.arithmetic.combined.relativeDeviation.toFixed(2),
    'merge.combination': () => f.arithmetic.settings.combination,
  };
  const s = simple[name];
  if (!s) throw new Error(`<BeyondNumber name="${name}">: unknown; use variant.ID.(${Object.keys(FIELDS).join('|')}), ratio.ID.msPerStep, merge.ROW.TASK or one of ${Object.keys(simple).join(', ')}.`);
  return s();
}
