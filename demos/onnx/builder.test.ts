import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-web';
import { GraphBuilder } from './builder';

describe('GraphBuilder', () => {
  it('builds a graph that onnxruntime-web runs: y = x·wᵀ + 2', async () => {
    const g = new GraphBuilder('smoke');
    const x = g.input('x', ['N', 3]);
    const w = g.input('w', [2, 3]);
    g.output(g.add(g.matmulT(x, w), g.scalar(2)), 'y');
    const s = await ort.InferenceSession.create(g.toBytes());
    const out = await s.run({
      x: new ort.Tensor('float32', new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]),
      w: new ort.Tensor('float32', new Float32Array([1, 0, 0, 0, 1, 1]), [2, 3]),
    });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 7, 6, 13]);
    expect(out.y!.dims).toEqual([2, 2]);
  });

  it('reduces with ReduceMean and ReduceSum', async () => {
    const g = new GraphBuilder('reduce');
    const x = g.input('x', [2, 2]);
    g.output(g.reduceMean(x), 'mean');
    g.output(g.reduceSum(x, [0]), 'colsum');
    const s = await ort.InferenceSession.create(g.toBytes());
    const out = await s.run({ x: new ort.Tensor('float32', new Float32Array([1, 2, 3, 6]), [2, 2]) });
    expect(out.mean!.data[0]).toBe(3);
    expect(Array.from(out.colsum!.data as Float32Array)).toEqual([4, 8]);
  });
});
