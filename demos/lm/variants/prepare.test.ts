// LoRA's variants against PEFT and torch, both ways (fixtures by scripts/lm/variant_fixtures.py):
// adapters the CLI wrote (DoRA, patterns + gaussian + LoRA+, PiSSA, QLoRA, QLoRA + DoRA + rsLoRA)
// load in PEFT with the engine's logits; adapters PEFT wrote (DoRA, rsLoRA float16, patterns
// bfloat16, DoRA + patterns bfloat16, PiSSA unconverted) read by the engine give PEFT's logits,
// held-out loss and gradients; a LoRA+ DoRA run equals torch.optim's.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../../export/safetensors';
import { LanguageModelEngine } from '../engine';
import { SettingError } from '../../errors';
import { evaluateLoss, heldOutWindows } from '../evaluate';
import { mergeAdapter } from '../merge';
import { type Adapter, type LanguageModel, type LoraSpec, adapterParameterCount, encode, initAdapter, moduleRank, moduleScaling } from '../model';
import { readPeftAdapter } from '../peft';
import { svd64 } from '../../linalg64';
import { adapterGradients, trainLanguageModel, validateSpec } from '../train';
import { quantizeModelNf4 } from './nf4';
import { baseWeightBytes, exportAdapter, pissaInit, prepareVariant, quantizeBase, variantFacts } from './prepare';
import { ROOT, loadModelDir, relativeError } from '../../test-support/lm';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'variants');
const T = 64;
let engine: LanguageModelEngine;
let model: LanguageModel;
let val: number[];

beforeAll(async () => {
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
  model = loadModelDir('public/models/austen-char-llama');
  val = encode(model, readFileSync(join(ROOT, 'public/corpora/devil-val.txt'), 'utf8'));
});
afterAll(() => engine.dispose());

const outputs = (folder: string): Map<string, Float32Array> =>
  new Map(readSafetensors(new Uint8Array(readFileSync(join(DIR, folder, 'outputs.safetensors')))).tensors.map((t) => [t.name, t.data]));
const json = <X>(folder: string, file: string): X => JSON.parse(readFileSync(join(DIR, folder, file), 'utf8')) as X;
const adapterOf = (folder: string): Adapter =>
  readPeftAdapter(readFileSync(join(DIR, folder, 'adapter_config.json'), 'utf8'), new Uint8Array(readFileSync(join(DIR, folder, 'adapter_model.safetensors'))), model.config);
const probe = (): number[] => val.slice(0, T);
const lastPosition = (logits: ArrayLike<number>): number[] => Array.from(logits).slice((T - 1) * model.config.vocabSize);

/** Compare the engine's gradients of the gradient batch (heldOutWindows(val, 2, 64)) with torch's, by input name. */
async function expectGradients(base: LanguageModel, adapter: Adapter, want: Map<string, Float32Array>, prefix = 'grad.'): Promise<number> {
  const batch = heldOutWindows(val, 2, T);
  const { grad } = await adapterGradients(engine, base, batch, adapter);
  let worst = 0;
  let count = 0;
  for (const m of grad.modules) {
    const parts: [string, Float32Array | undefined][] = [
      [`${m.path}.lora_A.weight`, m.a.data],
      [`${m.path}.lora_B.weight`, m.b.data],
      [`${m.path}.lora_magnitude_vector`, m.magnitude?.data],
    ];
    for (const [name, got] of parts) {
      const ref = want.get(prefix + name);
      if (!ref && !got) continue;
      expect(got, `${name}: engine gradient`).toBeDefined();
      expect(ref, `${name}: torch gradient`).toBeDefined();
      const e = relativeError(got!, ref!);
      expect(e, name).toBeLessThan(2e-3);
      worst = Math.max(worst, e);
      count++;
    }
  }
  expect(count).toBe([...want.keys()].filter((k) => k.startsWith(prefix) && !k.endsWith('logits')).length);
  return worst;
}

interface Metrics {
  val_loss_before: number;
  val_loss_after: number;
  train_losses: number[];
  probe_ids: number[];
  probe_logits: number[];
  base_probe_logits?: number[];
  base_val_loss?: number;
  base_val_loss_float32?: number;
  base_weight_bytes?: { float32: number; nf4: number };
  trainable_parameters: number;
  variant: { init: string; qlora: boolean; r: number; lora_alpha: number; targets: string[]; use_dora: boolean; use_rslora: boolean; rank_pattern: Record<string, number>; alpha_pattern: Record<string, number> };
}

const CLI = ['cli-dora', 'cli-patterns', 'cli-pissa', 'cli-pissa-rslora', 'cli-pissa-patterns', 'cli-qlora', 'cli-qlora-dora-rslora'];

