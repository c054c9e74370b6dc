/**
 * The lesson §5 teaches: with Adam the final loss drops at the target's true rank (4), with the
 * notebook's SGD settings the step size s = α/r hides that elbow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../index';
import type { Engine } from '../types';
import { rankSweep, type RankSweepProgress } from './index';

let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});
afterAll(async () => engine?.dispose());

const finalLoss = async (optimizer: 'adam' | 'sgd') => {
  const progress: RankSweepProgress[] = [];
  const res = await rankSweep(engine, { optimizer, lr: 0.01, epochs: 300, ranks: [2, 4] }, { onProgress: (p) => progress.push(p) });
  expect(progress.map((p) => [p.row.rank, p.rowsDone, p.rowsTotal])).toEqual([[2, 1, 2], [4, 2, 2]]);
  expect(res.rows.every((row) => row.losses.length === 300)).toBe(true);
  return Object.fromEntries(res.rows.map((row) => [row.rank, row.finalLoss])) as Record<number, number>;
};

describe('rank sweep: the elbow at the true rank', () => {
  it('Adam, lr 0.01, 300 epochs: the final loss falls more than 100× from r = 2 to r = 4', async () => {
    const loss = await finalLoss('adam');
    expect(loss[2]! / loss[4]!).toBeGreaterThan(100);
  });
  it('SGD, lr 0.01, 300 epochs: it does not', async () => {
    const loss = await finalLoss('sgd');
    expect(loss[2]! / loss[4]!).toBeLessThan(100);
  });
});
