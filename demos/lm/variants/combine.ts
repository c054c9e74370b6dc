/**
 * Adapter arithmetic: PEFT 0.21's `LoraModel.add_weighted_adapter` (peft/tuners/lora/model.py,
 * `_check_add_weighted_adapter`, `add_weighted_adapter`, `_svd_generalized_task_arithmetic_weighted_adapter`,
 * `_generalized_task_arithmetic_weighted_adapter`; peft/utils/merge_utils.py) for the
 * deterministic combination types, on adapters for the chapter-8 model. DARE (random masks) is
 * not implemented.
 *
 * With wᵢ the weights, sᵢ each adapter's scale in the module (α/r or α/√r, per-module r and α
 * from rank_pattern / alpha_pattern), and Aᵢ (r×in), Bᵢ (out×r):
 *
 *   cat     A = [w₁s₁A₁; w₂s₂A₂; …], B = [B₁ B₂ …]           so BA = Σ wᵢ sᵢ BᵢAᵢ exactly
 *   svd     Σ wᵢ sᵢ BᵢAᵢ = U S Vᵀ, truncated to svd_rank:  B = U·S, A = Vᵀ
 *   linear  A = Σ sgn(wᵢsᵢ)√|wᵢsᵢ| Aᵢ, B = Σ √|wᵢsᵢ| Bᵢ     so BA = (ΣB)(ΣA): cross terms too
 *   ties / magnitude_prune: the same √ weights, A's and B's merged separately by
 *           merge_utils.ties / merge_utils.magnitude_prune (with `density`)
 *
 * DoRA: inputs' magnitude vectors are ignored (only A and B combine); if adapters[0] is DoRA the
 * result is DoRA with the base weight's row norms as its magnitude (what PEFT initialises).
 *
 * The new adapter's config is adapters[0]'s with r = lora_alpha = new rank, rank_pattern and
 * alpha_pattern emptied and target_modules the union; everything else is copied, use_rslora
 * included, so its scale is r/r = 1, or r/√r = √r when adapters[0] is an rsLoRA adapter (PEFT
 * computed A and B for scale 1: the combined update is then √r times larger. That is what PEFT
 * does, and this module reproduces it).
 */
import { SettingError } from '../../errors';
import type { PeftAdapter } from '../../peft/index';
import { TARGET_MODULES, modulePath, type LlamaConfig, type Weight } from '../model';
import { lowRankSvd, mat64 } from '../../linalg64';

export const COMBINATION_TYPES = ['linear', 'cat', 'svd', 'ties', 'magnitude_prune'] as const;
export type CombinationType = (typeof COMBINATION_TYPES)[number];

/** One adapted module of an input adapter, with its scale s as PEFT computes it for that module. */
interface CombineModule {
  a: Weight;
  b: Weight;
  scaling: number;
}

/** An input adapter as demos/peft reads it, and a name for messages (the folder the user gave). */
export interface CombineInput {
  name: string;
  adapter: PeftAdapter;
}

interface Input {
  name: string;
  config: Record<string, unknown>;
  /** `model.layers.0.self_attn.q_proj` → tensors. */
  modules: Map<string, CombineModule>;
}

export interface CombineOptions {
  combination: CombinationType;
  weights: number[];
  /** ties, magnitude_prune: the fraction of each A and B kept (by magnitude). */
  density?: number;
  /** svd: the rank of the result (default: the largest input rank). */
  svdRank?: number;
  /** svd: PEFT's svd_clamp, a quantile of the factors' entries to clamp them to (default none). */
  svdClamp?: number;
  /** ties: how the sign is elected (PEFT's majority_sign_method). */
  majoritySign?: 'total' | 'frequency';
  /** The base model's weight [out, in] of a module: needed only when the first adapter is DoRA. */
  baseWeight?: (path: string) => Weight;
}

export interface CombinedAdapter {
  /** adapter_config.json of the result, as PEFT saves it. */
  config: Record<string, unknown>;
  /** The combination PEFT actually ran (a single adapter always runs 'linear'). */
  combination: CombinationType;
  rank: number;
  scaling: number;
  /**
   * By module path, in the order of the base model's modules. `magnitude` (DoRA, when the first
   * adapter is DoRA) is what PEFT gives the new adapter: ‖W‖ per output row of the BASE weight,
   * computed when the adapter is created with B = 0; the inputs' own magnitudes are dropped.
   */
  modules: Map<string, { a: Weight; b: Weight; magnitude?: Weight }>;
}

