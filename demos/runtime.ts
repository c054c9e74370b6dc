/**
 * The one module that loads onnxruntime-web, owns its sessions and moves tensors.
 *
 * Every graph family (training, merge, SVD, …) gets its sessions from a Runtime, keyed
 * by a name that includes the shapes, so a session is built once per shape. The bytes
 * of every graph built are kept so that `Engine.graph(name)` can hand them out.
 *
 * Import policy (see shared/notes/onnxruntime-web.md): in Node the package resolves to its
 * WASM CPU build; in a browser the WASM-only build is loaded unless WebGPU is wanted, so a
 * browser without WebGPU never downloads the WebGPU binary.
 */
import type * as OrtModule from 'onnxruntime-web';
import type { GraphBuilder } from './onnx/builder';
import type { Backend, Matrix } from './types';

export type Ort = typeof OrtModule;
export type OrtTensor = OrtModule.Tensor;
export type OrtSession = OrtModule.InferenceSession;

const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';

/** Load the onnxruntime-web build for a backend. Cached per build. */
const loaded = new Map<string, Promise<Ort>>();
export function loadOrt(backend: Backend): Promise<Ort> {
  const key = isNode ? 'node' : backend;
  let p = loaded.get(key);
  if (!p) {
    p = (async () => {
      if (isNode) return (await import('onnxruntime-web')) as unknown as Ort;
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
}

export class Runtime {
  private readonly sessions = new Map<string, Promise<OrtSession>>();
  private readonly bytes = new Map<string, Uint8Array>();

  constructor(
    readonly ort: Ort,
    readonly backend: Backend,
  ) {}

  /** The session for graph `key`, built from `build()` on first use. */
  session(key: string, build: () => GraphBuilder, options: SessionOptions = {}): Promise<OrtSession> {
    let s = this.sessions.get(key);
    if (!s) {
      const model = build().toBytes();
      this.bytes.set(key, model);
      const opts: OrtModule.InferenceSession.SessionOptions = {
        executionProviders: [this.backend],
        graphOptimizationLevel: 'all',
      };
      if (this.backend === 'webgpu' && options.gpuOutputs?.length) {
        opts.preferredOutputLocation = Object.fromEntries(options.gpuOutputs.map((n) => [n, 'gpu-buffer' as const]));
      }
      s = this.ort.InferenceSession.create(model, opts);
      s.catch(() => this.sessions.delete(key));
      this.sessions.set(key, s);
    }
    return s;
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

  async dispose(): Promise<void> {
    const all = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of all) {
      try {
        await (await s).release();
      } catch {
        /* a session that failed to build has nothing to release */
      }
    }
  }
}
