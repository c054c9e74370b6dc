/**
 * §10 The variants side by side: which variants, the task, the shared rank, α, rate, batch, steps
 * and seed, rsLoRA's high rank and LoRA+'s ratio. Run / Cancel / Reset (a run trains every chosen
 * variant in turn: minutes); the committed run is shown until then. Each finished variant's
 * adapter is offered in the Download menu as PEFT saves it.
 */
import {
  LORA_VARIANTS_DEFAULTS as D,
  LM_TASKS,
  LORA_VARIANT_IDS,
  MAX_LM_BATCH,
  MAX_LM_STEPS,
  variantLabel,
  type LmTask,
  type LoraVariantId,
  type LoraVariantsProgress,
  type LoraVariantsResult,
  type LoraVariantsSettings,
} from '../../demos/index';
import { variantsFigure } from '../charts/beyond-lora';
import type { DownloadSource } from '../demo-kit/downloads';
import type { View } from '../demo-kit/view';
import { alpha, int, lr, num, oneOf, seed, someOf } from '../demo-kit/params';
import { defineDemo } from '../demo-kit/spec';
import { taskLabel as TASK_LABEL } from './parts/language-model';

const DESCRIBE: Record<LoraVariantId, string> = {
  lora: 'LoRA',
  dora: 'DoRA',
  pissa: 'PiSSA',
  loraplus: 'LoRA+',
  qlora: 'QLoRA',
  rslora: 'rsLoRA (high rank)',
  lorahigh: 'LoRA (high rank)',
};

const params = {
  variants: someOf<LoraVariantId>('Variants', D.variants, LORA_VARIANT_IDS.map((v) => ({ value: v, label: DESCRIBE[v], token: v })), 'Trained one after another on the same batches'),
  task: oneOf<LmTask>('Task', D.task, LM_TASKS.map((t) => ({ value: t, label: TASK_LABEL(t) }))),
  // Not named `steps`: the toolbar's time estimate multiplies a `steps` control by one run's time a step, and a run here trains every chosen variant.
  stepsEach: int('Steps per variant', D.steps, 1, MAX_LM_STEPS, `Adam steps for each variant, at most ${MAX_LM_STEPS}`),
  rank: int('Rank r', D.rank, 1, 4096),
  alpha: alpha(D.alpha),
  highRank: int('High rank (rsLoRA)', D.highRank, 1, 4096, 'The rank of rsLoRA and of the high-rank LoRA'),
  loraplusRatio: num('LoRA+ ratio', D.loraplusRatio, 0, 1e4, true, "B's learning rate ÷ A's"),
  lr: lr(D.lr),
  batch: int('Batch', D.batch, 1, MAX_LM_BATCH, `Windows per step, at most ${MAX_LM_BATCH}`),
  seed: seed(D.seed),
};

const MB = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
const count = (n: number) => Math.round(n).toLocaleString('en');
const nats = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '…');

export function variantsView(r: LoraVariantsResult): View {
  const s = r.settings;
  const head = ['Variant', 'Held-out before', 'after', 'Trainable', 'Saved', 'Base weights', 'ms/step'];
  const rows = r.rows.map((row) => [
    variantLabel(row.id, s) + (r.running === row.id ? ' (training)' : ''),
    nats(row.valBefore),
    nats(row.valAfter),
    count(row.trainableParameters),
    count(row.savedParameters),
    MB(row.baseWeightBytes),
    row.msPerStep > 0 ? row.msPerStep.toFixed(0) : '…',
  ]);
  const printout = [
    `${TASK_LABEL(s.task)} · ${s.targets.join(', ')} · r = ${s.rank}, α = ${s.alpha} (high rank ${s.highRank}) · Adam lr ${s.lr} · batch ${s.batch} · ${s.steps} steps · seed ${s.seed} · ${r.info.backend === 'webgpu' ? 'WebGPU' : 'WebAssembly'}`,
    ...r.rows.map((row) =>
      `${variantLabel(row.id, s).padEnd(24)} held-out ${nats(row.valBefore)} → ${nats(row.valAfter)} · ${count(row.trainableParameters)} trainable · base ${MB(row.baseWeightBytes)} · ${row.msPerStep > 0 ? `${row.msPerStep.toFixed(0)} ms/step` : 'timing…'}`,
    ),
  ].join('\n');
  return {
    panels: variantsFigure(r),
    printout,
    tables: [{ caption: 'Each variant on the same task, batches and held-out windows (loss in nats per character; base weights: the memory of the frozen model the adapter trains on)', head, rows }],
  };
}

function liveLabel(p: LoraVariantsProgress): string {
  if (p.phase === 'loading') return p.total > 0 ? `Loading the model and texts: ${(p.loaded / 1e6).toFixed(1)} of ${(p.total / 1e6).toFixed(1)} MB` : 'Loading the model and texts…';
  const r = p.result;
  return r.running ? `${variantLabel(r.running, r.settings)}: step ${p.steps} of ${r.settings.steps} (variant ${r.rows.length} of ${r.settings.variants.length})` : `${r.rows.length} of ${r.settings.variants.length} variants done`;
}

const bytesOf = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** Every finished variant's adapter as PEFT saves it: save each pair into a folder named like the variant. */
function downloads(r: LoraVariantsResult): DownloadSource[] {
  return r.rows.flatMap((row): DownloadSource[] => {
    const peft = row.peft;
    if (!peft) return [];
    const name = variantLabel(row.id, r.settings);
    return [
      { label: `${name} · adapter_config.json`, filename: `${row.id}-adapter_config.json`, make: () => new Blob([peft.config], { type: 'application/json' }) },
      { label: `${name} · adapter_model.safetensors`, filename: `${row.id}-adapter_model.safetensors`, make: () => new Blob([bytesOf(peft.safetensors)], { type: 'application/octet-stream' }) },
    ];
  });
}

const ROOT = import.meta.env.BASE_URL;

export const spec = defineDemo({
  id: 'lora-variants',
  experiment: 'loraVariants',
  defaultsFrom: 'chapter',
  params,
  presets: [
    { id: 'quick', label: 'Quick look: LoRA, DoRA, QLoRA, 30 steps', values: { variants: ['lora', 'dora', 'qlora'], stepsEach: 30 } },
    { id: 'rank', label: 'Scaling at rank 128: rsLoRA vs LoRA', values: { variants: ['lora', 'rslora', 'lorahigh'], highRank: 128 } },
  ],
  controlFor: { steps: 'stepsEach' },
  check: (v) => (v.variants.length === 0 ? { variants: 'Choose at least one variant to train.' } : {}),
  settings: (v): Partial<LoraVariantsSettings> => ({
    variants: LORA_VARIANT_IDS.filter((id) => v.variants.includes(id)),
    task: v.task,
    steps: v.stepsEach,
    rank: v.rank,
    alpha: v.alpha,
    highRank: v.highRank,
    loraplusRatio: v.loraplusRatio,
    lr: v.lr,
    batch: v.batch,
    seed: v.seed,
    root: ROOT,
  }),
  view: (r) => variantsView(r),
  live: { view: (p) => variantsView(p.result), label: liveLabel },
  runButtons: true,
  autoRun: false,
  downloads,
});