const f = Math.fround;

/** r of an adapter as PEFT sizes a new adapter from it: the largest of r and every rank_pattern value. */
function maxRank(c: Record<string, unknown>): number {
  const r = c.r as number;
  const pattern = Object.values((c.rank_pattern ?? {}) as Record<string, number>);
  return pattern.length ? Math.max(r, ...pattern) : r;
}

/** Does PEFT's target_modules (a list, or a regex string) pick this module path? */
function targets(tm: unknown, path: string): boolean {
  if (typeof tm === 'string') return new RegExp(`^(?:${tm})$`).test(path);
  return (tm as string[]).some((t) => path === t || path.endsWith(`.${t}`));
}

/** `setting` names the CLI option (and the page's control) at fault. */
function fail(setting: 'combination' | 'weights' | 'density' | 'svdRank' | 'adapters', message: string): never {
  throw new SettingError(setting, message);
}

/** The checks `_check_add_weighted_adapter` makes, plus those PEFT leaves to Python's zip or to a crash. */
function plan(inputs: Input[], o: CombineOptions): { combination: CombinationType; rank: number; targetModules: string[] | string } {
  if (inputs.length === 0) fail('adapters', 'Give at least one adapter to combine.');
  if (!(COMBINATION_TYPES as readonly string[]).includes(o.combination)) {
    fail('combination', `Invalid combination_type: ${String(o.combination)}. Choose from ${COMBINATION_TYPES.join(', ')} (PEFT's dare_* types draw random masks and are not implemented).`);
  }
  // PEFT zips adapters with weights and silently drops the extra ones; a mismatch is a mistake.
  if (o.weights.length !== inputs.length) fail('weights', `${inputs.length} adapters but ${o.weights.length} weights: give one weight per adapter.`);
  o.weights.forEach((w, i) => { if (!Number.isFinite(w)) fail('weights', `Weight ${i + 1} must be a finite number, not ${w}.`); });
  for (const x of inputs) {
    const c = x.config;
    if (c.peft_type !== 'LORA') fail('adapters', `${x.name}: peft_type is ${JSON.stringify(c.peft_type)}; only LoRA adapters combine.`);
    if (Array.isArray(c.target_parameters) && c.target_parameters.length) fail('adapters', `${x.name}: add_weighted_adapter does not support targeting nn.Parameter (target_parameters).`);
    if (c.modules_to_save != null) fail('adapters', `${x.name}: modules_to_save (fully trained extra modules) cannot be combined here.`);
    for (const key of ['layers_to_transform', 'layers_pattern', 'exclude_modules'] as const) {
      if (c[key] != null && !(Array.isArray(c[key]) && c[key].length === 0)) fail('adapters', `${x.name}: ${key} is not supported by this combiner.`);
    }
  }
  // One adapter: PEFT runs linear whatever was asked.
  const combination: CombinationType = inputs.length === 1 ? 'linear' : o.combination;
  const ranks = inputs.map((x) => maxRank(x.config));
  let rank: number;
  if (combination === 'cat') rank = ranks.reduce((s, r) => s + r, 0);
  else if (combination === 'svd') {
    if (o.svdRank !== undefined && !(Number.isInteger(o.svdRank) && o.svdRank >= 1)) fail('svdRank', `--svd-rank must be a whole number ≥ 1, not ${o.svdRank}.`);
    rank = o.svdRank ?? Math.max(...ranks);
  } else {
    if (new Set(ranks).size !== 1) {
      fail('combination', `All adapters must have the same r value when using combination_type ${combination} (PEFT raises this too); these have r = ${ranks.join(', ')} (the largest of r and rank_pattern). Use cat or svd.`);
    }
    rank = ranks[0]!;
  }
  if (combination === 'ties' || combination === 'magnitude_prune') {
    if (o.density === undefined) fail('density', `${combination} needs --density (the fraction of each A and B kept, 0 to 1).`);
    if (!Number.isFinite(o.density)) fail('density', `--density must be a number, not ${o.density}.`);
    if (o.density < 0) fail('density', `Density should be >= 0, got ${o.density} (PEFT's words): --density is the fraction kept, 0 to 1.`);
  }
  if (o.svdClamp !== undefined && !(o.svdClamp >= 0 && o.svdClamp <= 1)) fail('combination', `svd_clamp is a quantile, 0 to 1, not ${o.svdClamp}.`);
  const kinds = inputs.map((x) => (x.config.target_modules === 'all-linear' ? 'object' : typeof x.config.target_modules));
  if (new Set(kinds).size > 1) fail('adapters', 'all adapter configs should follow the same target modules type (PEFT\'s words): some give target_modules as a list, others as a regex string.');
  // PEFT turns a list into a set when it loads a config (union below) and expands 'all-linear'
  // into the names of every linear layer but the output head.
  const names = (tm: unknown): string[] => (tm === 'all-linear' ? [...TARGET_MODULES] : (tm as string[]));
  const targetModules = typeof inputs[0]!.config.target_modules === 'string' && inputs[0]!.config.target_modules !== 'all-linear'
    ? inputs.map((x) => `(${x.config.target_modules as string})`).join('|')
    : [...new Set(inputs.flatMap((x) => names(x.config.target_modules)))].sort();
  return { combination, rank, targetModules };
}

