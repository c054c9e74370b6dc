/**
 * A small, typed ONNX graph builder on top of `onnx-proto`.
 *
 * Graphs are written as readable TypeScript: every op helper returns the name of
 * the tensor it produces, so a graph definition reads like the maths it implements:
 *
 *   const g = new GraphBuilder('lora_forward');
 *   const x = g.input('x', ['N', k]);
 *   const h = g.add(g.matmulT(x, w), g.mul(g.scalar(s), g.matmulT(g.matmulT(x, a), b)));
 *   g.output(h, 'y', ['N', d]);
 *   const bytes = g.toBytes();
 *
 * All tensors are float32 unless a helper says otherwise. Opset 17.
 */
import type { onnx } from 'onnx-proto';
// onnx-proto is CommonJS: its default export is module.exports in Node's ESM loader (tsx,
// `npm run bench`) and in Vite alike, where a named import only works under Vite.
import onnxProto from 'onnx-proto';

const proto = onnxProto.onnx;

export const OPSET = 17;
export type Dim = number | string;
type AttrValue = number | number[] | string | { floats: number[] } | { int: number } | { float: number };

const F32 = proto.TensorProto.DataType.FLOAT;
const I64 = proto.TensorProto.DataType.INT64;

function valueInfo(name: string, dims: Dim[], elemType: number = F32): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnx.IAttributeProto {
  const T = proto.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (typeof v === 'number') {
    // Plain numbers are ints when integral; use { float } to force a float attribute.
    return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  }
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  if ('int' in v) return { name, type: T.INT, i: v.int };
  return { name, type: T.FLOAT, f: v.float };
}

export class GraphBuilder {
  private readonly nodes: onnx.INodeProto[] = [];
  private readonly inputs: onnx.IValueInfoProto[] = [];
  private readonly outputs: onnx.IValueInfoProto[] = [];
  private readonly initializers: onnx.ITensorProto[] = [];
  private readonly scalarCache = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh tensor name with a readable prefix. */
  fresh(prefix = 't'): string {
    return `${prefix}_${this.counter++}`;
  }

  /** Declare a float32 graph input. */
  input(name: string, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Expose `tensor` as a graph output called `name` (adds an Identity when renaming). */
  output(tensor: string, name: string = tensor, dims?: Dim[]): string {
    if (tensor !== name) this.nodes.push({ opType: 'Identity', input: [tensor], output: [name], name: `out_${name}` });
    this.outputs.push(dims ? valueInfo(name, dims) : { name });
    return name;
  }

  /** A float32 constant stored in the graph (initializer). */
  constant(data: ArrayLike<number>, dims: number[], prefix = 'c'): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: F32, dims, floatData: Array.from(data) });
    return name;
  }

  /** An int64 constant (shapes, axes, indices). */
  int64(data: number[], dims: number[] = [data.length], prefix = 'i'): string {
    const name = this.fresh(prefix);
    this.initializers.push({ name, dataType: I64, dims, int64Data: data });
    return name;
  }

  /** A float32 scalar constant, shared between uses. */
  scalar(v: number): string {
    const key = Object.is(v, -0) ? '-0' : String(v);
    let name = this.scalarCache.get(key);
    if (!name) {
      name = this.constant([v], [], 's');
      this.scalarCache.set(key, name);
    }
    return name;
  }

  /** Append a node; returns its output names (one unless `nOutputs` says more). */
  nodeN(opType: string, inputs: string[], nOutputs: number, attrs: Record<string, AttrValue> = {}): string[] {
    const output = Array.from({ length: nOutputs }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({
      opType,
      input: inputs,
      output,
      name: `${opType}_${this.counter++}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.nodeN(opType, inputs, 1, attrs)[0]!;
  }

  // ---- elementwise ----
  add(a: string, b: string): string { return this.node('Add', [a, b]); }
  sub(a: string, b: string): string { return this.node('Sub', [a, b]); }
  mul(a: string, b: string): string { return this.node('Mul', [a, b]); }
  div(a: string, b: string): string { return this.node('Div', [a, b]); }
  neg(a: string): string { return this.node('Neg', [a]); }
  sqrt(a: string): string { return this.node('Sqrt', [a]); }
  abs(a: string): string { return this.node('Abs', [a]); }
  /** a · s for a number s. */
  scale(a: string, s: number): string { return s === 1 ? a : this.mul(a, this.scalar(s)); }
  where(cond: string, a: string, b: string): string { return this.node('Where', [cond, a, b]); }
  less(a: string, b: string): string { return this.node('Less', [a, b]); }
  greater(a: string, b: string): string { return this.node('Greater', [a, b]); }

  // ---- linear algebra ----
  matmul(a: string, b: string): string { return this.node('MatMul', [a, b]); }
  /** a · bᵀ for 2-D a, b (Gemm with transB). */
  matmulT(a: string, b: string): string { return this.node('Gemm', [a, b], { transB: 1 }); }
  /** aᵀ · b for 2-D a, b (Gemm with transA). */
  tmatmul(a: string, b: string): string { return this.node('Gemm', [a, b], { transA: 1 }); }
  /** alpha·op(a)·op(b) + beta·c with Gemm's flags. */
  gemm(a: string, b: string, o: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number; c?: string } = {}): string {
    const attrs: Record<string, AttrValue> = {};
    if (o.transA) attrs.transA = 1;
    if (o.transB) attrs.transB = 1;
    if (o.alpha !== undefined) attrs.alpha = { float: o.alpha };
    if (o.beta !== undefined) attrs.beta = { float: o.beta };
    return this.node('Gemm', o.c ? [a, b, o.c] : [a, b], attrs);
  }
  transpose(a: string, perm?: number[]): string { return this.node('Transpose', [a], perm ? { perm } : {}); }

  // ---- shape ----
  reshape(a: string, shape: number[]): string { return this.node('Reshape', [a, this.int64(shape)]); }
  concat(xs: string[], axis: number): string { return this.node('Concat', xs, { axis }); }
  /** Slice along the given axes, [starts, ends). */
  slice(a: string, starts: number[], ends: number[], axes: number[]): string {
    return this.node('Slice', [a, this.int64(starts), this.int64(ends), this.int64(axes)]);
  }
  gather(a: string, indices: number[], axis: number): string {
    return this.node('Gather', [a, this.int64(indices)], { axis });
  }

  // ---- reductions (opset 17: ReduceSum takes axes as input, the others as attribute) ----
  reduceSum(a: string, axes?: number[], keepdims = false): string {
    return this.node('ReduceSum', axes ? [a, this.int64(axes)] : [a], { keepdims: keepdims ? 1 : 0 });
  }
  reduceMean(a: string, axes?: number[], keepdims = false): string {
    return this.node('ReduceMean', [a], { ...(axes ? { axes } : {}), keepdims: keepdims ? 1 : 0 });
  }
  reduceSumSquare(a: string, axes?: number[], keepdims = false): string {
    return this.node('ReduceSumSquare', [a], { ...(axes ? { axes } : {}), keepdims: keepdims ? 1 : 0 });
  }

  /** Serialise to an ONNX ModelProto. */
  toModel(): onnx.IModelProto {
    return {
      irVersion: 8,
      producerName: 'lora-from-scratch-live',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: {
        name: this.name,
        node: this.nodes,
        input: this.inputs,
        output: this.outputs,
        initializer: this.initializers,
      },
    };
  }

  toBytes(): Uint8Array {
    return proto.ModelProto.encode(proto.ModelProto.create(this.toModel() as onnx.ModelProto)).finish();
  }

  /** Number of nodes, for session-size budgeting. */
  get size(): number {
    return this.nodes.length;
  }
}
