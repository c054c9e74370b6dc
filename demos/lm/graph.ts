/**
 * LlamaForCausalLM's forward pass as ONNX ops on a Tape, with LoRA on chosen modules.
 *
 * Tokens come in one-hot, X (B·T, V), so the embedding is a matmul X·E and the loss a sum
 * against one-hot targets Y: both stay differentiable with the Tape's MatMul and Mul rules,
 * and no Gather/Scatter gradient is needed. Per layer, as transformers computes it:
 *
 *   n = RMSNorm(h) = h / √(mean(h²) + ε) ⊙ w
 *   q, k, v = n W_qᵀ (+ s·(n Aᵀ)Bᵀ), …    split into H heads of size d_h
 *   q ← q ⊙ cos + rotate_half(q) ⊙ sin    (rotate_half(x) = [−x₂, x₁]: halves swapped, sign in the table)
 *   h ← h + softmax(q kᵀ/√d_h + mask) v W_oᵀ
 *   h ← h + W_down (SiLU(W_gate n) ⊙ W_up n),   SiLU(z) = z·σ(z)
 *
 * then logits = RMSNorm(h) W_headᵀ and the mean cross-entropy L = −(1/BT) Σ Y ⊙ log softmax(logits).
 */
import type { Tape, Tensor } from './autodiff';
import { type LlamaConfig, type LoraSpec, TARGET_MODULES, type TargetModule, modulePath, moduleRank, moduleScaling, moduleShape, weightNames } from './model';

/** Tensors of the model's weights on the tape, by transformers' names. */
export type WeightTensors = Map<string, Tensor>;

/**
 * A (r, in), B (out, r) and, for DoRA, the magnitude m (out) of each adapted module, by module
 * path. `norm` (tests only) replaces DoRA's detached ‖W + s·B·A‖ by a given tensor.
 */
export type AdapterTensors = Map<string, { a: Tensor; b: Tensor; m?: Tensor; norm?: Tensor }>;

/** The RoPE tables, (T, d_h), as transformers computes them in float32. */
export function ropeTables(c: LlamaConfig, T: number): { cos: Float32Array; sin: Float32Array } {
  const hd = c.hiddenSize / c.numHeads;
  const cos = new Float32Array(T * hd);
  const sin = new Float32Array(T * hd);
  for (let i = 0; i < hd / 2; i++) {
    // inv_freq = 1 / θ^(2i/d_h), then freqs = position · inv_freq, each rounded to float32
    const invFreq = Math.fround(1 / Math.fround(c.ropeTheta ** Math.fround((2 * i) / hd)));
    for (let p = 0; p < T; p++) {
      const f = Math.fround(p * invFreq);
      cos[p * hd + i] = cos[p * hd + i + hd / 2] = Math.cos(f);
      sin[p * hd + i] = sin[p * hd + i + hd / 2] = Math.sin(f);
    }
  }
  return { cos, sin };
}

export interface ForwardShape {
  batch: number;
  context: number;
}

/** Declare the model's weights as graph inputs named as in the state dict. */
export function weightInputs(tape: Tape, c: LlamaConfig, differentiable: boolean): WeightTensors {
  const m = new Map<string, Tensor>();
  for (const name of weightNames(c)) m.set(name, tape.input(name, weightShape(c, name), differentiable));
  return m;
}

export function weightShape(c: LlamaConfig, name: string): number[] {
  if (name === 'model.embed_tokens.weight' || name === 'lm_head.weight') return [c.vocabSize, c.hiddenSize];
  if (name.endsWith('norm.weight')) return [c.hiddenSize];
  const m = TARGET_MODULES.find((t) => name.endsWith(`.${t}.weight`));
  if (!m) throw new Error(`unknown weight ${name}`);
  return moduleShape(c, m);
}

