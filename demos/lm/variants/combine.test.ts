/**
 * add_weighted_adapter against PEFT 0.21 itself: scripts/lm/make_combine_fixtures.py built three
 * adapters (fixtures/inputs: different targets and ranks, one rsLoRA, one with rank and alpha
 * patterns), ran add_weighted_adapter for each case and saved the result with save_pretrained
 * (fixtures/combined/<case>) and the logits on a probe (combine.json). Here the same inputs are
 * combined in TypeScript and compared: the config, the module set, A and B (all but svd), each
 * module's ΔW = s·B·A, and the logits with ΔW merged into the base (through the LM engine).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safetensorsIndex } from '../../export/safetensors';
import { readPeftAdapter, type PeftAdapter } from '../../peft/index';
import { LanguageModelEngine } from '../engine';
import type { LanguageModel } from '../model';
import { loadModelDir, relativeError } from '../../test-support/lm';
import { lowRankSvd, mat64 } from '../../linalg64';
import { clampSvdFactors, combineAdapters, combinedDelta, linearModulePaths, type CombinationType, type CombineInput, type CombinedAdapter } from './combine';

const FIXTURES = join(import.meta.dirname, 'fixtures');
interface Case {
  name: string; adapters: string[]; weights: number[]; combination_type: CombinationType; density?: number; svd_rank?: number; svd_clamp?: number;
  config: { r: number; lora_alpha: number; use_rslora: boolean; rank_pattern: object; alpha_pattern: object };
  target_modules: string[] | string; logits: number[]; error?: string | null;
}
const fixture = JSON.parse(readFileSync(join(FIXTURES, 'combine.json'), 'utf8')) as { model_dir: string; probe_ids: number[]; base_logits: number[]; cases: Case[]; errors: Case[] };

const readFolder = (dir: string): PeftAdapter => readPeftAdapter(readFileSync(join(dir, 'adapter_config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'adapter_model.safetensors'))));
const inputs = (names: string[]): CombineInput[] => names.map((name) => ({ name, adapter: readFolder(join(FIXTURES, 'inputs', name)) }));
const run = (c: Case): CombinedAdapter => combineAdapters(
  inputs(c.adapters),
  { combination: c.combination_type, weights: c.weights, density: c.density, svdRank: c.svd_rank, baseWeight: (path) => model.weights.get(`${path}.weight`)! },
  linearModulePaths(model.config),
);

/** ΔW of every module of PEFT's saved result. */
function peftDeltas(p: PeftAdapter): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const m of p.modules) {
    const a = m.a();
    const b = m.b();
    const [o, i] = m.shape;
    const d = new Float64Array(o * i);
    for (let x = 0; x < o; x++) for (let k = 0; k < m.rank; k++) for (let y = 0; y < i; y++) d[x * i + y]! += m.scaling * b[x * m.rank + k]! * a[k * i + y]!;
    out.set(m.name, d);
  }
  return out;
}

let model: LanguageModel;
let engine: LanguageModelEngine;
beforeAll(async () => {
  model = loadModelDir(fixture.model_dir);
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
});
afterAll(async () => engine?.dispose());

/**
 * The base model with each adapted weight merged: W + ΔW, or for DoRA (dora.py) the rows of
 * W + ΔW rescaled to the magnitudes m: diag(m / ‖W + ΔW‖₁) (W + ΔW), norms over dim 1.
 */
function merged(c: CombinedAdapter): LanguageModel {
  const weights = new Map(model.weights);
  for (const [path, { magnitude }] of c.modules) {
    const w = model.weights.get(`${path}.weight`)!;
    const d = combinedDelta(c, path);
    const sum = Float64Array.from(w.data, (x, i) => x + d[i]!);
    if (magnitude) {
      const inp = w.shape[1]!;
      for (let r = 0; r < w.shape[0]!; r++) {
        let ss = 0;
        for (let j = 0; j < inp; j++) ss += sum[r * inp + j]! ** 2;
        const k = magnitude.data[r]! / Math.sqrt(ss);
        for (let j = 0; j < inp; j++) sum[r * inp + j]! *= k;
      }
    }
    weights.set(`${path}.weight`, { shape: w.shape, data: Float32Array.from(sum) });
  }
  return { ...model, weights };
}

