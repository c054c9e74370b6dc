/**
 * Merging an adapter into the base weights as `merge_and_unload()` does: W' = W + s·B·A with each
 * module's own s (rank/alpha patterns); for DoRA (PEFT's `DoraLinearVariant.merge_safe`)
 * W' = (m / ‖W + s·B·A‖)·(W + s·B·A), the norm per output row (dim 1). The merged model has no
 * adapter and computes the same logits (up to float32 rounding).
 */
import type { LanguageModelEngine } from './engine';
import { type Adapter, type LanguageModel, moduleScaling } from './model';

export function mergeAdapter(model: LanguageModel, adapter: Adapter): LanguageModel {
  const weights = new Map(model.weights);
  for (const m of adapter.modules) {
    const s = moduleScaling(adapter.spec, m.path);
    const name = `${m.path}.weight`;
    const w = model.weights.get(name)!;
    const [out, inp] = w.shape as [number, number];
    const r = m.a.shape[0]!;
    const merged = new Float32Array(w.data);
    const row = new Float64Array(inp);
    // W'[i, j] = W[i, j] + s Σ_k B[i, k] A[k, j], accumulated in float64
    for (let i = 0; i < out; i++) {
      let sq = 0;
      for (let j = 0; j < inp; j++) {
        let acc = 0;
        for (let k = 0; k < r; k++) acc += m.b.data[i * r + k]! * m.a.data[k * inp + j]!;
        row[j] = w.data[i * inp + j]! + s * acc;
        sq += row[j]! * row[j]!;
      }
      // DoRA: every row rescaled to its magnitude m_i.
      const factor = m.magnitude ? m.magnitude.data[i]! / Math.sqrt(sq) : 1;
      for (let j = 0; j < inp; j++) merged[i * inp + j] = factor * row[j]!;
    }
    weights.set(name, { shape: w.shape, data: merged });
  }
  return { ...model, weights };
}

/**
 * max |logits(merged) − logits(base + adapter)| on one window: how far merging moved the output
 * (float32 rounding only, when the merge is right).
 */
export async function mergedLogitsDifference(engine: LanguageModelEngine, model: LanguageModel, adapter: Adapter, ids: number[]): Promise<{ merged: LanguageModel; maxAbsDifference: number }> {
  const merged = mergeAdapter(model, adapter);
  const batch = { x: ids, batch: 1, context: ids.length };
  const a = (await engine.forward(merged, batch)).logits;
  const b = (await engine.forward(model, batch, adapter)).logits;
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return { merged, maxAbsDifference: max };
}
