/**
 * LoRA's variants as one configuration object, and what each needs besides the graph:
 *
 *  - `lora` (a LoraSpec) is what PEFT's LoraConfig saves: targets, r, α, rsLoRA, rank/alpha
 *    patterns, DoRA, the initialisation ('default' | 'gaussian' | 'pissa');
 *  - `loraplusRatio` (LoRA+) and `qlora` (NF4 base) change only training, not the saved format.
 *
 * `prepareVariant` returns the base the adapter trains on (PiSSA's residual W − s·B₀A₀, QLoRA's
 * NF4-dequantised projections) and the starting adapter; `exportAdapter` turns the trained
 * adapter into what PEFT saves for the ORIGINAL base (PiSSA: the rank-2r conversion of
 * `save_pretrained(path_initial_model_for_weight_conversion=…)`).
 */
import type { LanguageModelEngine } from '../engine';
import { SettingError } from '../../errors';
import { type LmTrainOptions, type LmTrainResult, trainLanguageModel, validateSpec } from '../train';
import { type Adapter, type LanguageModel, type LoraPair, type LoraSpec, type Weight, TARGET_MODULES, adapterParameterCount, copySpec, initAdapter, modulePath, moduleRank, moduleScaling, moduleShape } from '../model';
import { nf4Bytes, quantizeModelNf4 } from './nf4';
import { svd64 } from '../../linalg64';

/** One variant configuration: the saved LoRA spec plus the training-only knobs. */
export interface LoraVariant {
  lora: LoraSpec;
  /** LoRA+: B's (and DoRA magnitude's) learning rate = ratio × A's. Default 1. */
  loraplusRatio?: number;
  /** QLoRA: the seven projection kinds' base weights replaced by their NF4 round trip. */
  qlora?: boolean;
}

export interface PreparedVariant {
  variant: LoraVariant;
  /** The base the adapter is trained and evaluated on (residual and/or NF4-dequantised). */
  base: LanguageModel;
  /** The starting adapter (A₀, B₀, m₀). */
  adapter: Adapter;
  /** PiSSA's A₀, B₀, kept for the conversion on save. */
  pissaInitial?: Adapter;
}

/**
 * PiSSA's initialisation of one module, PEFT's `pissa_init` ("pissa", full SVD): with
 * W = V S Uᴴ (torch.linalg.svd's names: V left, Uh right), r the module's rank and s its scale,
 *   S_r ← S[:r] / s,  A₀ = diag(√S_r) Uh[:r],  B₀ = V[:, :r] diag(√S_r),  W_res = W − s·B₀A₀,
 * so s·B₀A₀ is W's best rank-r approximation and W_res + s·B₀A₀ = W. The SVD is float64
 * (svd64); A₀, B₀ and W_res are rounded to float32 as PEFT stores them, W_res from the rounded A₀, B₀.
 */
export function pissaInit(w: Weight, r: number, s: number): { a: Weight; b: Weight; residual: Weight } {
  const [out, inp] = w.shape as [number, number];
  const { u, s: sigma, vt, k } = svd64(w.data, out, inp);
  const a = new Float32Array(r * inp);
  const b = new Float32Array(out * r);
  for (let j = 0; j < r; j++) {
    const root = Math.sqrt(Math.fround(sigma[j]! / s));
    for (let c = 0; c < inp; c++) a[j * inp + c] = root * vt[j * inp + c]!;
    for (let i = 0; i < out; i++) b[i * r + j] = u[i * k + j]! * root;
  }
  const residual = new Float32Array(out * inp);
  for (let i = 0; i < out; i++) {
    for (let c = 0; c < inp; c++) {
      let ba = 0;
      for (let j = 0; j < r; j++) ba += b[i * r + j]! * a[j * inp + c]!;
      residual[i * inp + c] = w.data[i * inp + c]! - s * ba;
    }
  }
  return { a: { shape: [r, inp], data: a }, b: { shape: [out, r], data: b }, residual: { shape: [out, inp], data: residual } };
}

