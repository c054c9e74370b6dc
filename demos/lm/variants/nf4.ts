/**
 * NF4, QLoRA's 4-bit NormalFloat (Dettmers et al. 2023), exactly as bitsandbytes'
 * `quantize_4bit(A, blocksize=64, quant_type="nf4")` computes it in its pure-PyTorch backend
 * (bitsandbytes/backends/default/ops.py), and `dequantize_4bit` back to float32.
 *
 *   1. Flatten the weight in row-major order and cut it into blocks of 64 consecutive values; a
 *      last, shorter block keeps its own absmax.
 *   2. absmax_b = max |x| over block b; x̂ = clamp(x · (1/absmax_b), −1, 1), in float32 (the
 *      backend multiplies by the rounded reciprocal; it does not divide).
 *   3. q = argmin_j |x̂ − code_j| over the 16 code values, computed in float32; argmin returns the
 *      first minimum, so a value exactly between two code values goes to the LOWER one (the CUDA
 *      kernel's decision tree, `x > midpoint`, agrees). A block of zeros has absmax 0, x̂ = 0·∞ =
 *      NaN, and argmin over NaNs is index 0 (code −1): it dequantises to −1·0 = 0 all the same.
 *   4. Dequantised value: code_q · absmax_b in float32.
 *
 * Storage: two codes per byte (4 bits each) plus one float32 absmax per block, i.e.
 * ⌈n/2⌉ + 4·⌈n/64⌉ bytes against 4n in float32: 4.5 bits per weight instead of 32.
 */
import { TARGET_MODULES, modulePath, type LanguageModel, type TargetModule, type Weight } from '../model';

/** The 16 NF4 code values (QLoRA appendix E; bitsandbytes' table), ascending, as float32. */
export const NF4_CODE: Float32Array = Float32Array.from([
  -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
  -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
  0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941,
  0.7229568362236023, 1.0,
]);

export const NF4_BLOCKSIZE = 64;

export interface Nf4Tensor {
  shape: number[];
  /** One code (0–15) per value, row-major; bitsandbytes packs two per byte (first in the high nibble). */
  codes: Uint8Array;
  /** One float32 absmax per block of `blocksize` values. */
  absmax: Float32Array;
  blocksize: number;
}

const f = Math.fround;

/** Index of the nearest code value to x̂, in float32 arithmetic, first minimum on ties. */
function nearestCode(scaled: number): number {
  if (Number.isNaN(scaled)) return 0;
  let best = 0;
  let bestDiff = Infinity;
  for (let j = 0; j < 16; j++) {
    const d = Math.abs(f(scaled - NF4_CODE[j]!));
    if (d < bestDiff) {
      best = j;
      bestDiff = d;
    }
  }
  return best;
}

/** quantize_4bit(quant_type="nf4"): codes and per-block absmax of a float32 tensor. */
export function quantizeNf4(w: Weight, blocksize = NF4_BLOCKSIZE): Nf4Tensor {
  if (!Number.isInteger(blocksize) || blocksize < 1) throw new Error(`blocksize must be a whole number ≥ 1, not ${blocksize}.`);
  const n = w.data.length;
  const blocks = Math.ceil(n / blocksize);
  const codes = new Uint8Array(n);
  const absmax = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const start = b * blocksize;
    const end = Math.min(n, start + blocksize);
    let m = 0;
    for (let i = start; i < end; i++) m = Math.max(m, Math.abs(w.data[i]!));
    absmax[b] = m;
    // 1/absmax rounded to float32, then each product rounded: torch's `A * (1 / absmax)`.
    const inv = f(1 / absmax[b]!);
    for (let i = start; i < end; i++) {
      // clamp(NaN) stays NaN in torch and in Math.min/max alike.
      codes[i] = nearestCode(Math.min(1, Math.max(-1, f(w.data[i]! * inv))));
    }
  }
  return { shape: [...w.shape], codes, absmax, blocksize };
}

/** dequantize_4bit: code_q · absmax_block, float32. */
export function dequantizeNf4(q: Nf4Tensor): Weight {
  const data = new Float32Array(q.codes.length);
  for (let i = 0; i < data.length; i++) data[i] = f(NF4_CODE[q.codes[i]!]! * q.absmax[Math.floor(i / q.blocksize)]!);
  return { shape: [...q.shape], data };
}

/** Bytes bitsandbytes stores for an n-value tensor: packed 4-bit codes plus one float32 absmax per block. */
export const nf4Bytes = (n: number, blocksize = NF4_BLOCKSIZE): number => Math.ceil(n / 2) + 4 * Math.ceil(n / blocksize);

export interface QuantizedModelMemory {
  /** Values in the quantised projections (q, k, v, o, gate, up, down of every layer). */
  quantizedParameters: number;
  /** Values left in float32: embeddings, norms, lm_head. */
  fullPrecisionParameters: number;
  /** The projections in float32: 4 bytes a value. */
  projectionFloat32Bytes: number;
  /** The projections in NF4: codes (4 bits a value) + absmax (4 bytes a block). */
  projectionNf4Bytes: number;
  /** Whole model, all float32. */
  modelFloat32Bytes: number;
  /** Whole model with NF4 projections and everything else float32. */
  modelNf4Bytes: number;
}

export interface QuantizedModel {
  /** The model with each projection replaced by its dequantised NF4 weight (what the 4-bit layer computes with). */
  model: LanguageModel;
  /** Codes and absmax per quantised weight, by state-dict name. */
  quantized: Map<string, Nf4Tensor>;
  memory: QuantizedModelMemory;
}

/**
 * Quantise the base model as transformers' 4-bit loading does for this model: every projection
 * (`TARGET_MODULES`) of every layer becomes NF4; embeddings, norms and lm_head stay float32.
 * The returned model holds the dequantised weights, so the engine runs it unchanged.
 */
export function quantizeModelNf4(model: LanguageModel, kinds: readonly TargetModule[] = TARGET_MODULES, blocksize = NF4_BLOCKSIZE): QuantizedModel {
  const weights = new Map(model.weights);
  const quantized = new Map<string, Nf4Tensor>();
  for (let i = 0; i < model.config.numLayers; i++) {
    for (const kind of kinds) {
      const name = `${modulePath(i, kind)}.weight`;
      const q = quantizeNf4(model.weights.get(name)!, blocksize);
      quantized.set(name, q);
      weights.set(name, dequantizeNf4(q));
    }
  }
  let total = 0;
  // lm_head may share its tensor with the embedding (tie_word_embeddings): count it once.
  for (const w of new Set(model.weights.values())) total += w.data.length;
  let qn = 0;
  let qBytes = 0;
  for (const q of quantized.values()) {
    qn += q.codes.length;
    qBytes += nf4Bytes(q.codes.length, blocksize);
  }
  return {
    model: { ...model, weights },
    quantized,
    memory: {
      quantizedParameters: qn,
      fullPrecisionParameters: total - qn,
      projectionFloat32Bytes: 4 * qn,
      projectionNf4Bytes: qBytes,
      modelFloat32Bytes: 4 * total,
      modelNf4Bytes: 4 * (total - qn) + qBytes,
    },
  };
}
