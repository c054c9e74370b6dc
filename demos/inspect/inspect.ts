/**
 * Inspect one PEFT LoRA adapter, or compare two: per module the spectrum of ΔW = s·B·A, its
 * Frobenius norm and effective rank, DoRA magnitudes; between two adapters the subspace
 * similarity φ(i) of Hu et al. (2021, §7) on each shared module's right singular vectors.
 *
 * One module at a time: its tensors are decoded, factored and dropped before the next, so memory
 * stays at the two files plus one module's float64 copies (a 7B adapter's largest, 11008×r).
 * The result is one plain-data shape (`AdapterInspection`), the same for the CLI, the page's
 * worker and the build-time example.
 */
import { SettingError } from '../errors';
import type { PeftAdapter, PeftModule, SkippedTensor } from '../peft/index';
import { effectiveRank, loraSpectrum, subspaceSimilarity, subspaceSimilarityGrid, type LoraSpectrum } from './spectrum';

export interface DoraMagnitude {
  min: number;
  mean: number;
  max: number;
  /** m, one entry per output row (float32 as stored, widened). */
  values: number[];
}

export interface ModuleInspection {
  /** Module path without `base_model.model.`. */
  name: string;
  /** [out, in] of ΔW (nn.Linear's layout, also for GPT-2's Conv1D). */
  shape: [number, number];
  rank: number;
  alpha: number;
  scaling: number;
  dtype: string;
  /** Singular values of s·B·A, descending, length `rank`. */
  singularValues: number[];
  /** ‖s·B·A‖_F. */
  frobenius: number;
  /** Smallest k holding 90 % / 99 % of ‖ΔW‖²_F. */
  effectiveRank90: number;
  effectiveRank99: number;
  /** Where the module sits in a layer × module grid (`layoutOf`). */
  layer: string;
  kind: string;
  magnitude?: DoraMagnitude;
}

export interface AdapterSummary {
  modules: ModuleInspection[];
  skipped: SkippedTensor[];
  rslora: boolean;
  dora: boolean;
  fanInFanOut: boolean;
  bytes: number;
}

export interface ModuleSimilarity {
  name: string;
  /** φ(1,1) … φ(k,k), k = min(r₁, r₂). */
  phi: number[];
  ranks: [number, number];
  /**
   * φ(i, j) for i ≤ min(r₁, GRID_MAX), j ≤ min(r₂, GRID_MAX), row-major (rows: the first
   * adapter's i): Hu et al.'s Figure 3 for this module.
   */
  grid: { rows: number; cols: number; data: number[] };
}

/** The φ(i, j) grid stops at 64×64 (Hu et al. draw 8×64): enough to see, small to send. */
export const GRID_MAX = 64;

export interface AdapterInspection {
  first: AdapterSummary;
  second?: AdapterSummary;
  /** Modules in both adapters, in the first adapter's order. */
  similarity: ModuleSimilarity[];
  /** Module names in only one of the two (empty without a second adapter). */
  onlyInFirst: string[];
  onlyInSecond: string[];
}

export interface InspectProgress {
  /** Modules finished, of `total` (both adapters together). */
  done: number;
  total: number;
  name: string;
}

export interface InspectOptions {
  onProgress?: (p: InspectProgress) => void;
  signal?: AbortSignal;
  /**
   * Called between modules; a page's worker passes a macrotask wait so that a cancel message
   * can arrive. Default: none (synchronous work between awaits).
   */
  yieldEvery?: () => Promise<void>;
}

/**
 * A module's row and column in the layer × module grid: the path up to and including its first
 * numeric component is the layer (`model.layers.3`, `transformer.h.0`, `encoder.block.1`), the
 * rest the module kind (`self_attn.q_proj`, `mlp.c_fc`). A path without a number is a layer of
 * its own name with kind '' .
 */
export function layoutOf(name: string): { layer: string; kind: string } {
  const parts = name.split('.');
  const i = parts.findIndex((p) => /^\d+$/.test(p));
  if (i < 0) return { layer: name, kind: '' };
  return { layer: parts.slice(0, i + 1).join('.'), kind: parts.slice(i + 1).join('.') };
}

function finite(data: Float32Array, module: string, tensor: string): Float32Array {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new SettingError('adapter', `${module}: ${tensor} holds ${data[i]} at entry ${i}; the adapter is broken (a diverged training run?).`);
  }
  return data;
}

function inspectModule(m: PeftModule, vectors: boolean): { report: ModuleInspection; spectrum: LoraSpectrum } {
  const [out, inn] = m.shape;
  // Decode A and B now and let them go when this function returns: one module in memory at a time.
  const a = finite(m.a(), m.name, 'lora_A');
  const b = finite(m.b(), m.name, 'lora_B');
  const spectrum = loraSpectrum({ rows: m.rank, cols: inn, data: a }, { rows: out, cols: m.rank, data: b }, m.scaling, { vectors });
  const sv = Array.from(spectrum.singularValues);
  const report: ModuleInspection = {
    name: m.name, shape: [out, inn], rank: m.rank, alpha: m.alpha, scaling: m.scaling, dtype: m.dtype,
    singularValues: sv, frobenius: spectrum.frobenius,
    effectiveRank90: effectiveRank(sv, 0.9), effectiveRank99: effectiveRank(sv, 0.99),
    ...layoutOf(m.name),
  };
  if (m.magnitude) {
    const values = Array.from(finite(m.magnitude(), m.name, 'lora_magnitude_vector'));
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      sum += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    report.magnitude = { min, mean: values.length ? sum / values.length : 0, max, values };
  }
  return { report, spectrum };
}

