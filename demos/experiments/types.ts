/**
 * The result shapes of the notebook's experiments: one per chapter (notebook section).
 *
 * These are the contract between the experiments (which compute them, live in the browser
 * or at build time in Node) and the site's charts and tables (which only read them).
 * Everything is plain JSON: numbers, strings, booleans, arrays and PlainMatrix, so a
 * build-time result can be embedded in the page and a live result has the same shape.
 */
import type { LmDemoFrame } from '../lm/demo-run';
import type { MemoryBreakdown, Point as PracticePoint } from '../lm/practice';
import type { LmTask } from '../lm/files';
import type { TargetModule } from '../lm/model';
import type { CombinationType } from '../lm/variants/combine';
import type { ScalingRule } from '../scaling';
import type { Backend, Optimizer } from '../types';

export type { LmTask, ScalingRule, MemoryBreakdown, PracticePoint };

/** A row-major matrix as plain JSON. */
export type PlainMatrix = { rows: number; cols: number; data: number[] };

/** Facts about the run that every result carries. */
export interface RunInfo {
  backend: Backend;
  /** Wall time of the experiment in milliseconds (informative only). */
  ms: number;
}

// §1 Low-rank approximation intuition -------------------------------------------------
export interface LowRankSettings {
  seed: number; // 42
  d: number; // 64
  k: number; // 64
  trueRank: number; // 4
  noise: number; // 0.001
}
export interface LowRankResult {
  settings: LowRankSettings;
  /** σ₁ ≥ σ₂ ≥ … of ΔW, min(d, k) values. */
  singularValues: number[];
  /** relErrors[r-1] = ‖ΔW − ΔW_r‖_F / ‖ΔW‖_F for r = 1 … min(d, k). */
  relErrors: number[];
  /** energy[i] = Σ_{j≤i} σ_j² / Σ σ², the fraction of variance explained by i+1 values. */
  energy: number[];
  /** Smallest r with energy ≥ 0.99. */
  rankFor99: number;
  info: RunInfo;
}

// §2 LoRA implementation --------------------------------------------------------------
export interface ImplementationSettings {
  seed: number; // 42
  dIn: number; // 64
  dOut: number; // 64
  rank: number; // 4
  alpha: number; // 8
  batch: number; // 2
  seqLen: number; // 8
  scalingRule: ScalingRule; // 'alpha/r'
}
export interface ImplementationResult {
  settings: ImplementationSettings;
  inputShape: number[]; // [2, 8, 64]
  outputShape: number[]; // [2, 8, 64]
  params: { frozen: number; a: number; b: number; trainable: number; reduction: number };
  scaling: number;
  /** ‖s·B·A‖_F at initialisation (0 because B = 0). */
  deltaWNormAtInit: number;
  /** Small pictures for heatmaps: W₀ (dOut×dIn), A (r×dIn), B (dOut×r), ΔW = s·B·A (dOut×dIn). */
  matrices: { w0: PlainMatrix; a: PlainMatrix; b: PlainMatrix; deltaW: PlainMatrix };
  info: RunInfo;
}

// §3 Training --------------------------------------------------------------------------
export interface TrainingSettings {
  seed: number; // 42
  dModel: number; // 32
  seqLen: number; // 8
  nSamples: number; // 200
  rank: number; // 4
  targetRank: number; // 4
  alpha: number; // 8
  lr: number; // 0.01
  epochs: number; // 100
  optimizer: Optimizer; // 'sgd'
  scalingRule: ScalingRule; // 'alpha/r'
}
export interface LossCurve {
  /** losses[t] = MSE in epoch t, before that epoch's update. */
  losses: number[];
  final: number;
  params: number;
}
export interface TrainingResult {
  settings: TrainingSettings;
  lora: LossCurve;
  full: LossCurve;
  /** The notebook's printout: every 20th epoch of the LoRA run. */
  checkpoints: { epoch: number; loss: number }[];
  /** full.params / lora.params. */
  paramRatio: number;
  /** The trained matrices, so that §4 can merge them without training again. */
  trained?: TrainedState;
  info: RunInfo;
}
/** What §3 leaves behind for §4: W₀, the trained adapter and the fully fine-tuned W. */
export interface TrainedState {
  w0: PlainMatrix;
  a: PlainMatrix;
  b: PlainMatrix;
  /** The scaling s the adapter was trained with. */
  scaling: number;
  wFull: PlainMatrix;
}
/**
 * What a running experiment reports: its result so far, in the final result's own shape
 * (curves cut short, rows still to come, `info.ms` the time so far), and the optimizer steps
 * done, so a page draws progress and the final result with the same code.
 */