/**
 * The model with every projection weight replaced by its NF4 round trip: variants/nf4.ts's
 * `quantizeModelNf4` (bitsandbytes' quantize_4bit, block 64, then dequantize_4bit), which is what
 * a 4-bit layer computes with; embeddings, norms and the head stay float32.
 */
export const quantizeBase = (model: LanguageModel): LanguageModel => quantizeModelNf4(model).model;

/**
 * The base and starting adapter of a variant. PiSSA (float weights only, as PEFT requires) changes
 * the targeted weights to their residuals; QLoRA then quantises every projection weight.
 */
export function prepareVariant(model: LanguageModel, variant: LoraVariant, seed: number): PreparedVariant {
  const spec = variant.lora;
  if (spec.init !== 'pissa') {
    const base = variant.qlora ? quantizeBase(model) : model;
    // DoRA's magnitude is ‖W + s·BA‖ of the weight the layer holds: the quantised one under QLoRA (PEFT dequantises it).
    return { variant, base, adapter: initAdapter(model.config, spec, seed, base.weights) };
  }
  if (variant.qlora) {
    throw new SettingError('init', 'PiSSA with QLoRA is not supported here: PEFT initialises PiSSA on float weights and the saved rank-2r adapter would not apply to the quantised base. Choose one.');
  }
  if (spec.useDora) throw new SettingError('init', "PiSSA with DoRA cannot be saved for the original base: PEFT's conversion keeps only lora_A and lora_B. Choose one.");
  const c = model.config;
  const weights = new Map(model.weights);
  const modules: LoraPair[] = [];
  for (let i = 0; i < c.numLayers; i++) {
    for (const t of spec.targets) {
      const path = modulePath(i, t);
      const r = moduleRank(spec, path);
      const [out, inp] = moduleShape(c, t);
      if (r > Math.min(out, inp)) throw new SettingError('rank', `The rank of ${path} must be at most ${Math.min(out, inp)}, not ${r}.`);
      const p = pissaInit(model.weights.get(`${path}.weight`)!, r, moduleScaling(spec, path));
      weights.set(`${path}.weight`, p.residual);
      modules.push({ path, a: p.a, b: p.b });
    }
  }
  const adapter: Adapter = { spec: copySpec(spec), modules };
  return { variant, base: { ...model, weights }, adapter, pissaInitial: adapter };
}

/**
 * The adapter as PEFT saves it for the original base. Plain, gaussian, DoRA: unchanged. PiSSA:
 * PEFT's `subtract_mutated_init` and `save_pretrained` with `path_initial_model_for_weight_conversion`:
 *   A' = [A; A₀] (2r × in),  B' = [B, −B₀] (out × 2r),  so s'·B'A' = s·(BA − B₀A₀) = ΔW,
 * with r' = 2r, α' = 2α (α·√2 under rsLoRA, keeping α'/√r' = α/√r), every rank_pattern and
 * alpha_pattern value doubled, and init_lora_weights = true.
 */
export function exportAdapter(prepared: PreparedVariant, trained: Adapter): Adapter {
  const init = prepared.pissaInitial;
  if (!init) return trained;
  const spec = copySpec(trained.spec);
  spec.init = 'default';
  spec.rank = 2 * spec.rank;
  spec.alpha = spec.useRslora ? spec.alpha * 2 ** 0.5 : 2 * spec.alpha;
  if (spec.rankPattern) spec.rankPattern = Object.fromEntries(Object.entries(spec.rankPattern).map(([k, v]) => [k, 2 * v]));
  if (spec.alphaPattern) spec.alphaPattern = Object.fromEntries(Object.entries(spec.alphaPattern).map(([k, v]) => [k, 2 * v]));
  const modules = trained.modules.map((m, idx): LoraPair => {
    const m0 = init.modules[idx]!;
    if (m0.path !== m.path) throw new Error(`exportAdapter: module order differs (${m.path} vs ${m0.path})`);
    const [r, inp] = m.a.shape as [number, number];
    const out = m.b.shape[0]!;
    const a = new Float32Array(2 * r * inp);
    a.set(m.a.data, 0);
    a.set(m0.a.data, r * inp);
    const b = new Float32Array(out * 2 * r);
    for (let i = 0; i < out; i++) {
      for (let j = 0; j < r; j++) {
        b[i * 2 * r + j] = m.b.data[i * r + j]!;
        b[i * 2 * r + r + j] = -m0.b.data[i * r + j]!;
      }
    }
    return { path: m.path, a: { shape: [2 * r, inp], data: a }, b: { shape: [out, 2 * r], data: b } };
  });
  return { spec, modules };
}

