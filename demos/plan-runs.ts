/**
 * How a training run of `steps` optimizer steps is split into graph runs (see demos/README.md):
 * the matrix engine's plan (`planRuns`) and the language model's (`runsOf`), both for `trainLoop`.
 */

/**
 * Steps unrolled per run(), largest first: a run of `steps` uses ⌊steps/25⌋ runs of 25, then
 * runs of 5, then single steps, so at most three sessions exist per shape and optimizer.
 * 25 keeps progress frequent (a live chart redraws after every run, ≥ 10 times a second on
 * WASM) and a session small (25 steps of LoRA+Adam is ~1000 nodes), while the ~0.1 ms cost
 * of a run() is still spread over many steps.
 */
export const STEPS_PER_RUN = [25, 5, 1] as const;

/** Split `steps` into run sizes from STEPS_PER_RUN, largest first. */
export function planRuns(steps: number, sizes: readonly number[] = STEPS_PER_RUN): number[] {
  const plan: number[] = [];
  let left = steps;
  for (const K of sizes) for (; left >= K; left -= K) plan.push(K);
  return plan;
}

/** `steps` cut into runs of `K` (the last one shorter): the language model's plan. */
export function runsOf(steps: number, K: number): number[] {
  const runs: number[] = [];
  for (let done = 0; done < steps; done += K) runs.push(Math.min(K, steps - done));
  return runs;
}