/** merge_utils.magnitude_based_pruning: keep the k = ⌊density·n⌋ largest |values| (ties: lower index first). */
function prune(t: Float32Array, density: number): Float32Array {
  if (density >= 1) return t; // PEFT warns and prunes nothing
  const k = Math.trunc(density * t.length);
  const order = Array.from({ length: t.length }, (_, i) => i).sort((x, y) => Math.abs(t[y]!) - Math.abs(t[x]!) || x - y);
  const out = new Float32Array(t.length);
  for (let j = 0; j < k; j++) out[order[j]!] = t[order[j]!]!;
  return out;
}

/** merge_utils.task_arithmetic / magnitude_prune / ties over same-shaped tensors, in float32. */
function mergeTensors(kind: CombinationType, tensors: Float32Array[], weights: number[], o: CombineOptions): Float32Array {
  const w = weights.map(f); // torch.tensor(list of floats) is float32
  const n = tensors[0]!.length;
  const ts = kind === 'linear' ? tensors : tensors.map((t) => prune(t, o.density!));
  const out = new Float32Array(n);
  if (kind !== 'ties') {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < ts.length; j++) s = f(s + f(ts[j]![i]! * w[j]!));
      out[i] = s;
    }
    return out;
  }
  // TIES: elect a sign per entry from the pruned (unweighted) tensors, then average the weighted
  // entries that carry that sign: Σⱼ wⱼtⱼ·[sgn tⱼ = elected] / max(1, #agreeing).
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (const t of ts) total = f(total + (o.majoritySign === 'frequency' ? Math.sign(t[i]!) : t[i]!));
    const elected = total >= 0 ? 1 : -1;
    let s = 0;
    let count = 0;
    for (let j = 0; j < ts.length; j++) {
      if (Math.sign(ts[j]![i]!) !== elected) continue;
      s = f(s + f(ts[j]![i]! * w[j]!));
      count++;
    }
    out[i] = f(s / Math.max(1, count));
  }
  return out;
}

/**
 * PEFT's svd_clamp, in place: hi = torch.quantile of the SIGNED entries of U·S and Vh together,
 * then both clamped to [−hi, hi]. The quantile depends on the singular vectors' signs (arbitrary),
 * and for q ≤ ½ hi is about 0 or negative, where clamp(lo > hi) sets every entry to hi.
 */
export function clampSvdFactors(bu: Float64Array | Float32Array, av: Float64Array | Float32Array, q: number): void {
  const entries = new Float64Array(bu.length + av.length);
  entries.set(bu);
  entries.set(av, bu.length);
  const hi = quantile(entries, q);
  const lo = -hi;
  // torch.clamp(x, lo, hi) = min(max(x, lo), hi)
  for (let i = 0; i < bu.length; i++) bu[i] = Math.min(hi, Math.max(lo, bu[i]!));
  for (let i = 0; i < av.length; i++) av[i] = Math.min(hi, Math.max(lo, av[i]!));
}

