/**
 * The one module that loads onnxruntime-web, owns its sessions and moves tensors.
 *
 * Every graph family (training, merge, SVD, …) gets its sessions from a Runtime, keyed
 * by a name that includes the shapes, so a session is built once per shape and kept while it
 * is among the MAX_SESSIONS most recently used. The bytes of the graphs built are kept (the
 * newest MAX_GRAPH_BYTES) so that `Engine.graph(name)` can hand them out. One Runtime serves
 * the whole engine (the notebook's graphs and the language model's): `chooseRuntime` has one
 * caller, `createEngine`.
 *
 * Import policy (demos/README.md, "Backend choice"): in Node the package resolves to its
 * WASM CPU build; in a browser the WASM-only build is loaded unless WebGPU is wanted, so a
 * browser without WebGPU never downloads the WebGPU binary.
 */
import type * as OrtModule from 'onnxruntime-web';
import { GraphBuilder } from './onnx/builder';
import { BackendUnavailableError } from './errors';
import type { Backend, Matrix } from './types';
import { type AutoChoice, type ChoiceStore, type GraphFamily, decideBackend, decisionWords, readDecision, writeDecision } from './auto-backend';
export type { AutoChoice };

export type Ort = typeof OrtModule;
export type OrtTensor = OrtModule.Tensor;
export type OrtSession = OrtModule.InferenceSession;

export const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

/** Load the onnxruntime-web build for a backend. Cached per build. */
const loaded = new Map<string, Promise<Ort>>();
export function loadOrt(backend: Backend): Promise<Ort> {
  const key = isNode ? 'node' : backend;
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      if (isNode) {
        // A computed specifier: browser bundles must not follow this branch, or they would
        // ship the default (JSEP) build and its 28 MB wasm beside the two they use.
        const nodeBuild = 'onnxruntime-web';
        return (await import(/* @vite-ignore */ nodeBuild)) as unknown as Ort;
      }
      if (backend === 'webgpu') return (await import('onnxruntime-web/webgpu')) as unknown as Ort;
      return (await import('onnxruntime-web/wasm')) as unknown as Ort;
    })();
    loaded.set(key, p);
  }
  return p;
}

export interface SessionOptions {
  /** Outputs to keep on the GPU (WebGPU only; ignored on WASM). */
  gpuOutputs?: string[];
  /** Never evict this session (the WebGPU probe: releasing the last session destroys the device). */
  pinned?: boolean;
}

/**
 * How many sessions a Runtime keeps. Each holds its graph's memory plan in onnxruntime's heap
 * (a language-model training session at a new rank costs ~18 MB), so a reader who tries rank
 * after rank would otherwise grow the page without end. 24 holds every session one demo run
 * uses at once (the language model's run: a training graph per K, the forward graphs of the
 * held-out loss, the sample and the merge check; a notebook section: three K sizes per
 * optimizer) several times over, so going back to a setting just used rebuilds nothing.
 */
export const MAX_SESSIONS = 24;

/** The most graphs whose .onnx bytes are kept for download (the newest; they are small beside a session). */
export const MAX_GRAPH_BYTES = 64;

interface CachedSession {
  session: Promise<OrtSession>;
  pinned: boolean;
  /** Runs in flight on it: an evicted session is released only once this is 0. */
  busy: number;
  evicted: boolean;
}

export class Runtime {
  /** Least recently used first (a Map keeps insertion order; a use moves the key to the end). */
  private readonly sessions = new Map<string, CachedSession>();
  private readonly byObject = new Map<OrtSession, CachedSession>();
  private readonly bytes = new Map<string, Uint8Array>();
  private creating: Promise<void> = Promise.resolve();

  constructor(
    readonly ort: Ort,
    readonly backend: Backend,
    readonly maxSessions = MAX_SESSIONS,
  ) {}

  /** Sessions held now (for tests and the memory bench). */
  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The session for graph `key`, built from `build()` on first use; the least recently used beyond `maxSessions` are released. */
  session(key: string, build: () => GraphBuilder, options: SessionOptions = {}): Promise<OrtSession> {
    const hit = this.sessions.get(key);
    if (hit) {
      this.sessions.delete(key);
      this.sessions.set(key, hit);
      return hit.session;
    }
    const model = build().toBytes();
    this.bytes.delete(key);
    this.bytes.set(key, model);
    while (this.bytes.size > MAX_GRAPH_BYTES) this.bytes.delete(this.bytes.keys().next().value!);
    const opts: OrtModule.InferenceSession.SessionOptions = {
      executionProviders: [this.backend],
      graphOptimizationLevel: 'all',
      // Errors only: on WebGPU, ORT warns (on the console, as an error) whenever it places shape
      // ops on the CPU, which the language model's graphs always have; that is by design.
      logSeverityLevel: 3,
    };
    if (this.backend === 'webgpu' && options.gpuOutputs?.length) {
      opts.preferredOutputLocation = Object.fromEntries(options.gpuOutputs.map((n) => [n, 'gpu-buffer' as const]));
    }
    // One creation at a time: the native WebGPU EP refuses a session while another is
    // being created ("another WebGPU EP inference session is being created").
    const s = this.creating.then(() => this.ort.InferenceSession.create(model, opts));
    this.creating = s.then(
      () => undefined,
      () => undefined,
    );
    const entry: CachedSession = { session: s, pinned: !!options.pinned, busy: 0, evicted: false };
    s.then(
      (session) => this.byObject.set(session, entry),
      () => {
        if (this.sessions.get(key) === entry) this.sessions.delete(key);
      },
    );
    this.sessions.set(key, entry);
    this.evict(key);
    return s;
  }