export interface ExperimentProgress<R> {
  result: R;
  /** Optimizer steps run so far, over every training run of the experiment. */
  steps: number;
}
/** Live progress of §3: which run trains now; `result` has both curves so far, no trained state. */
export interface TrainingProgress extends ExperimentProgress<TrainingResult> {
  run: 'lora' | 'full';
}

// §4 Merging ---------------------------------------------------------------------------
export interface MergingSettings extends TrainingSettings {
  /** Rows of the test input x_test (the notebook: 1×4 tokens). */
  testTokens: number; // 4
}
export interface MergingResult {
  settings: MergingSettings;
  /** max |separate − merged| over the test outputs. */
  maxDiff: number;
  /** allclose at atol 1e-5. */
  equal: boolean;
  /** Output of the test input through the separate path and the merged path (tokens × d). */
  outSeparate: PlainMatrix;
  outMerged: PlainMatrix;
  /** The learned ΔW = s·B·A (d × d). */
  deltaW: PlainMatrix;
  /** Singular values of the learned ΔW (all d of them). */
  spectrumLora: number[];
  /** Singular values of W_full − W₀ after full fine-tuning. */
  spectrumFull: number[];
  rank: number;
  /** The trained adapter that was merged (for download). */
  adapter: { a: PlainMatrix; b: PlainMatrix; scaling: number };
  info: RunInfo;
}

// §5 Effect of rank --------------------------------------------------------------------
export interface RankSweepSettings extends TrainingSettings {
  ranks: number[]; // [1, 2, 4, 8, 16, 32]
}
export interface RankSweepRow {
  rank: number;
  finalLoss: number;
  params: number;
  /** 100 · params / (d_model²). */
  percentOfFull: number;
  losses: number[];
}
/** Live progress of §5: reported once per finished rank; `result` has the rows done so far. */
export interface RankSweepProgress extends ExperimentProgress<RankSweepResult> {
  row: RankSweepRow;
  rowsDone: number;
  rowsTotal: number;
}
export interface RankSweepResult {
  settings: RankSweepSettings;
  rows: RankSweepRow[];
  fullParams: number;
  info: RunInfo;
}

// §6 Multi-adapter switching -----------------------------------------------------------
export interface AdaptersSettings {
  seed: number; // 42
  dModel: number; // 32
  rank: number; // 4
  alpha: number; // 8
  testTokens: number; // 4
  scalingRule: ScalingRule;
}
export type AdapterChoice = 'none' | 'taskA' | 'taskB';
export interface AdaptersResult {
  settings: AdaptersSettings;
  /** Output norms ‖x·W_baseᵀ‖, and with each adapter. */
  norms: Record<AdapterChoice, number>;
  outputs: Record<AdapterChoice, PlainMatrix>;
  /** Storage in KB (float32): one adapter, and the base matrix. */
  storage: { adapterKB: number; baseKB: number };
  info: RunInfo;
}

export interface SavingsModel {
  name: string; // '7B (LLaMA)'
  dModel: number;
  layers: number;
  /** Adapted matrices per layer (the notebook: Q and V → 2). */
  matricesPerLayer: number;
}
export interface SavingsRow {
  rank: number;
  loraParams: number;
  reduction: number;
}
export interface SavingsTable {
  model: SavingsModel;
  fullParams: number;
  rows: SavingsRow[];
}
/** §6's calculator: which models, which ranks (the notebook: its three models, ranks 4, 8, 16, 64). */
export interface SavingsSettings {
  models: SavingsModel[];
  ranks: number[];
}

