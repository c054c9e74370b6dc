/**
 * A small reverse-mode automatic differentiation over GraphBuilder.
 *
 * A `Tape` records every op of a forward graph with its static shape and, for each op, a
 * gradient rule that emits the backward nodes in standard ONNX ops (no training ops: the web
 * build has none). `grad(loss, wrt)` walks the tape backwards, composing the rules; ops that no
 * requested tensor depends on are skipped, so frozen weights cost no gradient work.
 *
 * Shapes are static (sessions are cached per shape anyway), which lets every rule undo
 * broadcasting with a ReduceSum over the broadcast axes.
 */
import type { GraphBuilder } from '../onnx/builder';

/** A tensor on the tape: its name in the graph and its static shape. */
export interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
}

type Rule = (gOut: string) => (string | null)[];

interface Op {
  inputs: Tensor[];
  output: Tensor;
  rule: Rule;
}

const numel = (s: readonly number[]): number => s.reduce((n, d) => n * d, 1);

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a.join(', ')}] with [${b.join(', ')}]`);
    out.push(Math.max(da, db));
  }
  return out;
}

export class Tape {
  private readonly ops: Op[] = [];
  /** Tensors that some differentiable input reaches (the only ones worth a gradient). */
  private readonly live = new Set<string>();
  /** The static shape of every tensor the tape has seen (inputs, constants, every op's output, live or not). */
  readonly shapes = new Map<string, readonly number[]>();

  constructor(readonly g: GraphBuilder) {}

  /** A graph input. `differentiable` marks it as something a gradient may be asked for. */
  input(name: string, shape: number[], differentiable = false): Tensor {
    this.g.input(name, shape);
    const t = { name, shape };
    this.shapes.set(name, shape);
    if (differentiable) this.live.add(name);
    return t;
  }

  /**
   * A tensor already in the graph (e.g. the previous unrolled step's updated parameter),
   * made differentiable on this tape.
   */
  watch(name: string, shape: readonly number[]): Tensor {
    this.live.add(name);
    this.shapes.set(name, shape);
    return { name, shape };
  }

  /** A tensor already in the graph that is not differentiated (a frozen weight, a batch). */
  known(name: string, shape: readonly number[]): Tensor {
    this.shapes.set(name, shape);
    return { name, shape };
  }

  /** A constant (never differentiated). */
  constant(data: ArrayLike<number>, shape: number[]): Tensor {
    const name = this.g.constant(data, shape);
    this.shapes.set(name, shape);
    return { name, shape };
  }

  scalar(v: number): Tensor {
    return { name: this.g.scalar(v), shape: [] };
  }

  private record(name: string, shape: number[], inputs: Tensor[], rule: Rule): Tensor {
    const output = { name, shape };
    this.shapes.set(name, shape);
    if (inputs.some((t) => this.live.has(t.name))) {
      this.live.add(name);
      this.ops.push({ inputs, output, rule });
    }
    return output;
  }

  /** Sum `grad` (of shape `from`) down to `to`, undoing broadcasting. */
  private unbroadcast(grad: string, from: readonly number[], to: readonly number[]): string {
    if (from.length === to.length && from.every((d, i) => d === to[i])) return grad;
    const lead = from.length - to.length;
    const axes: number[] = [];
    for (let i = 0; i < from.length; i++) if (i < lead || (to[i - lead] === 1 && from[i] !== 1)) axes.push(i);
    let r = axes.length ? this.g.reduceSum(grad, axes, true) : grad;
    if (lead > 0 || axes.length) r = this.g.reshape(r, to.length ? [...to] : []);
    return r;
  }

  // ---- elementwise, with NumPy broadcasting ----

  add(a: Tensor, b: Tensor): Tensor {
    const s = broadcastShape(a.shape, b.shape);
    return this.record(this.g.add(a.name, b.name), s, [a, b], (go) => [
      this.unbroadcast(go, s, a.shape),
      this.unbroadcast(go, s, b.shape),
    ]);
  }

  sub(a: Tensor, b: Tensor): Tensor {
    const s = broadcastShape(a.shape, b.shape);
    return this.record(this.g.sub(a.name, b.name), s, [a, b], (go) => [
      this.unbroadcast(go, s, a.shape),
      this.unbroadcast(this.g.neg(go), s, b.shape),
    ]);
  }

  mul(a: Tensor, b: Tensor): Tensor {
    const s = broadcastShape(a.shape, b.shape);
    // d(ab) = b·da + a·db
    return this.record(this.g.mul(a.name, b.name), s, [a, b], (go) => [
      this.live.has(a.name) ? this.unbroadcast(this.g.mul(go, b.name), s, a.shape) : null,
      this.live.has(b.name) ? this.unbroadcast(this.g.mul(go, a.name), s, b.shape) : null,
    ]);
  }

  /** a · c for a number c. */
  scale(a: Tensor, c: number): Tensor {
    if (c === 1) return a;
    return this.mul(a, this.scalar(c));
  }

  div(a: Tensor, b: Tensor): Tensor {
    const s = broadcastShape(a.shape, b.shape);
    const y = this.g.div(a.name, b.name);
    // d(a/b) = da/b − (a/b)·db/b
    return this.record(y, s, [a, b], (go) => [
      this.live.has(a.name) ? this.unbroadcast(this.g.div(go, b.name), s, a.shape) : null,
      this.live.has(b.name) ? this.unbroadcast(this.g.neg(this.g.div(this.g.mul(go, y), b.name)), s, b.shape) : null,
    ]);
  }

  sqrt(a: Tensor): Tensor {
    const y = this.g.sqrt(a.name);
    // d√a = da / (2√a)
    return this.record(y, [...a.shape], [a], (go) => [this.g.div(go, this.g.scale(y, 2))]);
  }

  sigmoid(a: Tensor): Tensor {
    const y = this.g.node('Sigmoid', [a.name]);
    // σ' = σ(1 − σ)
    return this.record(y, [...a.shape], [a], (go) => [this.g.mul(go, this.g.mul(y, this.g.sub(this.g.scalar(1), y)))]);
  }

  /** Softmax over the last axis. */
  softmax(a: Tensor): Tensor {
    const y = this.g.node('Softmax', [a.name], { axis: -1 });
    // dx = y ⊙ (g − Σ_j g_j y_j)
    return this.record(y, [...a.shape], [a], (go) => [
      this.g.mul(y, this.g.sub(go, this.g.reduceSum(this.g.mul(go, y), [a.shape.length - 1], true))),
    ]);
  }

  /** log-softmax over the last axis. */
  logSoftmax(a: Tensor): Tensor {
    const y = this.g.node('LogSoftmax', [a.name], { axis: -1 });
    // dx = g − softmax(x) · Σ_j g_j
    return this.record(y, [...a.shape], [a], (go) => [
      this.g.sub(go, this.g.mul(this.g.node('Exp', [y]), this.g.reduceSum(go, [a.shape.length - 1], true))),
    ]);
  }

  // ---- reductions ----

  /** Mean over `axes`, keeping them (size 1). */
  reduceMean(a: Tensor, axes: number[]): Tensor {
    const s = a.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const n = axes.reduce((k, i) => k * a.shape[i]!, 1);
    return this.record(this.g.reduceMean(a.name, axes, true), s, [a], (go) => [
      this.g.node('Expand', [this.g.scale(go, 1 / n), this.g.int64([...a.shape])]),
    ]);
  }

  /** Sum of every element, a scalar. */
  sumAll(a: Tensor): Tensor {
    return this.record(this.g.reduceSum(a.name, undefined, false), [], [a], (go) => [
      this.g.node('Expand', [go, this.g.int64([...a.shape])]),
    ]);
  }

  // ---- linear algebra and shape ----

  /**
   * Matrix product with NumPy's batching: both operands of the same rank, or a 2-D right
   * operand shared by every batch (a weight).
   */
  matmul(a: Tensor, b: Tensor): Tensor {
    const r = a.shape.length;
    if (b.shape.length !== r && b.shape.length !== 2) throw new Error('matmul: ranks must match or b must be 2-D');
    if (a.shape[r - 1] !== b.shape[b.shape.length - 2]) {
      throw new Error(`matmul: [${a.shape.join(', ')}] · [${b.shape.join(', ')}]`);
    }
    const s = [...a.shape.slice(0, -1), b.shape[b.shape.length - 1]!];
    const swap = (t: string, rank: number): string => this.g.transpose(t, [...Array(rank - 2).keys(), rank - 1, rank - 2]);
    return this.record(this.g.matmul(a.name, b.name), s, [a, b], (go) => {
      // dA = G Bᵀ, dB = Aᵀ G (summed over the batch when B is shared)
      const ga = this.live.has(a.name) ? this.g.matmul(go, swap(b.name, b.shape.length)) : null;
      let gb: string | null = null;
      if (this.live.has(b.name)) {
        if (b.shape.length === r) gb = this.g.matmul(swap(a.name, r), go);
        else {
          const k = a.shape[r - 1]!;
          const n = s[r - 1]!;
          gb = this.g.tmatmul(this.g.reshape(a.name, [-1, k]), this.g.reshape(go, [-1, n]));
        }
      }
      return [ga, gb];
    });
  }

  /** x Wᵀ for 2-D x (rows, in) and a weight W (out, in): a linear layer without bias. */
  linear(x: Tensor, w: Tensor): Tensor {
    if (x.shape.length !== 2 || w.shape.length !== 2 || x.shape[1] !== w.shape[1]) {
      throw new Error(`linear: [${x.shape.join(', ')}] · [${w.shape.join(', ')}]ᵀ`);
    }
    // dX = G W, dW = Gᵀ X
    return this.record(this.g.matmulT(x.name, w.name), [x.shape[0]!, w.shape[0]!], [x, w], (go) => [
      this.live.has(x.name) ? this.g.matmul(go, w.name) : null,
      this.live.has(w.name) ? this.g.tmatmul(go, x.name) : null,
    ]);
  }

  /**
   * The two halves of the last axis swapped, [x₁, x₂] ↦ [x₂, x₁]: two Slices and a Concat (ORT
   * makes them one Split). A permutation that is its own inverse, so its gradient is itself.
   * RoPE's rotate_half(x) = [−x₂, x₁] is this times [−1, 1], and the sign goes into the sine
   * table (graph.ts), so no Neg is run forward or backward.
   */
  swapHalves(a: Tensor): Tensor {
    const axis = a.shape.length - 1;
    const d = a.shape[axis]!;
    if (d % 2 !== 0) throw new Error(`swapHalves: the last axis has odd size ${d}`);
    const h = d / 2;
    const swap = (x: string): string => this.g.concat([this.g.slice(x, [h], [d], [axis]), this.g.slice(x, [0], [h], [axis])], axis);
    return this.record(swap(a.name), [...a.shape], [a], (go) => [swap(go)]);
  }

  transpose(a: Tensor, perm: number[]): Tensor {
    const inv = perm.map((_, i) => perm.indexOf(i));
    return this.record(this.g.transpose(a.name, perm), perm.map((p) => a.shape[p]!), [a], (go) => [this.g.transpose(go, inv)]);
  }

  reshape(a: Tensor, shape: number[]): Tensor {
    if (numel(shape) !== numel(a.shape)) throw new Error(`reshape: [${a.shape.join(', ')}] → [${shape.join(', ')}]`);
    return this.record(this.g.reshape(a.name, shape), shape, [a], (go) => [this.g.reshape(go, [...a.shape])]);
  }

  /**
   * Names of ∂loss/∂t for each t in `wrt` (loss a scalar). A tensor the loss does not depend
   * on gets a zero gradient of its shape.
   */
  grad(loss: Tensor, wrt: Tensor[]): string[] {
    if (loss.shape.length !== 0) throw new Error('grad: the loss must be a scalar');
    const grads = new Map<string, string>([[loss.name, this.g.scalar(1)]]);
    const accumulate = (t: Tensor, gname: string): void => {
      const prev = grads.get(t.name);
      grads.set(t.name, prev ? this.g.add(prev, gname) : gname);
    };
    for (let i = this.ops.length - 1; i >= 0; i--) {
      const op = this.ops[i]!;
      const go = grads.get(op.output.name);
      if (!go) continue;
      const gin = op.rule(go);
      op.inputs.forEach((t, j) => {
        const gi = gin[j];
        if (gi && this.live.has(t.name)) accumulate(t, gi);
      });
    }
    return wrt.map((t) => grads.get(t.name) ?? this.g.constant(new Float32Array(numel(t.shape)), [...t.shape]));
  }
}
