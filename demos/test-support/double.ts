/**
 * Test support: run a GraphBuilder graph in float64. Every float32 input, output, value and
 * constant of the ModelProto is retyped to DOUBLE (onnxruntime's CPU kernels of the ops the
 * Tape emits all have double versions), so gradient rules can be checked against central
 * finite differences without float32 rounding drowning the comparison.
 */
import * as ort from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import type { GraphBuilder } from '../onnx/builder';

const proto = onnxProto.onnx;
const F32 = proto.TensorProto.DataType.FLOAT;
const F64 = proto.TensorProto.DataType.DOUBLE;

export function toDoubleModel(g: GraphBuilder): Uint8Array {
  const model = g.toModel();
  const graph = model.graph!;
  for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    if (v.type?.tensorType && (v.type.tensorType.elemType ?? F32) === F32) v.type.tensorType.elemType = F64;
  }
  for (const t of graph.initializer ?? []) {
    if (t.dataType === F32) {
      t.dataType = F64;
      t.doubleData = Array.from(t.floatData ?? []);
      t.floatData = [];
    }
  }
  return proto.ModelProto.encode(proto.ModelProto.create(model as never)).finish();
}

export class DoubleGraph {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(g: GraphBuilder): Promise<DoubleGraph> {
    return new DoubleGraph(await ort.InferenceSession.create(toDoubleModel(g), { executionProviders: ['wasm'] }));
  }

  async run(feeds: Record<string, { data: Float64Array; shape: readonly number[] }>): Promise<Record<string, Float64Array>> {
    const f: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float64', v.data, [...v.shape]);
    const out = await this.session.run(f);
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.data as Float64Array]));
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