describe('adapters the CLI wrote load in PEFT with the engine\'s numbers', () => {
  for (const folder of CLI) {
    it(`${folder}: PEFT's logits and held-out loss equal metrics.json's; the engine reading the folder gives PEFT's logits and gradients`, async () => {
      const m = json<Metrics>(folder, 'metrics.json');
      const check = json<{ val_loss: number }>(folder, 'check.json');
      const o = outputs(folder);
      const peftLogits = o.get('logits')!;
      expect(m.probe_ids).toEqual(probe());
      // CLI → PEFT: what the CLI measured while training equals what PEFT computes from the saved folder.
      expect(relativeError(m.probe_logits, lastPosition(peftLogits))).toBeLessThan(1e-4);
      expect(Math.abs(m.val_loss_after - check.val_loss) / check.val_loss).toBeLessThan(1e-5);
      // Training helped (a few steps): the held-out loss fell and every training loss is finite.
      expect(m.train_losses.every(Number.isFinite)).toBe(true);
      const facts = variantFacts(model, { lora: { targets: m.variant.targets as LoraSpec['targets'], rank: m.variant.r, alpha: m.variant.lora_alpha, useRslora: m.variant.use_rslora, useDora: m.variant.use_dora, init: m.variant.init as LoraSpec['init'], rankPattern: m.variant.rank_pattern }, qlora: m.variant.qlora });
      expect(facts.trainableParameters).toBe(m.trainable_parameters);
      expect(m.val_loss_after).toBeLessThan(m.val_loss_before);
      // The engine reading the folder back, on the base the folder is for.
      const adapter = adapterOf(folder);
      const saved = adapter.modules.reduce((n, p) => n + p.a.data.length + p.b.data.length + (p.magnitude?.data.length ?? 0), 0);
      expect(adapterParameterCount(model.config, adapter.spec)).toBe(saved);
      expect(facts.savedParameters).toBe(saved);
      const base = m.variant.qlora ? quantizeBase(model) : model;
      const { logits } = await engine.forward(base, { x: probe(), batch: 1, context: T }, adapter);
      expect(relativeError(logits, peftLogits)).toBeLessThan(1e-4);
      if (m.variant.qlora) {
        // The quantised base, no adapter: metrics' base_probe_logits, and the engine's NF4 base at every position, equal torch's NF4 round trip.
        expect(relativeError(m.base_probe_logits!, lastPosition(o.get('base_logits')!))).toBeLessThan(1e-4);
        const { logits: b } = await engine.forward(base, { x: probe(), batch: 1, context: T });
        expect(relativeError(b, o.get('base_logits')!)).toBeLessThan(1e-4);
        expect(m.base_weight_bytes!.nf4).toBe(baseWeightBytes(model, true));
        expect(baseWeightBytes(model, true)).toBe(quantizeModelNf4(model).memory.modelNf4Bytes);
        expect(baseWeightBytes(model, false)).toBe(quantizeModelNf4(model).memory.modelFloat32Bytes);
        expect(m.base_weight_bytes!.nf4).toBeLessThan(m.base_weight_bytes!.float32 / 4);
        expect(m.base_val_loss!).not.toBe(m.base_val_loss_float32!);
      }
      if (m.variant.init === 'pissa') return; // PiSSA's gradients are checked on its residual base below
      await expectGradients(base, adapter, o);
    });
  }

  for (const folder of ['cli-pissa', 'cli-pissa-rslora', 'cli-pissa-patterns']) {
    it(`${folder}: the saved adapter is PEFT's rank-2r conversion [A; A₀], [B, −B₀] with r, α and patterns doubled; A₀, B₀ are the top-r SVD of W; gradients on the residual equal torch's`, async () => {
      const m = json<Metrics>(folder, 'metrics.json');
      const v = m.variant;
      const cfg = json<{ r: number; lora_alpha: number; init_lora_weights: unknown; rank_pattern: Record<string, number>; alpha_pattern: Record<string, number> }>(folder, 'adapter_config.json');
      // PEFT's save_pretrained(path_initial_model_for_weight_conversion=…): r' = 2r, α' = 2α (α·√2 under rsLoRA), patterns doubled.
      expect(cfg.r).toBe(2 * v.r);
      expect(cfg.lora_alpha).toBe(v.use_rslora ? v.lora_alpha * 2 ** 0.5 : 2 * v.lora_alpha);
      expect(cfg.init_lora_weights).toBe(true);
      expect(cfg.rank_pattern).toEqual(Object.fromEntries(Object.entries(v.rank_pattern).map(([k, x]) => [k, 2 * x])));
      expect(cfg.alpha_pattern).toEqual(Object.fromEntries(Object.entries(v.alpha_pattern).map(([k, x]) => [k, 2 * x])));
      const saved = adapterOf(folder);
      const spec: LoraSpec = {
        targets: saved.spec.targets, rank: v.r, alpha: v.lora_alpha, useRslora: v.use_rslora, init: 'pissa',
        ...(Object.keys(v.rank_pattern).length ? { rankPattern: v.rank_pattern } : {}),
        ...(Object.keys(v.alpha_pattern).length ? { alphaPattern: v.alpha_pattern } : {}),
      };
      const prepared = prepareVariant(model, { lora: spec }, 0);
      const trained: Adapter = { spec, modules: [] };
      const weights = new Map(model.weights);
      for (const [i, p] of saved.modules.entries()) {
        const [r2, inp] = p.a.shape as [number, number];
        const out = p.b.shape[0]!;
        const r = moduleRank(spec, p.path);
        expect(r2).toBe(2 * r);
        // The saved scale s' = α'/r' (or α'/√r') equals the trained one.
        expect(moduleScaling(saved.spec, p.path)).toBeCloseTo(moduleScaling(spec, p.path), 12);
        const a = p.a.data.slice(0, r * inp);
        const a0 = p.a.data.slice(r * inp);
        const b = new Float32Array(out * r);
        const b0 = new Float32Array(out * r);
        for (let row = 0; row < out; row++) {
          for (let k = 0; k < r; k++) {
            b[row * r + k] = p.b.data[row * 2 * r + k]!;
            b0[row * r + k] = -p.b.data[row * 2 * r + r + k]!;
          }
        }
        // A₀, B₀ are what prepareVariant computes (the same SVD): the init the CLI trained from.
        const init = prepared.adapter.modules[i]!;
        expect(relativeError(a0, init.a.data)).toBeLessThan(1e-6);
        expect(relativeError(b0, init.b.data)).toBeLessThan(1e-6);
        trained.modules.push({ path: p.path, a: { shape: [r, inp], data: a }, b: { shape: [out, r], data: b } });
        // The residual torch used: W − s·B₀A₀ (float32).
        const w = model.weights.get(`${p.path}.weight`)!;
        const s = moduleScaling(spec, p.path);
        const res = new Float32Array(w.data.length);
        for (let row = 0; row < out; row++) for (let col = 0; col < inp; col++) {
          let acc = 0;
          for (let k = 0; k < r; k++) acc += b0[row * r + k]! * a0[k * inp + col]!;
          res[row * inp + col] = w.data[row * inp + col]! - s * acc;
        }
        weights.set(`${p.path}.weight`, { shape: w.shape, data: res });
      }
      const residual = { ...model, weights };
      // exportAdapter reproduces the saved conversion exactly.
      const again = exportAdapter(prepared, trained);
      again.modules.forEach((p, i) => {
        expect(relativeError(p.a.data, saved.modules[i]!.a.data)).toBe(0);
        expect(relativeError(p.b.data, saved.modules[i]!.b.data)).toBe(0);
      });
      const o = outputs(folder);
      const { logits } = await engine.forward(residual, { x: probe(), batch: 1, context: T }, trained);
      expect(relativeError(logits, o.get('pissa.logits')!)).toBeLessThan(1e-4);
      await expectGradients(residual, trained, o, 'pissa.grad.');
    });
  }
});