// §8 A real language model ------------------------------------------------------------
export interface LanguageModelSettings {
  /** The text the adapter trains on: The Devil's Dictionary or State of the Union addresses. */
  task: LmTask; // 'devil'
  /** LoRA adapters on `targets`, or full fine-tuning of every weight (chapter 3's comparison). */
  method: 'lora' | 'full'; // 'lora'
  /** The modules of every layer that get an adapter. */
  targets: TargetModule[]; // ['q_proj', 'v_proj']
  rank: number; // 8
  alpha: number; // 16
  scalingRule: ScalingRule; // 'alpha/r' (PEFT's use_rslora: false)
  lr: number; // 3e-3, Adam
  steps: number; // 300
  batch: number; // 8 windows of the model's context
  seed: number; // 0: the adapter's A, the batches, the samples
  /** The text both models continue. */
  prompt: string;
  sampleLength: number; // 120 characters
  temperature: number; // 0.7
  /** Steps between refreshed continuations and held-out losses (a multiple of stepsPerRun). */
  refreshEvery: number; // 100
  stepsPerRun: number; // 10
  valWindows: number; // 16
  /** The site's base URL, where models/ and corpora/ are fetched from in a browser. */
  root: string;
}
export interface LanguageModelResult {
  settings: LanguageModelSettings;
  frame: LmDemoFrame;
  /** The base model's folder under the site's root (public/). */
  modelDir: string;
  /** The trained adapter as PEFT saves it (a live run; the build-time result has none). */
  peft?: { config: string; /** adapter_model.safetensors, base64 */ safetensors: string };
  /**
   * The adapter merged into the weights (W + sBA, chapter 4): max |logits(merged) −
   * logits(base + adapter)| over one held-out window (`positions` × vocabulary), a live LoRA run only.
   */
  merge?: { maxAbsDifference: number; positions: number };
  /**
   * The LoRA adapters this page keeps for switching (the last one trained on each task, with its
   * steps), after this run: a live run only. They outlive Cancel, Reset and other runs.
   */
  kept?: { task: LmTask; steps: number }[];
  info: RunInfo;
}
/** Live progress of §8: the files loading (bytes), the first samples, then training frames. */
export interface LanguageModelProgress extends ExperimentProgress<LanguageModelResult> {
  phase: 'loading' | 'preparing' | 'training';
  /** Bytes of the model and texts loaded so far, and in all (0 when not known yet). */
  loaded: number;
  total: number;
}


// §10 Beyond plain LoRA -----------------------------------------------------------------
/** The variants chapter 10 trains side by side (each one knob away from plain LoRA). */
export type LoraVariantId = 'lora' | 'dora' | 'pissa' | 'loraplus' | 'qlora' | 'rslora' | 'lorahigh';
export interface LoraVariantsSettings {
  /** Which variants to train, in this order. */
  variants: LoraVariantId[]; // all seven
  task: LmTask; // 'devil'
  targets: TargetModule[]; // ['q_proj', 'v_proj']
  rank: number; // 8: every variant's rank but rsLoRA's and the high-rank LoRA's
  alpha: number; // 16
  /** The rank of rsLoRA (α/√r) and of plain LoRA at a high rank (α/r), to compare their scaling. */
  highRank: number; // 64
  /** LoRA+: B's learning rate = ratio × A's. */
  loraplusRatio: number; // 16
  lr: number; // 3e-3, Adam (A's rate under LoRA+)
  steps: number;
  batch: number;
  seed: number;
  stepsPerRun: number;
  valWindows: number;
  root: string;
}
/** One variant's run. */
export interface LoraVariantRow {
  id: LoraVariantId;
  /** adapter_config.json's words for it (r, α, use_dora, init_lora_weights, …). */
  config: string;
  /** Held-out loss of its starting point (QLoRA: the quantised base; PiSSA: W_res + B₀A₀ = W) and after training. */
  valBefore: number;
  valAfter: number;
  trainLosses: number[];
  trainableParameters: number;
  /** Parameters of the adapter as PEFT saves it (PiSSA: rank 2r). */
  savedParameters: number;
  trainingStateBytes: number;
  baseWeightBytes: number;
  baseWeightBytesFloat32: number;
  /** Wall-clock milliseconds per optimizer step, from the first progress report to the last (graph building left out), on this run's backend. */
  msPerStep: number;
  /** The adapter as PEFT saves it for the original base (a live run; the committed run has none). */
  peft?: { config: string; /** adapter_model.safetensors, base64 */ safetensors: string };
}
export interface LoraVariantsResult {
  settings: LoraVariantsSettings;
  /** Finished variants, then (during a run) the one training, with its losses so far. */
  rows: LoraVariantRow[];
  /** The variant training now (a run in progress). */
  running?: LoraVariantId;
  info: RunInfo;
}
export interface LoraVariantsProgress extends ExperimentProgress<LoraVariantsResult> {
  phase: 'loading' | 'training';
  loaded: number;
  total: number;
}

