import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSafetensors } from '../export/safetensors';
import { SettingError } from '../errors';
import { moduleHyper, parseAdapterConfig, patternKey, readPeftAdapter } from './index';

/** demos/peft/fixtures/ is written by scripts/peft/make_read_fixtures.py with PEFT 0.21 itself. */
const FIXTURES = join(__dirname, 'fixtures');
interface Expected {
  modules: { name: string; rank: number; alpha: number; scaling: number; shape: [number, number]; a: number[]; b: number[]; magnitude?: number[] }[];
  skipped: string[];
}
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<string, Expected>;
const load = (name: string) =>
  readPeftAdapter(readFileSync(join(FIXTURES, name, 'adapter_config.json'), 'utf8'), new Uint8Array(readFileSync(join(FIXTURES, name, 'adapter_model.safetensors'))));

describe('readPeftAdapter on adapters PEFT wrote', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`${name}: every module, its r, α, scaling, shape and tensors as torch reads them`, () => {
      const got = load(name);
      expect(got.modules.map((m) => m.name).sort()).toEqual(want.modules.map((m) => m.name).sort());
      for (const w of want.modules) {
        const m = got.modules.find((x) => x.name === w.name)!;
        expect([m.rank, m.alpha, m.shape]).toEqual([w.rank, w.alpha, w.shape]);
        expect(m.scaling).toBeCloseTo(w.scaling, 12);
        // float16/bfloat16 widen to float32 exactly, so equality is exact, not approximate.
        expect(Array.from(m.a())).toEqual(w.a);
        expect(Array.from(m.b())).toEqual(w.b);
        if (w.magnitude) expect(Array.from(m.magnitude!())).toEqual(w.magnitude);
        else expect(m.magnitude).toBeUndefined();
      }
      expect(got.skipped.map((s) => s.name).sort()).toEqual(want.skipped);
    });
  }

  it('reads the stored dtype and names what it skips, with a reason', () => {
    expect(new Set(load('dora-bf16').modules.map((m) => m.dtype))).toEqual(new Set(['BF16']));
    expect(new Set(load('rslora-f16').modules.map((m) => m.dtype))).toEqual(new Set(['F16']));
    const skipped = load('embedding-and-copies').skipped;
    expect(skipped.find((s) => s.name.includes('lora_embedding_A'))!.reason).toMatch(/embedding/);
    expect(skipped.find((s) => s.name.startsWith('lm_head'))!.reason).toMatch(/modules_to_save/);
  });
});

describe('PEFT pattern semantics (utils/other.py get_pattern_key)', () => {
  it('matches a key as a regular expression over a dotted suffix; the first matching key wins', () => {
    const keys = ['q_proj', 'layers\\.1\\.mlp\\.up_proj', 'proj'];
    expect(patternKey(keys, 'model.layers.0.self_attn.q_proj')).toBe('q_proj');
    expect(patternKey(keys, 'model.layers.1.mlp.up_proj')).toBe('layers\\.1\\.mlp\\.up_proj');
    // 'proj' is not a whole dotted component of 'up_proj': (.*\.)?(proj)$ cannot match.
    expect(patternKey(['proj'], 'model.layers.0.mlp.up_proj')).toBeNull();
    expect(patternKey(['.*proj'], 'model.layers.0.mlp.up_proj')).toBe('.*proj');
    // layers.11 is not layers.1 (the dot before the key anchors it).
    expect(patternKey(['1\\.mlp\\.up_proj'], 'model.layers.11.mlp.up_proj')).toBeNull();
  });

  it('gives α/√r under rsLoRA and α/r otherwise, after the patterns', () => {
    const c = parseAdapterConfig(JSON.stringify({ peft_type: 'LORA', r: 8, lora_alpha: 16, rank_pattern: { v_proj: 2 }, alpha_pattern: { v_proj: 3 } }));
    expect(moduleHyper(c, 'model.layers.0.self_attn.v_proj')).toEqual({ rank: 2, alpha: 3, scaling: 1.5 });
    expect(moduleHyper(c, 'model.layers.0.self_attn.q_proj')).toEqual({ rank: 8, alpha: 16, scaling: 2 });
    const rs = parseAdapterConfig(JSON.stringify({ peft_type: 'LORA', r: 16, lora_alpha: 8, use_rslora: true }));
    expect(moduleHyper(rs, 'x.q_proj').scaling).toBe(2);
  });
});

describe('what it refuses, with a message naming the problem', () => {
  const weights = (tensors: { name: string; shape: number[] }[]) =>
    writeSafetensors(tensors.map((t) => ({ ...t, data: new Float32Array(t.shape.reduce((a, b) => a * b, 1)) })));
  const cfg = (o: object) => JSON.stringify({ peft_type: 'LORA', r: 2, lora_alpha: 4, ...o });

  it('refuses other PEFT types by name, and files that are not JSON', () => {
    expect(() => parseAdapterConfig(JSON.stringify({ peft_type: 'IA3' }))).toThrow(/"IA3"; only LoRA/);
    expect(() => parseAdapterConfig('{')).toThrow(SettingError);
    expect(() => parseAdapterConfig(JSON.stringify({ r: 2 }))).toThrow(/no "peft_type"/);
    expect(() => parseAdapterConfig(cfg({ r: 0 }))).toThrow(/"r" must be a whole number/);
  });

  it('refuses a rank that contradicts the config, and a truncated file', () => {
    const w = weights([
      { name: 'base_model.model.m.q_proj.lora_A.weight', shape: [3, 4] },
      { name: 'base_model.model.m.q_proj.lora_B.weight', shape: [5, 3] },
    ]);
    expect(() => readPeftAdapter(cfg({}), w)).toThrow(/rank 2.*3 rows/);
    expect(readPeftAdapter(cfg({ rank_pattern: { q_proj: 3 } }), w).modules[0]!.rank).toBe(3);
    expect(() => readPeftAdapter(cfg({ rank_pattern: { q_proj: 3 } }), w.subarray(0, w.length - 4))).toThrow(/past the end/);
  });

  it('names a module with A but no B', () => {
    const w = weights([{ name: 'base_model.model.m.q_proj.lora_A.weight', shape: [2, 4] }]);
    expect(readPeftAdapter(cfg({}), w).skipped).toEqual([{ name: 'm.q_proj', reason: 'has lora_A but no lora_B.' }]);
  });
});
