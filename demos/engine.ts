/**
 * The engine: validates inputs, picks sessions by shape and runs the graphs of demos/graphs.
 * Pure computation: no DOM, no charts. See demos/README.md for the maths and the API.
 */
import { buildLoraForward, forwardKey } from './graphs/forward';
import { buildMerge, mergeKey } from './graphs/merge';
import { buildTrainFull, fullState, trainFullKey } from './graphs/train-full';
import { buildTrainLora, loraState, trainLoraKey } from './graphs/train-lora';
import { type AutoChoice, timeSteps } from './auto-backend';
import { chooseRuntime, type OrtTensor, type Runtime } from './runtime';
import { trainLoop } from './train-loop';
import type { Backend, Engine, EngineOptions, Matrix, SvdResult, TrainFullOptions, TrainLoraOptions } from './types';
import { planRuns } from './plan-runs';
import { checkAdapter, checkData, checkMatrix, checkScaling, checkTraining } from './validate';

const zerosLike = (m: Matrix): Float32Array => new Float32Array(m.rows * m.cols);

class OrtEngine implements Engine {
  constructor(
    readonly rt: Runtime,
    readonly fallbackReason?: string,
    readonly autoChoice?: AutoChoice,
  ) {}

  get backend(): Backend {
    return this.rt.backend;
  }

  /** Read a state tensor into a fresh Matrix and free it (GPU memory) afterwards. */
  private async take(t: OrtTensor): Promise<Matrix> {
    try {
      return await this.rt.readMatrix(t);
    } finally {
      this.rt.release(t);
    }
  }

  private scalars(s: number): OrtTensor {
    return this.rt.tensorOf(new Float32Array([s, 0, 0, 0]), [4]);
  }

  async loraForward(x: Matrix, w: Matrix, a: Matrix, b: Matrix, scaling: number): Promise<Matrix> {
    const { d, k, r } = checkAdapter(w, a, b);
    checkData(x, w);
    checkScaling(scaling);
    const shape = { n: x.rows, k, d, r };
    const session = await this.rt.session(forwardKey(shape), () => buildLoraForward(shape));
    const t = (m: Matrix): OrtTensor => this.rt.tensor(m);
    const out = await this.rt.run(session, { x: t(x), w: t(w), a: t(a), b: t(b), hp: this.scalars(scaling) });
    return this.take(out.h!);
  }

  /** W + s·B·A; unmerge is the same graph with −s. */
  private async addDelta(w: Matrix, a: Matrix, b: Matrix, scaling: number, names: { w: string; a: string; b: string }): Promise<Matrix> {
    const { d, k, r } = checkAdapter(w, a, b, names);
    checkScaling(scaling);
    const session = await this.rt.session(mergeKey({ d, k, r }), () => buildMerge({ d, k, r }));
    const out = await this.rt.run(session, { w: this.rt.tensor(w), a: this.rt.tensor(a), b: this.rt.tensor(b), hp: this.scalars(scaling) });
    return this.take(out.w_out!);
  }

  merge(w: Matrix, a: Matrix, b: Matrix, scaling: number): Promise<Matrix> {
    return this.addDelta(w, a, b, scaling, { w: 'w', a: 'a', b: 'b' });
  }

  unmerge(wMerged: Matrix, a: Matrix, b: Matrix, scaling: number): Promise<Matrix> {
    return this.addDelta(wMerged, a, b, -scaling, { w: 'wMerged', a: 'a', b: 'b' });
  }

  async trainLora(o: TrainLoraOptions): Promise<{ losses: Float32Array; a: Matrix; b: Matrix }> {
    const { d, k, r } = checkAdapter(o.w, o.a0, o.b0, { w: 'w', a: 'a0', b: 'b0' });
    checkData(o.x, o.w, o.y);
    checkScaling(o.scaling);
    checkTraining(o.lr, o.steps, o.optimizer);
    const optimizer = o.optimizer ?? 'sgd';
    const n = o.x.rows;
    const rt = this.rt;
    const initial: Record<string, OrtTensor> = { a: rt.tensor(o.a0), b: rt.tensor(o.b0) };
    if (optimizer === 'adam') {
      initial.m_a = rt.tensorOf(zerosLike(o.a0), [r, k]);
      initial.v_a = rt.tensorOf(zerosLike(o.a0), [r, k]);
      initial.m_b = rt.tensorOf(zerosLike(o.b0), [d, r]);
      initial.v_b = rt.tensorOf(zerosLike(o.b0), [d, r]);
    }
    const state0 = loraState(optimizer);
    const { losses, state } = await trainLoop(rt, {
      optimizer, lr: o.lr, scaling: o.scaling, steps: o.steps, runs: planRuns(o.steps),
      session: (K) => {
        const shape = { n, k, d, r, steps: K, optimizer };
        return rt.session(trainLoraKey(shape), () => buildTrainLora(shape), { gpuOutputs: state0.map(([out]) => out) });
      },
      state: state0,
      fixed: { x: rt.tensor(o.x), y: rt.tensor(o.y), w: rt.tensor(o.w) },
      initial,
      onProgress: o.onProgress && (({ step, losses }) => o.onProgress!({ step, losses })),
      signal: o.signal,
    });
    for (const name of ['m_a', 'v_a', 'm_b', 'v_b']) if (state[name]) rt.release(state[name]);
    return { losses, a: await this.take(state.a!), b: await this.take(state.b!) };
  }

