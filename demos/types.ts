/**
 * The engine's public types. This file is the contract between the engine (demos/),
 * the experiments (demos/experiments/) and the site (src/): change it with care.
 */

/** A row-major float32 matrix. */
export type Matrix = { data: Float32Array; rows: number; cols: number };

/** The onnxruntime-web execution provider that actually runs the graphs. */
export type Backend = 'webgpu' | 'wasm';

export type Optimizer = 'sgd' | 'adam';

export type Progress = { step: number; losses: Float32Array };

export interface TrainLoraOptions {
  /** (N, k) inputs, batch and sequence flattened. */
  x: Matrix;
  /** (N, d) targets. */
  y: Matrix;
  /** (d, k) frozen weight; never changed. */
  w: Matrix;
  /** (r, k) initial A. */
  a0: Matrix;
  /** (d, r) initial B. */
  b0: Matrix;
  /** α/r (or α/√r): the engine does not care. */
  scaling: number;
  lr: number;
  steps: number;
  optimizer?: Optimizer;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface TrainFullOptions {
  x: Matrix;
  y: Matrix;
  /** (d, k) initial weight. */
  w0: Matrix;
  lr: number;
  steps: number;
  optimizer?: Optimizer;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface SvdResult {
  /** (m, p) with p = min(m, n). */
  u: Matrix;
  /** p singular values, descending. */
  s: Float32Array;
  /** (p, n). */
  vt: Matrix;
}

export interface Engine {
  /** What actually runs. */
  readonly backend: Backend;
  /** Why 'auto' did not get WebGPU, in words for a reader. */
  readonly fallbackReason?: string;
  /** What 'auto' decided by measurement (the figures of each backend), and whether it measured now or reused a stored decision. */
  readonly autoChoice?: AutoChoice;
  /** h = x·wᵀ + s·(x·aᵀ)·bᵀ, shape (N, d). */
  loraForward(x: Matrix, w: Matrix, a: Matrix, b: Matrix, scaling: number): Promise<Matrix>;
  trainLora(o: TrainLoraOptions): Promise<{ losses: Float32Array; a: Matrix; b: Matrix }>;
  trainFull(o: TrainFullOptions): Promise<{ losses: Float32Array; w: Matrix }>;
  /** W + s·B·A. */
  merge(w: Matrix, a: Matrix, b: Matrix, scaling: number): Promise<Matrix>;
  /** W_merged − s·B·A. */
  unmerge(wMerged: Matrix, a: Matrix, b: Matrix, scaling: number): Promise<Matrix>;
  /** Thin SVD, s descending. */
  svd(m: Matrix): Promise<SvdResult>;
  /** The .onnx bytes of a graph the engine has run (names listed by graphNames()). */
  graph(name: string): Uint8Array;
  graphNames(): string[];
  /** onnxruntime sessions held now (bounded by the runtime's least-recently-used cache; for tests). */
  readonly sessionCount: number;
  dispose(): Promise<void>;
}

export type EngineOptions = {
  backend?: Backend | 'auto';
  /** For 'auto': which graph family to time (default 'notebook') and where decisions are kept (e.g. localStorage; none: measure every time). */
  choice?: { family?: GraphFamily; store?: ChoiceStore };
};

// ---- Auto by measurement (auto-backend.ts) ----

/** A group of graphs that share a decision: the notebook's matrix graphs, the language model's. */
export type GraphFamily = 'notebook' | 'language-model';

/** The part of the Web Storage API a decision needs (`localStorage` is one). */
export interface ChoiceStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** One backend's time for one step of a family's workload. */
export interface Measurement {
  backend: Backend;
  msPerStep: number;
}

/** What Auto decided for a family, with the figures it decided on. */
export interface AutoDecision {
  family: GraphFamily;
  backend: Backend;
  /** Every backend timed, fastest first. */
  measured: Measurement[];
  /** When it was measured (ISO 8601). */
  at: string;
}

/** What Auto decided for an engine, and whether it measured now (else the decision was stored). */
export interface AutoChoice {
  decision: AutoDecision;
  measuredNow: boolean;
}