describe('add_weighted_adapter (PEFT 0.21) on the chapter-8 model', () => {
  for (const c of fixture.cases) {
    const peftDir = join(FIXTURES, 'combined', c.name);
    if (c.name === 'linear_single_c') {
      it(`${c.name}: refuses what PEFT saves but cannot load (rank-2 tensors under r = 6)`, () => {
        const saved = safetensorsIndex(new Uint8Array(readFileSync(join(peftDir, 'adapter_model.safetensors')))).entries;
        expect(saved.find((e) => e.name.endsWith('layers.0.self_attn.v_proj.lora_A.weight'))!.shape).toEqual([2, 128]);
        expect(c.config).toMatchObject({ r: 6, rank_pattern: {} });
        expect(() => run(c)).toThrow(/needs every adapter's rank in model\.layers\.0\.self_attn\.v_proj equal to r = 6/);
      });
      continue;
    }
    if (c.svd_clamp !== undefined) {
      it(`${c.name}: svd_clamp ${c.svd_clamp} applied to PEFT's own unclamped factors gives PEFT's clamped ones`, () => {
        // The clamp is a quantile of the signed factor entries: it depends on the singular vectors'
        // signs, so it is checked on PEFT's factors (same signs), not on this SVD's.
        const unclamped = readFolder(join(FIXTURES, 'combined', c.name.replace(/_clamp$/, '')));
        const clamped = readFolder(peftDir);
        expect(clamped.modules.length).toBe(unclamped.modules.length);
        let changed = 0;
        for (const m of unclamped.modules) {
          const b = m.b();
          const a = m.a();
          const before = Float32Array.from(b);
          clampSvdFactors(b, a, c.svd_clamp!);
          const p = clamped.modules.find((x) => x.name === m.name)!;
          expect(relativeError(b, p.b()), m.name).toBeLessThan(1e-6);
          expect(relativeError(a, p.a()), m.name).toBeLessThan(1e-6);
          changed += b.filter((x, i) => x !== before[i]).length;
        }
        expect(changed).toBeGreaterThan(0);
      });
      continue;
    }
    it(`${c.name}: ${c.combination_type} of ${c.adapters.join(', ')} at weights ${c.weights.join(', ')} equals PEFT's`, async () => {
      const ours = run(c);
      const peft = readFolder(peftDir);
      expect({ r: ours.config.r, lora_alpha: ours.config.lora_alpha, use_rslora: ours.config.use_rslora, rank_pattern: ours.config.rank_pattern, alpha_pattern: ours.config.alpha_pattern }).toEqual(c.config);
      const tm = ours.config.target_modules;
      expect(typeof tm === 'string' ? tm : [...(tm as string[])].sort()).toEqual(c.target_modules);
      expect(ours.scaling).toBeCloseTo(peft.modules[0]!.scaling, 12);
      expect([...ours.modules.keys()].sort()).toEqual(peft.modules.map((m) => m.name).sort());
      const deltas = peftDeltas(peft);
      // For svd, the exact update's singular values (from cat's exact factors of the same sum).
      const exact = c.combination_type === 'svd' ? combineAdapters(inputs(c.adapters), { combination: 'cat', weights: c.weights }, linearModulePaths(model.config)) : undefined;
      for (const m of peft.modules) {
        const mine = ours.modules.get(m.name)!;
        expect(mine.a.shape).toEqual([m.rank, m.shape[1]]);
        if (c.combination_type !== 'svd') {
          // Deterministic factors: A and B themselves agree, not only their product.
          expect(relativeError(mine.a.data, m.a()), `${m.name} A`).toBeLessThan(1e-6);
          expect(relativeError(mine.b.data, m.b()), `${m.name} B`).toBeLessThan(1e-6);
        }
        // DoRA: the magnitude PEFT saved (the base's row norms) and ours agree, or both are absent.
        expect(mine.magnitude === undefined, `${m.name} magnitude`).toBe(m.magnitude === undefined);
        if (m.magnitude) expect(relativeError(mine.magnitude!.data, m.magnitude()), `${m.name} magnitude`).toBeLessThan(1e-6);
        const err = relativeError(combinedDelta(ours, m.name), deltas.get(m.name)!);
        if (!exact) {
          expect(err, m.name).toBeLessThan(1e-6);
          continue;
        }
        // PEFT's float32 SVD of the float32 ΔW against a float64 SVD of the exact product: a
        // rank-R truncation moves by about ε₃₂·σ₁/(σ_R − σ_{R+1}) (Wedin): allowed 50 times that,
        // and at least 5e-6 (float32 rounding of ΔW itself, relative to its largest entry).
        const e = exact.modules.get(m.name)!;
        const { s } = lowRankSvd(mat64(m.shape[0], e.b.shape[1]!, Float64Array.from(e.b.data)), mat64(e.a.shape[0]!, m.shape[1], Float64Array.from(e.a.data)));
        const R = ours.rank;
        const gap = R < s.length ? s[R - 1]! - s[R]! : s[R - 1]!;
        expect(err, m.name).toBeLessThan(Math.max(5e-6, (50 * 2 ** -24 * s[0]!) / gap));
      }
      const T = fixture.probe_ids.length;
      const { logits } = await engine.forward(merged(ours), { x: fixture.probe_ids, batch: 1, context: T });
      const V = model.config.vocabSize;
      const last = logits.subarray((T - 8) * V);
      expect(relativeError(last, c.logits)).toBeLessThan(2e-5);
      // and the combination changed the model: its logits are not the base model's.
      expect(relativeError(c.logits, fixture.base_logits)).toBeGreaterThan(1e-3);
    });
  }

  for (const c of fixture.errors) {
    it(`${c.name}: raises where PEFT raises (${c.error})`, () => {
      const peftWords = c.error!.replace(/^\w+: /, '').split(/ (?:when|got)/)[0]!;
      expect(() => run(c)).toThrow(peftWords.slice(0, 30));
    });
  }

  it('rejects what PEFT accepts silently: a weight count that is not the adapter count, and ties without density', () => {
    expect(() => combineAdapters(inputs(['a', 'b']), { combination: 'linear', weights: [1] }, linearModulePaths(model.config))).toThrow(/2 adapters but 1 weights/);
    expect(() => combineAdapters(inputs(['a', 'b']), { combination: 'ties', weights: [1, 1] }, linearModulePaths(model.config))).toThrow(/needs --density/);
    expect(() => combineAdapters(inputs(['a', 'b']), { combination: 'svd', weights: [1, 1], svdRank: 129 }, linearModulePaths(model.config))).toThrow(/exceeds/);
  });
});