/** Bytes of a base's weights: float32 everywhere, or (QLoRA) 4-bit codes plus one float32 absmax per 64-value block for the projections (nf4.ts's figures). */
export function baseWeightBytes(model: LanguageModel, qlora: boolean): number {
  let n = 0;
  for (const w of new Set(model.weights.values())) n += w.data.length;
  if (!qlora) return 4 * n;
  let bytes = 4 * n;
  for (let i = 0; i < model.config.numLayers; i++) {
    for (const kind of TARGET_MODULES) {
      const k = model.weights.get(`${modulePath(i, kind)}.weight`)!.data.length;
      bytes += nf4Bytes(k) - 4 * k;
    }
  }
  return bytes;
}

/** What `trainVariant` returns: the training result on the variant's base, and the adapter as PEFT saves it. */
export interface VariantTrainResult extends LmTrainResult {
  prepared: PreparedVariant;
  /** The trained adapter on `prepared.base` (the one the engine evaluates with). */
  trained: Adapter;
  /** `exportAdapter(prepared, trained)`: what PEFT saves, for the original base (PiSSA converted). */
  peft: Adapter;
}

/**
 * Prepare, train and export one variant: `trainLanguageModel` on the variant's base with its
 * starting adapter and LoRA+ ratio. Options are trainLanguageModel's, less `model`/`mode`/`adapter`
 * (taken from the variant).
 */
export async function trainVariant(
  engine: LanguageModelEngine,
  o: Omit<LmTrainOptions, 'mode' | 'adapter' | 'loraplusRatio'> & { variant: LoraVariant },
): Promise<VariantTrainResult> {
  validateSpec(o.model, o.variant.lora);
  const prepared = prepareVariant(o.model, o.variant, o.seed ?? 0);
  const { variant, ...rest } = o;
  const r = await trainLanguageModel(engine, {
    ...rest,
    model: prepared.base,
    mode: variant.lora,
    adapter: prepared.adapter,
    ...(variant.loraplusRatio !== undefined ? { loraplusRatio: variant.loraplusRatio } : {}),
  });
  return { ...r, prepared, trained: r.adapter!, peft: exportAdapter(prepared, r.adapter!) };
}

/** The counts a page shows for a variant, computed from the model's config and the spec. */
export interface VariantFacts {
  /** r·(in + out) per module (its own r) plus `out` per DoRA module. */
  trainableParameters: number;
  /** Trainable parameters, their gradients and Adam's two moments, float32. */
  trainingStateBytes: number;
  /** Parameters in the saved adapter: PiSSA's conversion saves rank 2r, so twice the trainable A and B. */
  savedParameters: number;
  /** Bytes of the base's weights the variant trains on (NF4 codes + absmax for QLoRA's projections). */
  baseWeightBytes: number;
  /** The same base in float32, for comparison. */
  baseWeightBytesFloat32: number;
}

export function variantFacts(model: LanguageModel, variant: LoraVariant): VariantFacts {
  const trainable = adapterParameterCount(model.config, variant.lora);
  return {
    trainableParameters: trainable,
    trainingStateBytes: 16 * trainable,
    savedParameters: variant.lora.init === 'pissa' ? 2 * trainable : trainable,
    baseWeightBytes: baseWeightBytes(model, variant.qlora === true),
    baseWeightBytesFloat32: baseWeightBytes(model, false),
  };
}