/** Names of an adapter's graph inputs for a module path (PEFT's key names without the prefix). */
export const adapterInputNames = (path: string): { a: string; b: string; m: string } => ({
  a: `${path}.lora_A.weight`,
  b: `${path}.lora_B.weight`,
  m: `${path}.lora_magnitude_vector`,
});

export function adapterInputs(tape: Tape, c: LlamaConfig, spec: LoraSpec): AdapterTensors {
  const m: AdapterTensors = new Map();
  for (let i = 0; i < c.numLayers; i++) {
    for (const t of spec.targets) {
      const [out, inp] = moduleShape(c, t);
      const path = modulePath(i, t);
      const r = moduleRank(spec, path);
      const names = adapterInputNames(path);
      m.set(path, {
        a: tape.input(names.a, [r, inp], true),
        b: tape.input(names.b, [out, r], true),
        ...(spec.useDora ? { m: tape.input(names.m, [out], true) } : {}),
      });
    }
  }
  return m;
}

/**
 * DoRA's weight norm ‖W + s·B·A‖ per output row (dim = 1 of the (out, in) weight), built with raw
 * graph ops, off the tape: PEFT detaches it (`weight_norm.detach()`, DoRA paper §4.3), so no
 * gradient flows through it to A or B.
 */
export function doraWeightNorm(t: Tape, w: Tensor, a: Tensor, b: Tensor, s: number): Tensor {
  const g = t.g;
  const sum = g.add(w.name, g.scale(g.matmul(b.name, a.name), s));
  return t.known(g.sqrt(g.reduceSum(g.mul(sum, sum), [1], false)), [w.shape[0]!]);
}

/**
 * A DoRA-adapted linear layer as PEFT's `DoraLinearLayer.forward` computes it without dropout
 * (`base_result` = x Wᵀ, reused):
 *   k = m / ‖W + s·B·A‖   (norm detached, one entry per output row)
 *   y = x Wᵀ + [(k − 1) ⊙ x Wᵀ + (k ⊙ (x Aᵀ) Bᵀ) · s]
 * `norm` is the detached norm (doraWeightNorm); a test passes it as an input to check the
 * gradients of the frozen-norm function against finite differences.
 */
export function doraLinear(t: Tape, x: Tensor, w: Tensor, a: Tensor, b: Tensor, m: Tensor, s: number, norm: Tensor): Tensor {
  const base = t.linear(x, w);
  const k = t.div(m, norm);
  const lora = t.linear(t.linear(x, a), b);
  const dora = t.add(t.mul(t.sub(k, t.scalar(1)), base), t.scale(t.mul(k, lora), s));
  return t.add(base, dora);
}

function rmsNorm(t: Tape, x: Tensor, w: Tensor, eps: number): Tensor {
  const variance = t.reduceMean(t.mul(x, x), [x.shape.length - 1]);
  return t.mul(t.div(x, t.sqrt(t.add(variance, t.scalar(eps)))), w);
}

/**
 * Build the forward pass; returns logits (B·T, V) and the loss (a scalar) when targets are given.
 * `adapter` may be undefined (the base model); each module's scale s = α/r or α/√r uses its own
 * r and α (rank_pattern / alpha_pattern); DoRA modules go through `doraLinear`.
 */