/** The merging lab: two task adapters combined by PEFT's add_weighted_adapter. */
export interface AdapterArithmeticSettings {
  combination: CombinationType; // 'linear'
  /** The weight of the Devil's Dictionary adapter and of the State of the Union one. */
  weights: [number, number]; // [1, 1]
  /** ties and magnitude_prune: the fraction of each A and B kept. */
  density: number; // 0.5
  /** svd: the rank of the result. */
  svdRank: number; // 8
  prompt: string;
  sampleLength: number;
  temperature: number;
  seed: number;
  valWindows: number;
  root: string;
  /**
   * The reader's own PEFT adapter folder (read in the page, never uploaded): when given, it is
   * evaluated beside the others, merged into the base, and it is the first input of the
   * combination, with the task adapter `ownPartner` as the second.
   */
  own?: { name: string; config: string; /** adapter_model.safetensors, base64 */ safetensors: string };
  ownPartner?: LmTask;
}
export interface AdapterArithmeticRow {
  /** 'base', 'devil', 'sotu' or 'combined'. */
  adapter: string;
  /** Held-out loss on each task, in the order of `tasks`. */
  valLoss: number[];
  sample: string;
}
export interface AdapterArithmeticResult {
  settings: AdapterArithmeticSettings;
  tasks: LmTask[];
  rows: AdapterArithmeticRow[];
  /** The combined adapter: PEFT's r (= lora_alpha) and scale, and ‖ΔW_combined − Σ wᵢΔWᵢ‖_F / ‖Σ wᵢΔWᵢ‖_F over all modules. */
  combined: { rank: number; scaling: number; relativeDeviation: number; config: string; /** base64 */ safetensors: string };
  /** The reader's adapter: what it is, and its merge W + ΔW checked (max |logits(merged) − logits(unmerged)| over one held-out window). */
  own?: { name: string; description: string; merge: { maxAbsDifference: number; positions: number } };
  info: RunInfo;
}
// §9 LoRA in practice ------------------------------------------------------------------
/** One training run on the chapter-8 model, measured on fixed held-out windows (chapter 9). */
export interface PracticeSettings {
  task: LmTask; // 'devil'
  method: 'lora' | 'full'; // 'lora'
  targets: TargetModule[]; // ['q_proj', 'v_proj']
  rank: number; // 8
  alpha: number; // 16
  scalingRule: ScalingRule; // 'alpha/r'
  lr: number; // Adam
  steps: number;
  batch: number;
  seed: number;
  /** Training characters used, from the start of the training text (0: all of it). */
  slice: number;
  /** Steps between held-out measurements while training (0: before and after only). */
  evalEvery: number;
  /** Held-out windows per measurement (the task's text and held-out Austen each). */
  valWindows: number;
  stepsPerRun: number;
  /** The site's base URL, where models/ and corpora/ are fetched from in a browser. */
  root: string;
}
export interface PracticeResult {
  settings: PracticeSettings;
  /** The reader's run (live); the build-time result has none and shows the committed study alone. */
  point?: PracticePoint;
  info: RunInfo;
}
export interface PracticeProgress extends ExperimentProgress<PracticeResult> {
  phase: 'loading' | 'training';
  loaded: number;
  total: number;
  /** The run so far: training losses, and held-out measurements when evalEvery > 0. */
  trainLosses: number[];
  curve: PracticePoint['curve'];
}
/** What a training step holds (bytes, float32), read off the engine's training graph (chapter 9). */
export interface PracticeMemorySettings {
  targets: TargetModule[]; // ['q_proj', 'v_proj']
  rank: number; // 8
  /** The chapter-8 model's batch (windows) and context (characters, at most its 64). */
  batch: number;
  context: number;
  /** Chapter 6's 7B model: its batch and context. */
  bigBatch: number;
  bigContext: number;
  root: string;
}
export interface PracticeMemoryRow {
  model: string;
  method: 'lora' | 'full' | 'qlora';
  memory: MemoryBreakdown;
  total: number;
}
export interface PracticeMemoryResult {
  settings: PracticeMemorySettings;
  rows: PracticeMemoryRow[];
  info: RunInfo;
}