/** ‖W‖ over dim 1 of an [out, in] weight: DoRA's initial magnitude (dora.py, get_weight_norm with B = 0). */
function rowNorms(w: Weight): Weight {
  const [out, inp] = w.shape as [number, number];
  const m = new Float32Array(out);
  for (let i = 0; i < out; i++) {
    let ss = 0;
    for (let j = 0; j < inp; j++) ss += w.data[i * inp + j]! ** 2;
    m[i] = Math.sqrt(ss);
  }
  return { shape: [out], data: m };
}

/** torch.quantile(x, q) with linear interpolation. */
function quantile(x: Float64Array, q: number): number {
  const s = Float64Array.from(x).sort();
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, s.length - 1);
  return s[lo]! + (pos - lo) * (s[hi]! - s[lo]!);
}

/**
 * `add_weighted_adapter(adapters, weights, combination_type, svd_rank, density)` on adapters for
 * a model whose LoRA-able modules are `modulePaths` (in the base model's order).
 */
export function combineAdapters(adapters: CombineInput[], o: CombineOptions, modulePaths: readonly string[]): CombinedAdapter {
  const inputs: Input[] = adapters.map(({ name, adapter }) => ({
    name,
    config: adapter.config.raw,
    modules: new Map(adapter.modules.map((m) => [m.name, {
      a: { shape: [m.rank, m.shape[1]], data: m.a() }, b: { shape: [m.shape[0], m.rank], data: m.b() }, scaling: m.scaling,
    }])),
  }));
  const { combination, rank, targetModules } = plan(inputs, o);
  const config: Record<string, unknown> = {
    ...inputs[0]!.config, r: rank, lora_alpha: rank, target_modules: targetModules, alpha_pattern: {}, rank_pattern: {},
  };
  const scaling = config.use_rslora === true ? rank / Math.sqrt(rank) : 1;
  const modules = new Map<string, { a: Weight; b: Weight; magnitude?: Weight }>();
  const dora = config.use_dora === true;
  if (dora && !o.baseWeight) fail('adapters', `${inputs[0]!.name} is a DoRA adapter: the combined adapter is DoRA too, and its magnitudes come from the base model's weights, which were not given.`);
  for (const path of modulePaths) {
    if (!targets(targetModules, path)) continue;
    const present = inputs.flatMap((x, i) => (x.modules.has(path) ? [{ m: x.modules.get(path)!, w: o.weights[i]!, name: x.name }] : []));
    if (present.length === 0) fail('adapters', `The combined adapter targets ${path} but none of the adapters has it (PEFT fails here too).`);
    const [out, inp] = [present[0]!.m.b.shape[0]!, present[0]!.m.a.shape[1]!];
    if (combination === 'cat') {
      // A rows and B columns side by side, wᵢsᵢ folded into A; zero rows/columns fill up to the new rank.
      const a = new Float32Array(rank * inp);
      const b = new Float32Array(out * rank);
      let row = 0;
      for (const { m, w } of present) {
        const r = m.a.shape[0]!;
        for (let i = 0; i < r * inp; i++) a[row * inp + i] = f(f(m.a.data[i]! * f(w)) * f(m.scaling));
        for (let o2 = 0; o2 < out; o2++) for (let j = 0; j < r; j++) b[o2 * rank + row + j] = m.b.data[o2 * r + j]!;
        row += r;
      }
      modules.set(path, { a: { shape: [rank, inp], data: a }, b: { shape: [out, rank], data: b } });
    } else if (combination === 'svd') {
      modules.set(path, svdModule(path, present, rank, out, inp, o.svdClamp));
    } else {
      const ranks = new Set(present.map(({ m }) => m.a.shape[0]!));
      if (ranks.size > 1 || !ranks.has(rank)) {
        // PEFT would stack them (and fail) or save tensors of rank ≠ r that it cannot load back.
        fail('combination', `${combination} needs every adapter's rank in ${path} equal to r = ${rank}; here: ${present.map(({ m, name }) => `${name} ${m.a.shape[0]}`).join(', ')} (rank_pattern). PEFT would write an adapter it cannot load. Use cat or svd.`);
      }
      // √|wᵢsᵢ| on both factors, the sign on A only, so that Bᵢ·Aᵢ gets wᵢsᵢ.
      const ws = present.map(({ m, w }) => w * m.scaling);
      const wA = ws.map((x) => Math.sqrt(Math.abs(x)) * (x >= 0 ? 1 : -1));
      const wB = ws.map((x) => Math.sqrt(Math.abs(x)));
      const a = mergeTensors(combination, present.map(({ m }) => m.a.data), wA, o);
      const b = mergeTensors(combination, present.map(({ m }) => m.b.data), wB, o);
      modules.set(path, { a: { shape: [rank, inp], data: a }, b: { shape: [out, rank], data: b } });
    }
    if (dora) modules.get(path)!.magnitude = rowNorms(o.baseWeight!(path));
  }
  return { config, combination, rank, scaling, modules };
}

