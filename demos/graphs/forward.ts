/**
 * The LoRA forward pass as one ONNX graph: h = x·Wᵀ + s·(x·Aᵀ)·Bᵀ.
 *
 * Inputs: x (N, k), w (d, k), a (r, k), b (d, r), hp (4) = [s, 0, 0, 0].
 * The scaling s is an input (padded to 4 floats: WebGPU rejects buffers under 16 bytes),
 * so one session per shape serves every α.
 */
import { GraphBuilder } from '../onnx/builder';

export type ForwardShape = { n: number; k: number; d: number; r: number };

export const forwardKey = ({ n, k, d, r }: ForwardShape): string => `lora_forward_n${n}_k${k}_d${d}_r${r}`;

export function buildLoraForward({ n, k, d, r }: ForwardShape): GraphBuilder {
  const g = new GraphBuilder('lora_forward');
  const x = g.input('x', [n, k]);
  const w = g.input('w', [d, k]);
  const a = g.input('a', [r, k]);
  const b = g.input('b', [d, r]);
  const hp = g.input('hp', [4]);
  const s = g.gather(hp, [0], 0); // s, shape (1)
  const base = g.matmulT(x, w); // x·Wᵀ, (N, d)
  const h = g.matmulT(x, a); // x·Aᵀ, (N, r)
  const sb = g.mul(b, s); // s·B, (d, r)
  // h = (x·Aᵀ)·(s·B)ᵀ + x·Wᵀ in one Gemm
  g.output(g.gemm(h, sb, { transB: true, c: base }), 'h', [n, d]);
  return g;
}