  async trainFull(o: TrainFullOptions): Promise<{ losses: Float32Array; w: Matrix }> {
    checkMatrix('w0', o.w0);
    checkData(o.x, o.w0, o.y, 'w0');
    checkTraining(o.lr, o.steps, o.optimizer);
    const optimizer = o.optimizer ?? 'sgd';
    const [n, d, k] = [o.x.rows, o.w0.rows, o.w0.cols];
    const rt = this.rt;
    const initial: Record<string, OrtTensor> = { w: rt.tensor(o.w0) };
    if (optimizer === 'adam') {
      initial.m_w = rt.tensorOf(zerosLike(o.w0), [d, k]);
      initial.v_w = rt.tensorOf(zerosLike(o.w0), [d, k]);
    }
    const state0 = fullState(optimizer);
    const { losses, state } = await trainLoop(rt, {
      optimizer, lr: o.lr, scaling: 0, steps: o.steps, runs: planRuns(o.steps),
      session: (K) => {
        const shape = { n, k, d, steps: K, optimizer };
        return rt.session(trainFullKey(shape), () => buildTrainFull(shape), { gpuOutputs: state0.map(([out]) => out) });
      },
      state: state0,
      fixed: { x: rt.tensor(o.x), y: rt.tensor(o.y) },
      initial,
      onProgress: o.onProgress && (({ step, losses }) => o.onProgress!({ step, losses })),
      signal: o.signal,
    });
    for (const name of ['m_w', 'v_w']) if (state[name]) rt.release(state[name]);
    return { losses, w: await this.take(state.w!) };
  }

  async svd(m: Matrix): Promise<SvdResult> {
    checkMatrix('m', m);
    // Loaded on first use, so pages without SVD never load its graphs.
    const { svd } = await import('./svd');
    return svd(this.rt, m);
  }

  graph(name: string): Uint8Array {
    const bytes = this.rt.graphBytes(name);
    if (!bytes) {
      const known = this.rt.graphNames();
      throw new Error(`No graph named "${name}" has been built yet. Built so far: ${known.length ? known.join(', ') : 'none'}.`);
    }
    return bytes;
  }

  graphNames(): string[] {
    return this.rt.graphNames();
  }

  get sessionCount(): number {
    return this.rt.sessionCount;
  }

  dispose(): Promise<void> {
    return this.rt.dispose();
  }
}

/**
 * The Runtime under an engine made by createEngine: the language model (demos/lm) runs on it,
 * so one page has one onnxruntime, one backend probe and one session cache.
 */
export function runtimeOf(engine: Engine): Runtime {
  if (!(engine instanceof OrtEngine)) throw new TypeError('runtimeOf: not an engine made by createEngine.');
  return engine.rt;
}

/**
 * Create an engine: the one place (tests aside) that chooses a runtime. 'wasm' always works;
 * 'webgpu' throws a BackendUnavailableError when it cannot work. 'auto' (the default), where
 * WebGPU runs, times a few steps of the graph family's workload (`choice.family`, default the
 * notebook's) on WebGPU and on WASM and keeps the faster (`autoChoice` holds the figures), or
 * reuses the decision kept in `choice.store`; without WebGPU it is WASM (see `fallbackReason`).
 */
export async function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  const want = opts.backend ?? 'auto';
  if (want !== 'auto' && want !== 'webgpu' && want !== 'wasm') {
    throw new Error(`backend is ${String(want)}: use 'auto', 'webgpu' or 'wasm'.`);
  }
  const family = opts.choice?.family ?? 'notebook';
  const { runtime, fallbackReason, autoChoice } = await chooseRuntime(want, {
    family,
    store: opts.choice?.store,
    msPerStep: async (rt) => {
      // Loaded when Auto measures (it pulls in the experiments' defaults, which import this file).
      const { workloadOf } = await import('./auto-workloads');
      const w = await workloadOf(family, new OrtEngine(rt));
      return (await timeSteps(w.step)) / w.steps;
    },
  });
  return new OrtEngine(runtime, fallbackReason, autoChoice);
}