/** The svd branch: SVD of Σ wᵢsᵢBᵢAᵢ, B = U_r·S_r, A = V_rᵀ, optionally clamped. */
function svdModule(path: string, present: { m: CombineModule; w: number }[], rank: number, out: number, inp: number, clamp?: number): { a: Weight; b: Weight } {
  if (rank > Math.min(out, inp)) {
    fail('svdRank', `--svd-rank ${rank} exceeds ${path}'s smaller side (${out}×${inp}): the rank of an ${out}×${inp} matrix is at most ${Math.min(out, inp)} (PEFT fails with a shape error here).`);
  }
  const k = present.reduce((s, { m }) => s + m.a.shape[0]!, 0);
  // Σ wᵢsᵢBᵢAᵢ = P·Q with P = [w₁s₁B₁ …] (out×k) and Q = [A₁; …] (k×in).
  const p = mat64(out, k);
  const q = mat64(k, inp);
  let col = 0;
  for (const { m, w } of present) {
    const r = m.a.shape[0]!;
    const ws = f(w) * m.scaling;
    for (let i = 0; i < out; i++) for (let j = 0; j < r; j++) p.data[i * k + col + j] = ws * m.b.data[i * r + j]!;
    for (let i = 0; i < r * inp; i++) q.data[col * inp + i] = m.a.data[i]!;
    col += r;
  }
  const { u, s, v } = lowRankSvd(p, q);
  const t = s.length;
  // Beyond the update's true rank the singular values are 0: B's columns are 0, A's rows left 0.
  const bu = new Float64Array(out * rank);
  const av = new Float64Array(rank * inp);
  for (let j = 0; j < Math.min(rank, t); j++) {
    for (let i = 0; i < out; i++) bu[i * rank + j] = u.data[i * t + j]! * s[j]!;
    for (let i = 0; i < inp; i++) av[j * inp + i] = v.data[i * t + j]!;
  }
  if (clamp !== undefined) clampSvdFactors(bu, av, clamp);
  return { a: { shape: [rank, inp], data: Float32Array.from(av) }, b: { shape: [out, rank], data: Float32Array.from(bu) } };
}

/** Every linear layer of the chapter-8 model an adapter can target, in the model's order. */
export function linearModulePaths(c: LlamaConfig): string[] {
  const paths: string[] = [];
  for (let i = 0; i < c.numLayers; i++) for (const m of TARGET_MODULES) paths.push(modulePath(i, m));
  return [...paths, 'lm_head'];
}

/** ΔW = s·B·A of one combined module, float64 (for checks and for merging into the base). */
export function combinedDelta(c: CombinedAdapter, path: string): Float64Array {
  const { a, b } = c.modules.get(path)!;
  const [out, r] = b.shape as [number, number];
  const inp = a.shape[1]!;
  const d = new Float64Array(out * inp);
  for (let i = 0; i < out; i++) for (let p = 0; p < r; p++) {
    const v = c.scaling * b.data[i * r + p]!;
    if (v !== 0) for (let j = 0; j < inp; j++) d[i * inp + j]! += v * a.data[p * inp + j]!;
  }
  return d;
}