export function buildForward(
  t: Tape,
  c: LlamaConfig,
  shape: ForwardShape,
  weights: WeightTensors,
  x: Tensor,
  y: Tensor | undefined,
  adapter?: { tensors: AdapterTensors; spec: LoraSpec },
): { logits: Tensor; loss?: Tensor } {
  const { batch: B, context: T } = shape;
  const H = c.numHeads;
  const hd = c.hiddenSize / H;
  const d = c.hiddenSize;
  const w = (name: string): Tensor => weights.get(name)!;
  const norms = new Map<string, Tensor>();

  const proj = (layer: number, m: TargetModule, input: Tensor): Tensor => {
    const path = modulePath(layer, m);
    const weight = w(`${path}.weight`);
    const ab = adapter?.tensors.get(path);
    if (!ab) return t.linear(input, weight);
    const s = moduleScaling(adapter!.spec, path);
    if (ab.m) {
      let norm = ab.norm ?? norms.get(path);
      if (!norm) norms.set(path, (norm = doraWeightNorm(t, weight, ab.a, ab.b, s)));
      return doraLinear(t, input, weight, ab.a, ab.b, ab.m, s, norm);
    }
    // y = x Wᵀ + s·(x Aᵀ) Bᵀ, PEFT's order of operations
    return t.add(t.linear(input, weight), t.scale(t.linear(t.linear(input, ab.a), ab.b), s));
  };

  // RoPE is applied in the (B, T, H, d_h) layout the projections reshape to, before the heads are
  // moved forward, so that k goes to (B, H, d_h, T) in one Transpose. The tables are (T, H, d_h),
  // repeated over the heads: a Mul broadcast only over the batch runs on contiguous spans, at the
  // speed of a same-shape Mul (over (T, 1, d_h) it took twice as long). rotate_half(z)·sin =
  // swapHalves(z)·[−sin, sin]: the sign lives in the table (exact: negation is), not in a Neg.
  const rope = ropeTables(c, T);
  const cosTable = new Float32Array(T * H * hd);
  const sinTable = new Float32Array(T * H * hd);
  for (let p = 0; p < T; p++) {
    for (let hh = 0; hh < H; hh++) {
      for (let i = 0; i < hd; i++) {
        cosTable[(p * H + hh) * hd + i] = rope.cos[p * hd + i]!;
        sinTable[(p * H + hh) * hd + i] = i < hd / 2 ? -rope.sin[p * hd + i]! : rope.sin[p * hd + i]!;
      }
    }
  }
  const cos = t.constant(cosTable, [T, H, hd]);
  const sin = t.constant(sinTable, [T, H, hd]);
  const mask = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) mask[i * T + j] = -1e9;
  const causal = t.constant(mask, [T, T]);

  const split = (z: Tensor): Tensor => t.reshape(z, [B, T, H, hd]);
  const heads = (z: Tensor): Tensor => t.transpose(z, [0, 2, 1, 3]); // (B, T, H, d_h) → (B, H, T, d_h)
  const applyRope = (z: Tensor): Tensor => t.add(t.mul(z, cos), t.mul(t.swapHalves(z), sin));

  let h = t.matmul(x, w('model.embed_tokens.weight')); // (B·T, d)
  for (let i = 0; i < c.numLayers; i++) {
    const n = rmsNorm(t, h, w(`model.layers.${i}.input_layernorm.weight`), c.rmsNormEps);
    const q = heads(applyRope(split(proj(i, 'q_proj', n))));
    const kT = t.transpose(applyRope(split(proj(i, 'k_proj', n))), [0, 2, 3, 1]); // kᵀ per head: (B, H, d_h, T)
    const v = heads(split(proj(i, 'v_proj', n)));
    const scores = t.add(t.scale(t.matmul(q, kT), 1 / Math.sqrt(hd)), causal);
    const att = t.matmul(t.softmax(scores), v); // (B, H, T, d_h)
    const merged = t.reshape(t.transpose(att, [0, 2, 1, 3]), [B * T, d]);
    h = t.add(h, proj(i, 'o_proj', merged));
    const n2 = rmsNorm(t, h, w(`model.layers.${i}.post_attention_layernorm.weight`), c.rmsNormEps);
    const gate = proj(i, 'gate_proj', n2);
    const silu = t.mul(gate, t.sigmoid(gate));
    h = t.add(h, proj(i, 'down_proj', t.mul(silu, proj(i, 'up_proj', n2))));
  }
  const logits = t.linear(rmsNorm(t, h, w('model.norm.weight'), c.rmsNormEps), w('lm_head.weight'));
  if (!y) return { logits };
  const loss = t.scale(t.sumAll(t.mul(y, t.logSoftmax(logits))), -1 / (B * T));
  return { logits, loss };
}
