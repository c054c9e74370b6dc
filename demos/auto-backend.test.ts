import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUTO_CHOICE_VERSION, type ChoiceStore, choiceKey, decideBackend, decisionWords, forgetDecision, msText, parseDecision, readDecision, timeSteps, TIMED_STEPS, WARMUP_STEPS, writeDecision } from './auto-backend';
import { workloadOf } from './auto-workloads';
import { createEngine } from './engine';
import { AUTO_LM_CONFIG } from './lm/auto-workload';
import { LANGUAGE_MODEL_FILES, PUBLIC_DIR } from './lm/files';

/** localStorage's behaviour on a Map. */
class MapStore implements ChoiceStore {
  readonly m = new Map<string, string>();
  getItem(k: string): string | null {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.m.set(k, v);
  }
  removeItem(k: string): void {
    this.m.delete(k);
  }
}

const at = new Date('2026-12-06T12:00:00Z');

describe('decideBackend', () => {
  it('keeps the faster backend, fastest first, and says both figures', () => {
    const gpuFaster = decideBackend('notebook', [{ backend: 'wasm', msPerStep: 6.3 }, { backend: 'webgpu', msPerStep: 2.1 }], at);
    expect(gpuFaster.backend).toBe('webgpu');
    expect(decisionWords(gpuFaster)).toBe('WebGPU 2.1 ms/step vs WASM 6.3 ms/step here');
    const wasmFaster = decideBackend('language-model', [{ backend: 'webgpu', msPerStep: 412 }, { backend: 'wasm', msPerStep: 64.2 }], at);
    expect(wasmFaster).toEqual({ family: 'language-model', backend: 'wasm', measured: [{ backend: 'wasm', msPerStep: 64.2 }, { backend: 'webgpu', msPerStep: 412 }], at: '2026-12-06T12:00:00.000Z' });
  });

  it('gives an exact tie to WASM and ignores a backend without a valid time', () => {
    expect(decideBackend('notebook', [{ backend: 'webgpu', msPerStep: 3 }, { backend: 'wasm', msPerStep: 3 }]).backend).toBe('wasm');
    expect(decideBackend('notebook', [{ backend: 'webgpu', msPerStep: NaN }, { backend: 'wasm', msPerStep: 9 }]).backend).toBe('wasm');
    expect(decideBackend('notebook', [{ backend: 'webgpu', msPerStep: 0.5 }, { backend: 'wasm', msPerStep: Infinity }]).backend).toBe('webgpu');
    expect(() => decideBackend('notebook', [{ backend: 'wasm', msPerStep: -1 }])).toThrow(/no backend/);
  });

  it('writes times readably at every size', () => {
    expect([msText(0.0123), msText(0.5), msText(2.14), msText(63.6)]).toEqual(['0.012 ms/step', '0.50 ms/step', '2.1 ms/step', '64 ms/step']);
  });
});

describe('the stored decision', () => {
  const d = decideBackend('notebook', [{ backend: 'webgpu', msPerStep: 2.1 }, { backend: 'wasm', msPerStep: 6.3 }], at);

  it('is kept per family under a versioned key, read back, and forgotten', () => {
    const store = new MapStore();
    expect(readDecision(store, 'notebook')).toBeUndefined();
    writeDecision(store, d);
    expect([...store.m.keys()]).toEqual([`lora-live.auto-backend.v${AUTO_CHOICE_VERSION}.notebook`]);
    expect(readDecision(store, 'notebook')).toEqual(d);
    expect(readDecision(store, 'language-model')).toBeUndefined();
    const lm = { ...d, family: 'language-model' as const };
    writeDecision(store, lm);
    forgetDecision(store, 'notebook');
    expect(readDecision(store, 'notebook')).toBeUndefined();
    expect(readDecision(store, 'language-model')).toEqual(lm);
    forgetDecision(store);
    expect(store.m.size).toBe(0);
  });

  it('ignores what is malformed, of another family, or names a backend it did not measure', () => {
    const key = choiceKey('notebook');
    for (const bad of ['{', 'null', '[]', JSON.stringify({ ...d, family: 'language-model' }), JSON.stringify({ ...d, backend: 'cuda' }), JSON.stringify({ ...d, measured: [] }), JSON.stringify({ ...d, measured: [{ backend: 'wasm', msPerStep: 6.3 }] }), JSON.stringify({ ...d, measured: [{ backend: 'webgpu', msPerStep: -2 }] })]) {
      expect(parseDecision('notebook', bad)).toBeUndefined();
      expect(readDecision({ getItem: (k) => (k === key ? bad : null), setItem: () => {}, removeItem: () => {} }, 'notebook')).toBeUndefined();
    }
  });

  it('a store that throws (storage refused) counts as empty and keeps nothing', () => {
    const refusing: ChoiceStore = { getItem: () => { throw new Error('SecurityError'); }, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => { throw new Error('SecurityError'); } };
    expect(readDecision(refusing, 'notebook')).toBeUndefined();
    expect(() => writeDecision(refusing, d)).not.toThrow();
    expect(() => forgetDecision(refusing)).not.toThrow();
  });
});

