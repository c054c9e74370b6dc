/**
 * Merging an adapter into its weight: W' = W + s·B·A. Unmerging is the same graph with −s,
 * W = W' − s·B·A, so a merge/unmerge round trip adds and subtracts the very same float32 s·B·A.
 *
 * Inputs: w (d, k), a (r, k), b (d, r), hp (4) = [s, 0, 0, 0] (padded: WebGPU rejects
 * buffers under 16 bytes).
 */
import { GraphBuilder } from '../onnx/builder';

export type MergeShape = { d: number; k: number; r: number };

export const mergeKey = ({ d, k, r }: MergeShape): string => `merge_d${d}_k${k}_r${r}`;

export function buildMerge({ d, k, r }: MergeShape): GraphBuilder {
  const g = new GraphBuilder('merge');
  const w = g.input('w', [d, k]);
  const a = g.input('a', [r, k]);
  const b = g.input('b', [d, r]);
  const hp = g.input('hp', [4]);
  const s = g.gather(hp, [0], 0);
  const delta = g.mul(g.matmul(b, a), s); // ΔW = s·B·A, (d, k)
  g.output(g.add(w, delta), 'w_out', [d, k]); // W + ΔW
  return g;
}