  /** Drop the least recently used unpinned sessions beyond `maxSessions` (never `keep`, the one just made); each is released once idle. */
  private evict(keep: string): void {
    let over = this.sessions.size - this.maxSessions;
    for (const [key, entry] of this.sessions) {
      if (over <= 0) break;
      if (entry.pinned || key === keep) continue;
      this.sessions.delete(key);
      entry.evicted = true;
      over--;
      void entry.session.then((session) => this.releaseIfIdle(session, entry), () => undefined);
    }
  }

  private releaseIfIdle(session: OrtSession, entry: CachedSession): void {
    if (!entry.evicted || entry.busy > 0) return;
    this.byObject.delete(session);
    entry.evicted = false; // released once
    session.release().catch(() => undefined);
  }

  /** The .onnx bytes of a graph built so far. */
  graphBytes(key: string): Uint8Array | undefined {
    return this.bytes.get(key);
  }

  graphNames(): string[] {
    return [...this.bytes.keys()];
  }

  /** A float32 CPU tensor of a matrix (copies nothing: the data is shared, never written). */
  tensor(m: Matrix): OrtTensor {
    return new this.ort.Tensor('float32', m.data, [m.rows, m.cols]);
  }

  /** A float32 CPU tensor of any shape. */
  tensorOf(data: Float32Array, dims: number[]): OrtTensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  /** Read a tensor back to the CPU (from a GPU buffer when it lives there). */
  async read(t: OrtTensor): Promise<Float32Array> {
    const data = t.location === 'cpu' ? t.data : await t.getData();
    return data as Float32Array;
  }

  /** Read a 2-D tensor as a fresh Matrix (the copy is ours to keep). */
  async readMatrix(t: OrtTensor): Promise<Matrix> {
    const data = await this.read(t);
    const [rows, cols] = t.dims.length === 2 ? t.dims : [1, t.dims[0] ?? data.length];
    return { data: new Float32Array(data), rows: rows!, cols: cols! };
  }

  /**
   * Run a session. Feeds are never written; outputs named in the session's `gpuOutputs`
   * come back as GPU tensors on WebGPU (the caller disposes them when dropped). A session
   * evicted while it runs is released when its last run ends.
   */
  async run(session: OrtSession, feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
    const entry = this.byObject.get(session);
    if (entry) entry.busy++;
    try {
      return (await session.run(feeds)) as Record<string, OrtTensor>;
    } finally {
      if (entry) {
        entry.busy--;
        this.releaseIfIdle(session, entry);
      }
    }
  }

  /** Dispose a tensor that lives on the GPU; CPU tensors are left to the garbage collector. */
  release(t: OrtTensor | undefined): void {
    if (t && t.location === 'gpu-buffer') t.dispose();
  }

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.byObject.clear();
    for (const s of all) {
      try {
        await (await s.session).release();
      } catch {
        /* a session that failed to build has nothing to release */
      }
    }
  }
}


/** y = x + x on 4 floats (16 bytes: the native WebGPU EP rejects smaller buffers). */
function probeGraph(): GraphBuilder {
  const g = new GraphBuilder('webgpu_probe');
  const x = g.input('x', [4]);
  g.output(g.add(x, x), 'y', [4]);
  return g;
}

/** What the code reads of a WebGPU adapter (older browsers put isFallbackAdapter on the adapter, newer on .info). */
interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string };
}

/** A software adapter (SwiftShader, WARP): WebGPU "works" but is many times slower than WASM. */
export function isFallbackAdapter(a: AdapterLike): boolean {
  return a.info?.isFallbackAdapter === true || a.isFallbackAdapter === true;
}

/** A WebGPU runtime that ran a test graph, and whether its adapter is a software fallback (SwiftShader, WARP). */
export type WebgpuProbe = { rt: Runtime; fallbackAdapter?: string } | { reason: string };

/**
 * Why WebGPU cannot run here, or the runtime when a test graph ran on it (in `rt`). A software
 * (fallback) adapter is taken too, and named in `fallbackAdapter`: whether it is slower than
 * WASM is for Auto's measurement to say (auto-backend.ts), not for the flag.
 */