/** Names compared with their numeric components as numbers: `layers.2` before `layers.10`. */
export function naturalOrder(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

const summary = (ad: PeftAdapter, modules: ModuleInspection[]): AdapterSummary => ({
  modules, skipped: ad.skipped, rslora: ad.config.useRslora, dora: ad.config.useDora, fanInFanOut: ad.config.fanInFanOut, bytes: ad.bytes,
});

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMException('The inspection was cancelled.', 'AbortError');
}

/**
 * Inspect `first`, and with `second` compare them module by module. For a module in both, its
 * two spectra are computed together with their right singular vectors, φ is taken, and the
 * vectors are dropped before the next module.
 */
export async function inspectAdapters(first: PeftAdapter, second?: PeftAdapter, o: InspectOptions = {}): Promise<AdapterInspection> {
  const modules1 = [...first.modules].sort((x, y) => naturalOrder(x.name, y.name));
  const modules2 = [...(second?.modules ?? [])].sort((x, y) => naturalOrder(x.name, y.name));
  const byName2 = new Map((second?.modules ?? []).map((m) => [m.name, m]));
  const names1 = new Set(first.modules.map((m) => m.name));
  const total = first.modules.length + (second?.modules.length ?? 0);
  let done = 0;
  const step = async (name: string) => {
    done++;
    o.onProgress?.({ done, total, name });
    if (o.yieldEvery) await o.yieldEvery();
    checkAbort(o.signal);
  };
  checkAbort(o.signal);
  const mods1: ModuleInspection[] = [];
  const mods2 = new Map<string, ModuleInspection>();
  const similarity: ModuleSimilarity[] = [];
  for (const m1 of modules1) {
    const m2 = byName2.get(m1.name);
    const r1 = inspectModule(m1, m2 !== undefined);
    mods1.push(r1.report);
    await step(m1.name);
    if (!m2) continue;
    if (m2.shape[1] !== m1.shape[1] || m2.shape[0] !== m1.shape[0]) {
      throw new SettingError('compare', `${m1.name} is [${m1.shape.join(', ')}] in the first adapter but [${m2.shape.join(', ')}] in the second: are they for the same base model?`);
    }
    const r2 = inspectModule(m2, true);
    mods2.set(m2.name, r2.report);
    similarity.push({
      name: m1.name,
      phi: subspaceSimilarity(r1.spectrum.rightVectors!, r2.spectrum.rightVectors!, Math.min(m1.rank, m2.rank)),
      ranks: [m1.rank, m2.rank],
      grid: (({ rows, cols, data }) => ({ rows, cols, data: Array.from(data) }))(
        subspaceSimilarityGrid(r1.spectrum.rightVectors!, r2.spectrum.rightVectors!, Math.min(m1.rank, GRID_MAX), Math.min(m2.rank, GRID_MAX)),
      ),
    });
    await step(m2.name);
  }
  const onlyInSecond: string[] = [];
  if (second) {
    for (const m2 of modules2) {
      if (names1.has(m2.name)) continue;
      onlyInSecond.push(m2.name);
      mods2.set(m2.name, inspectModule(m2, false).report);
      await step(m2.name);
    }
  }
  return {
    first: summary(first, mods1),
    ...(second ? { second: summary(second, modules2.map((m) => mods2.get(m.name)!)) } : {}),
    similarity,
    onlyInFirst: second ? modules1.filter((m) => !byName2.has(m.name)).map((m) => m.name) : [],
    onlyInSecond,
  };
}

/** The command line's JSON (snake_case, the field names first). */
export function inspectionJson(r: AdapterInspection): Record<string, unknown> {
  const mod = (m: ModuleInspection) => ({
    name: m.name, shape: m.shape, rank: m.rank, scaling: m.scaling, singular_values: m.singularValues, frobenius: m.frobenius,
    alpha: m.alpha, dtype: m.dtype, effective_rank_90: m.effectiveRank90, effective_rank_99: m.effectiveRank99,
    ...(m.magnitude ? { dora_magnitude: { min: m.magnitude.min, mean: m.magnitude.mean, max: m.magnitude.max } } : {}),
  });
  const skipped = (s: AdapterSummary) => s.skipped.map((x) => ({ name: x.name, reason: x.reason }));
  return {
    modules: r.first.modules.map(mod),
    similarity: r.similarity.map((s) => ({ name: s.name, phi: s.phi })),
    skipped: skipped(r.first),
    ...(r.second
      ? { compared: { modules: r.second.modules.map(mod), skipped: skipped(r.second), only_in_first: r.onlyInFirst, only_in_second: r.onlyInSecond } }
      : {}),
  };
}