const PEFT = ['peft-dora', 'peft-rslora-f16', 'peft-patterns-bf16', 'peft-dora-patterns-bf16', 'peft-pissa-unconverted'];

describe('adapters PEFT wrote, read by the engine, give PEFT\'s numbers', () => {
  for (const folder of PEFT) {
    it(`${folder}: logits at the probe, held-out loss, gradients`, async () => {
      const adapter = adapterOf(folder);
      const check = json<{ val_loss: number }>(folder, 'check.json');
      const o = outputs(folder);
      const base = adapter.spec.init === 'pissa' ? prepareVariant(model, { lora: adapter.spec }, 0).base : model;
      const { logits } = await engine.forward(base, { x: probe(), batch: 1, context: T }, adapter);
      expect(relativeError(logits, o.get('logits')!)).toBeLessThan(1e-4);
      const loss = await evaluateLoss(engine, base, val, { windows: 32 }, adapter);
      expect(Math.abs(loss - check.val_loss) / check.val_loss).toBeLessThan(1e-5);
      // The adapter is not a no-op: the base alone is far from PEFT's logits.
      const { logits: plain } = await engine.forward(model, { x: probe(), batch: 1, context: T });
      expect(relativeError(plain, o.get('logits')!)).toBeGreaterThan(1e-3);
      await expectGradients(base, adapter, o);
    });
  }

  for (const folder of ['peft-dora-patterns-bf16', 'peft-patterns-bf16']) {
    it(`${folder}: merging (per-module s; DoRA rescales each row to m) keeps PEFT's logits`, async () => {
      const merged = mergeAdapter(model, adapterOf(folder));
      const { logits } = await engine.forward(merged, { x: probe(), batch: 1, context: T });
      expect(relativeError(logits, outputs(folder).get('logits')!)).toBeLessThan(1e-4);
    });
  }

  it('peft-patterns-bf16: per-module ranks and scales follow PEFT\'s first-matching-key rule', () => {
    const a = adapterOf('peft-patterns-bf16');
    const rank = (p: string): number => moduleRank(a.spec, p);
    expect(rank('model.layers.0.self_attn.q_proj')).toBe(2);
    expect(rank('model.layers.3.mlp.gate_proj')).toBe(6);
    expect(rank('model.layers.2.mlp.gate_proj')).toBe(4);
    expect(moduleScaling(a.spec, 'model.layers.0.self_attn.v_proj')).toBe(12 / 4);
    expect(moduleScaling(a.spec, 'model.layers.2.self_attn.v_proj')).toBe(8 / 4);
    expect(moduleScaling(a.spec, 'model.layers.3.mlp.gate_proj')).toBe(4 / 6);
    for (const p of a.modules) expect(p.a.shape[0]).toBe(rank(p.path));
  });
});