export async function probeWebgpu(): Promise<WebgpuProbe> {
  if (isNode) return { reason: 'Node has no WebGPU: onnxruntime-web runs on its WASM backend here.' };
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<AdapterLike | null> } }) | undefined)?.gpu;
  if (!gpu) return { reason: 'This browser has no WebGPU (navigator.gpu is missing).' };
  let fallbackAdapter: string | undefined;
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { reason: 'This browser has WebGPU but found no GPU adapter for it.' };
    if (isFallbackAdapter(adapter)) fallbackAdapter = [adapter.info?.vendor, adapter.info?.architecture].filter(Boolean).join(' ') || 'software';
  } catch (e) {
    return { reason: `Asking for a WebGPU adapter failed: ${e instanceof Error ? e.message : String(e)}.` };
  }
  try {
    const rt = new Runtime(await loadOrt('webgpu'), 'webgpu');
    // The probe session stays cached: with the native WebGPU EP, releasing the last
    // session destroys the device, so it lives as long as the runtime does.
    const s = await rt.session('webgpu_probe', probeGraph, { pinned: true });
    const out = await s.run({ x: rt.tensorOf(new Float32Array([1, 2, 3, 4]), [4]) });
    const y = await rt.read(out.y!);
    if (y[3] !== 8) throw new Error(`a test graph computed ${Array.from(y).join(', ')} instead of 2, 4, 6, 8`);
    return fallbackAdapter ? { rt, fallbackAdapter } : { rt };
  } catch (e) {
    return { reason: `onnxruntime-web could not run a test graph on WebGPU: ${e instanceof Error ? e.message : String(e)}.` };
  }
}

/** A WASM runtime (always works). */
export async function wasmRuntime(): Promise<Runtime> {
  return new Runtime(await loadOrt('wasm'), 'wasm');
}

/** How 'auto' measures: the family, where decisions are kept, and the time of one step of its workload on a runtime. */
export interface AutoMeasure {
  family: GraphFamily;
  store?: ChoiceStore;
  msPerStep(rt: Runtime): Promise<number>;
}

/** The backend a Runtime got; why it is not WebGPU when 'auto' asked; what Auto decided, and whether it measured now. */
export type BackendChoice = { runtime: Runtime; fallbackReason?: string; autoChoice?: AutoChoice };

const fallbackNote = (adapter: string | undefined): string => (adapter ? ` (the WebGPU adapter is a software fallback, ${adapter}, running on the CPU)` : '');

/**
 * Pick the backend: 'wasm' always works; 'webgpu' works (a software adapter too) or throws
 * BackendUnavailableError. 'auto' uses a decision stored for the family when there is one (and
 * its backend still runs); otherwise, when WebGPU runs here, it times the family's workload on
 * WebGPU and on WASM, keeps the faster, stores the decision and releases the other runtime;
 * with no WebGPU it is WASM, with the reason.
 */
export async function chooseRuntime(want: Backend | 'auto', auto?: AutoMeasure): Promise<BackendChoice> {
  if (want === 'wasm') return { runtime: await wasmRuntime() };
  if (want === 'webgpu') {
    const probe = await probeWebgpu();
    if ('rt' in probe) return { runtime: probe.rt };
    throw new BackendUnavailableError(`WebGPU was asked for but cannot run here. ${probe.reason}`);
  }
  const family = auto?.family ?? 'notebook';
  const stored = readDecision(auto?.store, family);
  if (stored?.backend === 'wasm') return { runtime: await wasmRuntime(), fallbackReason: `WASM was faster when measured (${decisionWords(stored)}).`, autoChoice: { decision: stored, measuredNow: false } };
  const probe = await probeWebgpu();
  if (!('rt' in probe)) return { runtime: await wasmRuntime(), fallbackReason: probe.reason };
  if (stored) return { runtime: probe.rt, autoChoice: { decision: stored, measuredNow: false } };
  if (!auto) return { runtime: probe.rt };
  const wasm = await wasmRuntime();
  let gpuMs: number;
  try {
    gpuMs = await auto.msPerStep(probe.rt);
  } catch (e) {
    await probe.rt.dispose();
    return { runtime: wasm, fallbackReason: `WebGPU failed while Auto timed it: ${e instanceof Error ? e.message : String(e)}.` };
  }
  const wasmMs = await auto.msPerStep(wasm);
  const decision = decideBackend(family, [
    { backend: 'webgpu', msPerStep: gpuMs },
    { backend: 'wasm', msPerStep: wasmMs },
  ]);
  writeDecision(auto.store, decision);
  const [keep, drop] = decision.backend === 'webgpu' ? [probe.rt, wasm] : [wasm, probe.rt];
  await drop.dispose();
  const autoChoice = { decision, measuredNow: true };
  if (keep === probe.rt) return { runtime: keep, autoChoice };
  return { runtime: keep, autoChoice, fallbackReason: `WASM was faster when measured (${decisionWords(decision)})${fallbackNote(probe.fallbackAdapter)}.` };
}
