/**
 * Auto by measurement: which backend runs a graph family faster on this device.
 *
 * A hardware WebGPU adapter is no promise of speed: a training step of small matrices is a
 * chain of small kernels, and on WebGPU each is a dispatch with its own overhead, so WASM
 * can win on a real GPU; a software adapter (SwiftShader, WARP) runs WebGPU on the CPU and
 * almost always loses. So 'auto' times a few steps of the family's own workload on each backend
 * that can run, keeps the faster and remembers the decision per browser in a store the caller
 * passes in (localStorage-shaped, so the engine touches no DOM), under a versioned key: a
 * change of workload or of what "faster" means bumps AUTO_CHOICE_VERSION and every browser
 * measures again. Forgetting the key (the page's "Measure again") does the same for one family.
 *
 * This file holds the pure parts (the decision, its words, the store's format, the timing
 * rule); `createEngine` (engine.ts) runs the workloads through each runtime.
 */
import type { AutoChoice, AutoDecision, Backend, ChoiceStore, GraphFamily, Measurement } from './types';

export type { AutoChoice, AutoDecision, ChoiceStore, GraphFamily, Measurement };

/** Bumped whenever a stored decision would no longer mean the same thing. */
export const AUTO_CHOICE_VERSION = 1;

/** Every graph family (types.ts: `GraphFamily`). */
export const GRAPH_FAMILIES: readonly GraphFamily[] = ['notebook', 'language-model'];

export const choiceKey = (family: GraphFamily): string => `lora-live.auto-backend.v${AUTO_CHOICE_VERSION}.${family}`;

const label = (b: Backend): string => (b === 'webgpu' ? 'WebGPU' : 'WASM');

/** "2.1 ms/step" with two significant figures at least, never "0.0". */
export function msText(ms: number): string {
  return `${ms >= 10 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toPrecision(2)} ms/step`;
}

/**
 * The decision: the backend with the lowest time per step. Non-finite or non-positive times
 * (a backend that failed while timed) are not candidates; an exact tie goes to WASM, which
 * every browser has and which needs no GPU memory.
 */
export function decideBackend(family: GraphFamily, measured: Measurement[], at: Date = new Date()): AutoDecision {
  const valid = measured.filter((m) => Number.isFinite(m.msPerStep) && m.msPerStep > 0);
  if (valid.length === 0) throw new Error('decideBackend: no backend gave a time.');
  const order = (b: Backend): number => (b === 'wasm' ? 0 : 1);
  const sorted = [...valid].sort((p, q) => p.msPerStep - q.msPerStep || order(p.backend) - order(q.backend));
  return { family, backend: sorted[0]!.backend, measured: sorted, at: at.toISOString() };
}

/** "WebGPU 2.1 ms/step vs WASM 6.3 ms/step here": the chosen backend first (`name` may word the backends otherwise). */
export function decisionWords(d: AutoDecision, name: (b: Backend) => string = label): string {
  return d.measured.map((m) => `${name(m.backend)} ${msText(m.msPerStep)}`).join(' vs ') + ' here';
}

/** Parse a stored decision; anything malformed, of another version or another family is ignored (undefined). */
export function parseDecision(family: GraphFamily, raw: string | null): AutoDecision | undefined {
  if (!raw) return undefined;
  try {
    const d = JSON.parse(raw) as Partial<AutoDecision>;
    const backends = new Set<Backend>(['webgpu', 'wasm']);
    const ok =
      d.family === family &&
      backends.has(d.backend as Backend) &&
      typeof d.at === 'string' &&
      Array.isArray(d.measured) &&
      d.measured.length > 0 &&
      d.measured.every((m) => backends.has(m?.backend) && Number.isFinite(m?.msPerStep) && m.msPerStep > 0) &&
      d.measured.some((m) => m.backend === d.backend);
    return ok ? (d as AutoDecision) : undefined;
  } catch {
    return undefined;
  }
}

/** The stored decision for a family, if there is a valid one. A store that throws (private mode) counts as empty. */
export function readDecision(store: ChoiceStore | undefined, family: GraphFamily): AutoDecision | undefined {
  if (!store) return undefined;
  try {
    return parseDecision(family, store.getItem(choiceKey(family)));
  } catch {
    return undefined;
  }
}

export function writeDecision(store: ChoiceStore | undefined, d: AutoDecision): void {
  try {
    store?.setItem(choiceKey(d.family), JSON.stringify(d));
  } catch {
    /* a full or refused store: the decision holds for this page only */
  }
}

/** Forget the decision of a family, or of every family: the next Auto run measures again. */
export function forgetDecision(store: ChoiceStore | undefined, family?: GraphFamily): void {
  for (const f of family ? [family] : GRAPH_FAMILIES) {
    try {
      store?.removeItem(choiceKey(f));
    } catch {
      /* nothing stored, nothing to forget */
    }
  }
}

/** Steps timed per backend, after WARMUP_STEPS untimed ones (the first builds the session and compiles kernels). */
export const TIMED_STEPS = 3;
export const WARMUP_STEPS = 1;

/**
 * Time `step` (one step of a family's workload, awaited to its end, results read back): the
 * median over TIMED_STEPS after WARMUP_STEPS, in milliseconds. The median, so that one step
 * delayed by something else on the machine does not decide.
 */
export async function timeSteps(step: () => Promise<void>, now: () => number = () => performance.now()): Promise<number> {
  for (let i = 0; i < WARMUP_STEPS; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < TIMED_STEPS; i++) {
    const t0 = now();
    await step();
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}
