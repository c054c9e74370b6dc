import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingError } from '../errors';
import { readPeftAdapter } from '../peft/index';
import { inspectAdapters, inspectionJson, layoutOf } from './index';

/**
 * demos/inspect/fixtures/ is written by scripts/adapters/make_inspect_fixtures.py: adapters saved
 * by PEFT's save_pretrained (float32, float16, bfloat16; GQA LLaMA shapes, GPT-2 Conv1D with
 * fan_in_fan_out, rsLoRA with rank and alpha patterns, DoRA, an embedding LoRA, an (IA)³ adapter)
 * and, in reference.json, torch's float64 answers from ΔW = get_delta_weight() formed in float64.
 */
const FIXTURES = join(__dirname, 'fixtures');
interface RefModule { name: string; shape: [number, number]; rank: number; scaling: number; singular_values: number[]; frobenius: number; magnitude?: number[] }
interface Reference {
  cases: Record<string, { modules: RefModule[]; unsupported: string[] }>;
  pairs: { a: string; b: string; similarity: { name: string; phi: number[] }[] }[];
}
const ref = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as Reference;
const load = (name: string) =>
  readPeftAdapter(readFileSync(join(FIXTURES, name, 'adapter_config.json'), 'utf8'), new Uint8Array(readFileSync(join(FIXTURES, name, 'adapter_model.safetensors'))));

/** Relative error of a spectrum, measured against its largest singular value. */
const specError = (got: number[], want: number[]) => Math.max(...want.map((w, i) => Math.abs(got[i]! - w))) / Math.max(want[0]!, 1e-300);

describe('inspectAdapters against torch float64 on adapters PEFT saved', () => {
  for (const [name, want] of Object.entries(ref.cases)) {
    it(`${name}: every module's shape, rank, scaling, singular values and ‖ΔW‖_F within 1e-6`, async () => {
      const r = await inspectAdapters(load(name));
      expect(r.first.modules.map((m) => m.name).sort()).toEqual(want.modules.map((m) => m.name).sort());
      for (const w of want.modules) {
        const m = r.first.modules.find((x) => x.name === w.name)!;
        expect([m.shape, m.rank]).toEqual([w.shape, w.rank]);
        expect(Math.abs(m.scaling - w.scaling) / w.scaling).toBeLessThan(1e-12);
        expect(m.singularValues).toHaveLength(w.rank);
        expect(specError(m.singularValues, w.singular_values)).toBeLessThan(1e-6);
        expect(Math.abs(m.frobenius - w.frobenius) / w.frobenius).toBeLessThan(1e-6);
        if (w.magnitude) {
          expect(m.magnitude!.values).toHaveLength(w.magnitude.length);
          m.magnitude!.values.forEach((v, i) => expect(v).toBe(w.magnitude![i]));
        } else expect(m.magnitude).toBeUndefined();
      }
      // What PEFT adapted but the inspector cannot read is named, not dropped silently.
      for (const u of want.unsupported) expect(r.first.skipped.some((s) => s.name.startsWith(`${u}.`))).toBe(true);
    });
  }

  for (const pair of ref.pairs) {
    it(`${pair.a} vs ${pair.b}: φ(i, i) of every shared module within 1e-6 of torch's`, async () => {
      const r = await inspectAdapters(load(pair.a), load(pair.b));
      expect(r.similarity.map((s) => s.name).sort()).toEqual(pair.similarity.map((s) => s.name).sort());
      for (const w of pair.similarity) {
        const got = r.similarity.find((s) => s.name === w.name)!;
        expect(got.phi).toHaveLength(w.phi.length);
        got.phi.forEach((p, i) => expect(Math.abs(p - w.phi[i]!)).toBeLessThan(1e-6));
      }
      // Hu et al.'s setting: φ neither 0 nor 1 on these (the rank-8 adapter grew from the rank-4 one).
      const all = r.similarity.flatMap((s) => s.phi);
      expect(Math.min(...all)).toBeGreaterThan(0.01);
      expect(Math.max(...all)).toBeLessThan(0.999);
      // pair-r8 also adapts o_proj, which pair-r4 does not: listed, with its own spectrum.
      expect(r.onlyInSecond).toEqual(['model.layers.0.self_attn.o_proj', 'model.layers.1.self_attn.o_proj']);
      expect(r.onlyInFirst).toEqual([]);
      expect(r.second!.modules).toHaveLength(8);
    });
  }
});

describe('inspectAdapters: the rest of its contract', () => {
  it('refuses a non-LoRA adapter by its PEFT type', () => {
    expect(() => load('ia3')).toThrow(SettingError);
    expect(() => load('ia3')).toThrow(/"IA3"/);
  });

  it('reports progress per module and stops on abort', async () => {
    const seen: number[] = [];
    const ctl = new AbortController();
    const run = inspectAdapters(load('llama-f32'), undefined, {
      signal: ctl.signal,
      onProgress: ({ done, total }) => {
        seen.push(done);
        expect(total).toBe(14);
        if (done === 3) ctl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('refuses to compare modules of different shapes', async () => {
    await expect(inspectAdapters(load('llama-f32'), load('gpt2-conv1d'))).resolves.toMatchObject({ similarity: [] });
    const a = load('pair-r4');
    const b = load('pair-r8');
    const q = b.modules.find((m) => m.name === 'model.layers.0.self_attn.q_proj')!;
    q.shape = [q.shape[0] + 1, q.shape[1]];
    await expect(inspectAdapters(a, b)).rejects.toThrow(/q_proj is \[32, 32\] in the first adapter but \[33, 32\] in the second/);
  });

  it('names a module whose tensors hold NaN', async () => {
    const ad = load('llama-f16');
    const m = ad.modules[1]!;
    const bad = m.b();
    bad[5] = NaN;
    m.b = () => bad;
    await expect(inspectAdapters(ad)).rejects.toThrow(/v_proj: lora_B holds NaN at entry 5/);
  });

  it('the CLI JSON has the issue\'s fields, names without base_model.model.', async () => {
    const j = inspectionJson(await inspectAdapters(load('pair-r4'), load('pair-r8'))) as { modules: Record<string, unknown>[]; similarity: { name: string; phi: number[] }[] };
    expect(Object.keys(j.modules[0]!).slice(0, 6)).toEqual(['name', 'shape', 'rank', 'scaling', 'singular_values', 'frobenius']);
    expect(j.modules.every((m) => !String(m.name).startsWith('base_model'))).toBe(true);
    expect(j.similarity[0]!.phi).toHaveLength(4);
  });

  it('orders modules as the model does: layer 2 before layer 10', async () => {
    const ad = load('llama-f16');
    const names = ['model.layers.10.self_attn.q_proj', 'model.layers.2.self_attn.v_proj', 'model.layers.2.self_attn.q_proj', 'lm_head'];
    ad.modules.forEach((m, i) => (m.name = names[i]!));
    const r = await inspectAdapters(ad);
    expect(r.first.modules.map((m) => m.name)).toEqual(['lm_head', 'model.layers.2.self_attn.q_proj', 'model.layers.2.self_attn.v_proj', 'model.layers.10.self_attn.q_proj']);
  });

  it('places modules on a layer × module grid', () => {
    expect(layoutOf('model.layers.12.self_attn.q_proj')).toEqual({ layer: 'model.layers.12', kind: 'self_attn.q_proj' });
    expect(layoutOf('transformer.h.0.mlp.c_fc')).toEqual({ layer: 'transformer.h.0', kind: 'mlp.c_fc' });
    expect(layoutOf('lm_head')).toEqual({ layer: 'lm_head', kind: '' });
  });
});