describe('LoRA+ with DoRA: three Adam steps equal torch.optim from create_loraplus_optimizer', () => {
  it('losses and final A, B, m (B and the 1-D magnitude step at ratio × lr)', async () => {
    const c = json<{ lr: number; loraplus_ratio: number; steps: number; windows: number; losses: number[] }>('loraplus-dora', 'check.json');
    const final = outputs('loraplus-dora');
    const start = adapterOf('peft-dora');
    const windows = heldOutWindows(val, c.windows, T);
    const r = await trainLanguageModel(engine, {
      model, tokens: val, mode: start.spec, adapter: start, lr: c.lr, loraplusRatio: c.loraplus_ratio, steps: c.steps, batch: 1, stepsPerRun: c.steps,
      batches: (step) => {
        const b = step % c.windows;
        return { x: windows.x.slice(b * T, (b + 1) * T), y: windows.y.slice(b * T, (b + 1) * T), batch: 1, context: T };
      },
    });
    expect(relativeError(r.losses, c.losses)).toBeLessThan(1e-5);
    for (const p of r.adapter!.modules) {
      expect(relativeError(p.a.data, final.get(`final.${p.path}.lora_A.weight`)!), p.path).toBeLessThan(1e-4);
      expect(relativeError(p.b.data, final.get(`final.${p.path}.lora_B.weight`)!), p.path).toBeLessThan(1e-4);
      expect(relativeError(p.magnitude!.data, final.get(`final.${p.path}.lora_magnitude_vector`)!), p.path).toBeLessThan(1e-4);
    }
    // Without the ratio the run differs: the test sees LoRA+.
    const plain = await trainLanguageModel(engine, { model, tokens: val, mode: start.spec, adapter: start, lr: c.lr, steps: c.steps, batch: 1, stepsPerRun: c.steps, batches: (step) => ({ x: windows.x.slice((step % c.windows) * T, (step % c.windows + 1) * T), y: windows.y.slice((step % c.windows) * T, (step % c.windows + 1) * T), batch: 1, context: T }) });
    expect(relativeError(plain.adapter!.modules[0]!.b.data, final.get(`final.${plain.adapter!.modules[0]!.path}.lora_B.weight`)!)).toBeGreaterThan(1e-2);
  });
});

