/**
 * The language-model engine: forward passes, losses and sampling on the Runtime's sessions
 * (cached per shape), for the base model or with a LoRA adapter. It runs on the Runtime of an
 * Engine (`LanguageModelEngine.on(engine)`): one onnxruntime and one session cache per page.
 */
import { createEngine, runtimeOf } from '../engine';
import { GraphBuilder } from '../onnx/builder';
import type { OrtTensor, Runtime } from '../runtime';
import type { Backend, Engine } from '../types';
import { Tape } from './autodiff';
import { isWhole, need } from '../validate';
import { adapterInputNames, adapterInputs, buildForward, weightInputs } from './graph';
import { type Adapter, type LanguageModel, type LoraSpec, loraScaling, weightNames } from './model';

export interface Batch {
  /** token ids, (batch, context) row-major */
  x: Int32Array | number[];
  /** next-token ids, same shape (for losses) */
  y?: Int32Array | number[];
  batch: number;
  context: number;
}

/** One-hot rows (n, V) of token ids: how tokens enter the graphs. */
export function oneHot(ids: ArrayLike<number>, V: number): Float32Array {
  const out = new Float32Array(ids.length * V);
  for (let i = 0; i < ids.length; i++) out[i * V + ids[i]!] = 1;
  return out;
}

/** What a graph depends on in a spec: targets, every module's r and s, DoRA (cache key of its sessions). */
export const specKey = (s: LoraSpec | undefined): string =>
  s
    ? `lora-${s.targets.join('+')}-r${s.rank}-s${loraScaling(s)}${s.useRslora ? '-rs' : ''}` +
      `${s.rankPattern && Object.keys(s.rankPattern).length ? `-rp${JSON.stringify(s.rankPattern)}` : ''}` +
      `${s.alphaPattern && Object.keys(s.alphaPattern).length ? `-ap${JSON.stringify(s.alphaPattern)}` : ''}${s.useDora ? '-dora' : ''}`
    : 'base';

export class LanguageModelEngine {
  private readonly weightTensors = new WeakMap<LanguageModel, Map<string, OrtTensor>>();

  private constructor(
    readonly rt: Runtime,
    readonly fallbackReason: string | undefined,
    /** The engine this one made for itself (`create`), disposed with it; none when it shares a page's. */
    private readonly own?: Engine,
  ) {}

  /** The language model on `engine`'s runtime (its sessions, its backend); `dispose` leaves `engine` alone. */
  static on(engine: Engine): LanguageModelEngine {
    return new LanguageModelEngine(runtimeOf(engine), engine.fallbackReason);
  }

  /** An engine of its own (scripts, tests): createEngine's runtime, disposed with this. */
  static async create(o: { backend?: Backend | 'auto' } = {}): Promise<LanguageModelEngine> {
    const engine = await createEngine({ backend: o.backend ?? 'auto' });
    return new LanguageModelEngine(runtimeOf(engine), engine.fallbackReason, engine);
  }

  get backend(): Backend {
    return this.rt.backend;
  }

  /** The model's weights as tensors, made once per model (they never change). */
  weightFeeds(model: LanguageModel): Map<string, OrtTensor> {
    let m = this.weightTensors.get(model);
    if (!m) {
      m = new Map();
      for (const name of weightNames(model.config)) {
        const w = model.weights.get(name)!;
        m.set(name, this.rt.tensorOf(w.data, w.shape));
      }
      this.weightTensors.set(model, m);
    }
    return m;
  }

  adapterFeeds(adapter: Adapter): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    for (const p of adapter.modules) {
      const n = adapterInputNames(p.path);
      feeds[n.a] = this.rt.tensorOf(p.a.data, p.a.shape);
      feeds[n.b] = this.rt.tensorOf(p.b.data, p.b.shape);
      if (adapter.spec.useDora) {
        need(!!p.magnitude, 'adapter', `${p.path}: a DoRA adapter needs lora_magnitude_vector for every module.`);
        feeds[n.m] = this.rt.tensorOf(p.magnitude.data, p.magnitude.shape);
      }
    }
    return feeds;
  }

  /**
   * Logits (batch·context, V) and, when `batch.y` is given, the mean cross-entropy
   * (nats per token), of the base model or with `adapter`.
   */
  async forward(model: LanguageModel, batch: Batch, adapter?: Adapter): Promise<{ logits: Float32Array; loss?: number }> {
    const c = model.config;
    const { batch: B, context: T } = batch;
    need(isWhole(T, 1, c.maxPositions), 'text', `A window must hold 1 to ${c.maxPositions} tokens, not ${T}.`);
    need(batch.x.length === B * T, 'text', `x holds ${batch.x.length} ids, not ${B} × ${T}.`);
    const withLoss = batch.y !== undefined;
    const key = `lm-forward-${B}x${T}-${specKey(adapter?.spec)}-${withLoss ? 'loss' : 'logits'}`;
    const session = await this.rt.session(key, () => {
      const g = new GraphBuilder('lm_forward');
      const tape = new Tape(g);
      const weights = weightInputs(tape, c, false);
      const x = tape.input('x', [B * T, c.vocabSize]);
      const y = withLoss ? tape.input('y', [B * T, c.vocabSize]) : undefined;
      const lora = adapter ? { tensors: adapterInputs(tape, c, adapter.spec), spec: adapter.spec } : undefined;
      const out = buildForward(tape, c, { batch: B, context: T }, weights, x, y, lora);
      g.output(out.logits.name, 'logits', [B * T, c.vocabSize]);
      if (out.loss) g.output(out.loss.name, 'loss', []);
      return g;
    });
    const feeds: Record<string, OrtTensor> = Object.fromEntries(this.weightFeeds(model));
    feeds.x = this.rt.tensorOf(oneHot(batch.x, c.vocabSize), [B * T, c.vocabSize]);
    if (batch.y) feeds.y = this.rt.tensorOf(oneHot(batch.y, c.vocabSize), [B * T, c.vocabSize]);
    if (adapter) Object.assign(feeds, this.adapterFeeds(adapter));
    const out = await this.rt.run(session, feeds);
    const logits = new Float32Array(await this.rt.read(out.logits!));
    const loss = out.loss ? (await this.rt.read(out.loss))[0]! : undefined;
    return loss === undefined ? { logits } : { logits, loss };
  }

  async dispose(): Promise<void> {
    await this.own?.dispose();
  }
}