describe('timeSteps', () => {
  it('runs the warm-up untimed, then takes the median of the timed steps', async () => {
    // A clock that advances by the step's own duration: warm-up 1000 ms (not counted), then 5, 40, 7.
    const durations = [1000, 5, 40, 7];
    let clock = 0;
    let calls = 0;
    const ms = await timeSteps(async () => void (clock += durations[calls++]!), () => clock);
    expect(calls).toBe(WARMUP_STEPS + TIMED_STEPS);
    expect(ms).toBe(7);
  });
});

describe("createEngine 'auto' with a store (Node: WASM only)", () => {
  it('reuses a stored WASM decision without measuring, with its figures', async () => {
    const store = new MapStore();
    const d = decideBackend('notebook', [{ backend: 'webgpu', msPerStep: 30 }, { backend: 'wasm', msPerStep: 2 }], at);
    writeDecision(store, d);
    const e = await createEngine({ backend: 'auto', choice: { family: 'notebook', store } });
    try {
      expect(e.backend).toBe('wasm');
      expect(e.autoChoice).toEqual({ decision: d, measuredNow: false });
      expect(e.fallbackReason).toBe('WASM was faster when measured (WASM 2.0 ms/step vs WebGPU 30 ms/step here).');
    } finally {
      await e.dispose();
    }
  });

  it('where WebGPU cannot run, a stored WebGPU decision gives way to WASM with the reason, and nothing is measured or stored', async () => {
    const store = new MapStore();
    writeDecision(store, decideBackend('notebook', [{ backend: 'webgpu', msPerStep: 1 }, { backend: 'wasm', msPerStep: 2 }], at));
    const before = [...store.m.entries()];
    const e = await createEngine({ backend: 'auto', choice: { family: 'notebook', store } });
    try {
      expect(e.backend).toBe('wasm');
      expect(e.autoChoice).toBeUndefined();
      expect(e.fallbackReason).toMatch(/Node has no WebGPU/);
      expect([...store.m.entries()]).toEqual(before);
    } finally {
      await e.dispose();
    }
  });
});

describe('the workloads Auto times', () => {
  it('run a step of each family through the engine, building the graphs that family uses', async () => {
    const e = await createEngine({ backend: 'wasm' });
    try {
      const nb = await workloadOf('notebook', e);
      await nb.step();
      expect(nb.steps).toBe(5);
      expect(e.graphNames().some((n) => n.startsWith('train_lora_sgd_n1600_k32_d32_r4_K5'))).toBe(true);
      const lm = await workloadOf('language-model', e);
      await lm.step();
      expect(lm.steps).toBe(1);
      expect(e.graphNames().some((n) => n.startsWith('lm-train-lora-q_proj+v_proj-r8'))).toBe(true);
    } finally {
      await e.dispose();
    }
  }, 120_000);
});

describe("the language model's workload", () => {
  it('has the shape of the committed model (config.json)', () => {
    const root = resolve(import.meta.dirname, '..');
    const cfg = JSON.parse(readFileSync(join(root, PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir, 'config.json'), 'utf8')) as Record<string, number> & { rope_parameters: { rope_theta: number } };
    expect(AUTO_LM_CONFIG).toEqual({
      vocabSize: cfg.vocab_size, hiddenSize: cfg.hidden_size, intermediateSize: cfg.intermediate_size, numLayers: cfg.num_hidden_layers,
      numHeads: cfg.num_attention_heads, maxPositions: cfg.max_position_embeddings, rmsNormEps: cfg.rms_norm_eps, ropeTheta: cfg.rope_parameters.rope_theta,
    });
  });
});