describe('building blocks', () => {
  it('svd64: U Σ Vᵀ = X with orthonormal U, V on a real weight, and PiSSA keeps W = W_res + s·B₀A₀ with s·B₀A₀ the best rank-r part', () => {
    const w = model.weights.get('model.layers.2.mlp.down_proj.weight')!; // 128 × 344 (wide: the transposed path)
    const [out, inp] = w.shape as [number, number];
    const { u, s, vt, k } = svd64(w.data, out, inp);
    let err = 0;
    for (let i = 0; i < out; i += 7) for (let j = 0; j < inp; j += 5) {
      let acc = 0;
      for (let q = 0; q < k; q++) acc += u[i * k + q]! * s[q]! * vt[q * inp + j]!;
      err = Math.max(err, Math.abs(acc - w.data[i * inp + j]!));
    }
    expect(err).toBeLessThan(1e-12);
    for (let q = 1; q < k; q++) expect(s[q]!).toBeLessThanOrEqual(s[q - 1]!);
    const p = pissaInit(w, 6, 2.5);
    const bound = Math.max(...Array.from(w.data, Math.abs));
    let res = 0;
    for (let i = 0; i < out; i++) for (let j = 0; j < inp; j++) {
      let ba = 0;
      for (let q = 0; q < 6; q++) ba += p.b.data[i * 6 + q]! * p.a.data[q * inp + j]!;
      res = Math.max(res, Math.abs(p.residual.data[i * inp + j]! + 2.5 * ba - w.data[i * inp + j]!));
    }
    expect(res / bound).toBeLessThan(1e-6);
    // The residual's largest singular value is W's 7th: the top 6 went into s·B₀A₀.
    expect(Math.abs(svd64(p.residual.data, out, inp).s[0]! - s[6]!) / s[6]!).toBeLessThan(1e-5);
  });

  it("initialisations: gaussian is PEFT's normal_(A, std=1/r) with B = 0; DoRA's m starts as W's row norms (dim 1), so the adapted model starts at the base", () => {
    const spec: LoraSpec = { targets: ['q_proj', 'up_proj'], rank: 4, alpha: 8, useRslora: false, init: 'gaussian', useDora: true, rankPattern: { up_proj: 8 } };
    const a = initAdapter(model.config, spec, 11, model.weights);
    for (const p of a.modules) {
      const r = p.a.shape[0]!;
      expect(r).toBe(moduleRank(spec, p.path));
      const n = p.a.data.length;
      const mean = p.a.data.reduce((x, v) => x + v, 0) / n;
      const std = Math.sqrt(p.a.data.reduce((x, v) => x + (v - mean) ** 2, 0) / n);
      // n ≥ 512 draws: the sample std is within 10% of σ = 1/r (and far from 1/√r).
      expect(Math.abs(std * r - 1)).toBeLessThan(0.1);
      expect(p.b.data.every((v) => v === 0)).toBe(true);
      const w = model.weights.get(`${p.path}.weight`)!;
      const inp = w.shape[1]!;
      for (const row of [0, 17, w.shape[0]! - 1]) {
        const norm = Math.hypot(...Array.from(w.data.subarray(row * inp, (row + 1) * inp)));
        expect(Math.abs(p.magnitude!.data[row]! - norm) / norm).toBeLessThan(1e-6);
      }
    }
  });

  it('bad settings get an SettingError naming the setting', () => {
    const spec: LoraSpec = { targets: ['q_proj'], rank: 4, alpha: 8, useRslora: false };
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(SettingError);
        return (e as SettingError).code;
      }
      return undefined;
    };
    expect(code(() => validateSpec(model, { ...spec, init: 'pissa', useDora: true }))).toBe('init');
    expect(code(() => validateSpec(model, { ...spec, rankPattern: { 'q_proj(': 2 } }))).toBe('pattern');
    expect(code(() => validateSpec(model, { ...spec, rankPattern: { q_proj: 2.5 } }))).toBe('pattern');
    expect(code(() => validateSpec(model, { ...spec, rankPattern: { q_proj: 200 } }))).toBe('rank');
    expect(code(() => validateSpec(model, { ...spec, init: 'pissa', rank: 100 }))).toBe('rank');
    expect(code(() => validateSpec(model, { ...spec, init: 'olora' as never }))).toBe('init');
    expect(code(() => prepareVariant(model, { lora: { ...spec, init: 'pissa' }, qlora: true }, 0))).toBe('init');
    expect(code(() => validateSpec(model, spec))).toBeUndefined();
  });

  it('adapters the engine cannot apply are refused with what is wrong', () => {
    const peftFixtures = join(ROOT, 'demos', 'peft', 'fixtures');
    const read = (name: string): string => {
      try {
        readPeftAdapter(readFileSync(join(peftFixtures, name, 'adapter_config.json'), 'utf8'), new Uint8Array(readFileSync(join(peftFixtures, name, 'adapter_model.safetensors'))), model.config);
      } catch (e) {
        expect(e).toBeInstanceOf(SettingError);
        return (e as Error).message;
      }
      return '';
    };
    if (existsSync(join(peftFixtures, 'embedding-and-copies'))) expect(read('embedding-and-copies')).toMatch(/cannot apply|adapts only/);
    if (existsSync(join(peftFixtures, 'gqa-patterns-f32'))) expect(read('gqa-patterns-f32')).toMatch(/another base model|adapts only|layers/);
  });
});