/** A source of the site's static files, by path under its root. */
export interface FileSource {
  /** The file's bytes; `onBytes(loaded, total)` follows the download (total 0 when unknown). */
  read(path: string, onBytes?: (loaded: number, total: number) => void, signal?: AbortSignal): Promise<Uint8Array>;
}

/** The options every experiment takes besides its settings. */
export interface ExperimentOptions<P = never> {
  signal?: AbortSignal;
  onProgress?: (p: P) => void;
  /** Where an experiment that reads the site's files (the language model) gets them; default: fetch. */
  files?: FileSource;
}

/**
 * Every experiment by name, with its settings, its result and what it reports while running:
 * the one list the engine worker, the protocol, the build and the demo specs all key on.
 */
export interface ExperimentTypes {
  lowRank: { settings: LowRankSettings; result: LowRankResult; progress: never };
  implementation: { settings: ImplementationSettings; result: ImplementationResult; progress: never };
  training: { settings: TrainingSettings; result: TrainingResult; progress: TrainingProgress };
  /** §4 trains first: its progress is §3's curves, its result the merge. */
  merging: { settings: MergingSettings; result: MergingResult; progress: TrainingProgress };
  rankSweep: { settings: RankSweepSettings; result: RankSweepResult; progress: RankSweepProgress };
  adapters: { settings: AdaptersSettings; result: AdaptersResult; progress: never };
  savings: { settings: SavingsSettings; result: SavingsTable[]; progress: never };
  languageModel: { settings: LanguageModelSettings; result: LanguageModelResult; progress: LanguageModelProgress };
  loraVariants: { settings: LoraVariantsSettings; result: LoraVariantsResult; progress: LoraVariantsProgress };
  adapterArithmetic: { settings: AdapterArithmeticSettings; result: AdapterArithmeticResult; progress: never };
  practiceTargets: { settings: PracticeSettings; result: PracticeResult; progress: PracticeProgress };
  practiceLr: { settings: PracticeSettings; result: PracticeResult; progress: PracticeProgress };
  practiceRank: { settings: PracticeSettings; result: PracticeResult; progress: PracticeProgress };
  practiceForgetting: { settings: PracticeSettings; result: PracticeResult; progress: PracticeProgress };
  practiceMemory: { settings: PracticeMemorySettings; result: PracticeMemoryResult; progress: never };
  practiceEvaluation: { settings: PracticeSettings; result: PracticeResult; progress: PracticeProgress };
}
export type ExperimentName = keyof ExperimentTypes;
export type SettingsOf<E extends ExperimentName> = ExperimentTypes[E]['settings'];
export type ResultOf<E extends ExperimentName> = ExperimentTypes[E]['result'];
export type ProgressOf<E extends ExperimentName> = ExperimentTypes[E]['progress'];

/** Every result of the notebook, run top to bottom. */
export type NotebookResults = { [E in ExperimentName]: ResultOf<E> };
