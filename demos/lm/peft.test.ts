// An adapter written by the engine (npm run lm:finetune, committed under fixtures/peft-adapter) loads
// in peft on the committed base model with the engine's logits (scripts/lm/check_peft.py wrote
// peft_check.json); the writer reproduces those bytes; merging keeps the logits.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSafetensors } from '../export/safetensors';
import { LanguageModelEngine } from './engine';
import { mergeAdapter, mergedLogitsDifference } from './merge';
import type { LanguageModel } from './model';
import { MODEL_NAME } from './files';
import { peftAdapterFiles, readPeftAdapter } from './peft';
import { loadModelDir, relativeError } from '../test-support/lm';

const dir = join(import.meta.dirname, 'fixtures', 'peft-adapter');
const configJson = readFileSync(join(dir, 'adapter_config.json'), 'utf8');
const bytes = new Uint8Array(readFileSync(join(dir, 'adapter_model.safetensors')));
const check = JSON.parse(readFileSync(join(dir, 'peft_check.json'), 'utf8')) as { probe_ids: number[]; peft_logits: number[] };
const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { model_dir: string };
let engine: LanguageModelEngine;
let model: LanguageModel;

beforeAll(async () => {
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
  model = loadModelDir(metrics.model_dir);
});
afterAll(() => engine.dispose());

describe('PEFT adapter files', () => {
  const adapter = readPeftAdapter(configJson, bytes);
  const T = check.probe_ids.length;

  it('uses PEFT key names and shapes: lora_A (r, in), lora_B (out, r)', () => {
    const names = readSafetensors(bytes).tensors.map((t) => `${t.name} ${t.shape.join('x')}`);
    expect(names).toContain('base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight 4x128');
    expect(names).toContain('base_model.model.model.layers.3.mlp.down_proj.lora_B.weight 128x4');
    expect(names).toContain('base_model.model.model.layers.2.mlp.up_proj.lora_B.weight 344x4');
    expect(names).toHaveLength(4 * 7 * 2);
  });

  it('the writer reproduces the committed files byte for byte', () => {
    // lm:finetune names the base by its folder, as a reader's download has it (MODEL_NAME).
    const files = peftAdapterFiles(adapter, MODEL_NAME);
    expect(files['adapter_config.json']).toBe(configJson);
    expect(Buffer.from(files['adapter_model.safetensors']).equals(Buffer.from(bytes))).toBe(true);
  });

  it("the engine's logits equal peft's for the engine-written adapter, within 1e-4 relative", async () => {
    const { logits } = await engine.forward(model, { x: check.probe_ids, batch: 1, context: T }, adapter);
    expect(relativeError(logits, check.peft_logits)).toBeLessThan(1e-4);
    const { logits: base } = await engine.forward(model, { x: check.probe_ids, batch: 1, context: T });
    expect(relativeError(base, check.peft_logits)).toBeGreaterThan(1e-3);
  });

  it('merging the adapter into the weights keeps the logits', async () => {
    const merged = mergeAdapter(model, adapter);
    const { logits: m } = await engine.forward(merged, { x: check.probe_ids, batch: 1, context: T });
    const { logits: u } = await engine.forward(model, { x: check.probe_ids, batch: 1, context: T }, adapter);
    expect(relativeError(m, u)).toBeLessThan(1e-5);
    const { maxAbsDifference } = await mergedLogitsDifference(engine, model, adapter, check.probe_ids);
    expect(maxAbsDifference).toBeLessThan(1e-4);
    expect(maxAbsDifference).toBeGreaterThan(0); // float32 merging rounds differently: a real comparison
  });
});

describe('continuations', () => {
  it('are reproducible for a seed, and the adapter changes them', async () => {
    const { continuePrompt } = await import('./sample');
    const adapter = readPeftAdapter(configJson, bytes);
    const o = { maxNewTokens: 24, temperature: 0.8, seed: 3 };
    const a1 = await continuePrompt(engine, model, 'LOVE, n.', o);
    const a2 = await continuePrompt(engine, model, 'LOVE, n.', o);
    const b = await continuePrompt(engine, model, 'LOVE, n.', o, adapter);
    expect(a1).toHaveLength(24);
    expect(a2).toBe(a1);
    expect(b).not.toBe(a1);
    const greedy = await continuePrompt(engine, model, 'It is a truth', { ...o, temperature: 0 });
    expect(greedy).toBe(await continuePrompt(engine, model, 'It is a truth', { ...o, temperature: 0, seed: 99 }));
  });
});

describe('the chapter\'s counts', () => {
  it('equal the committed model’s tensors and adapter', async () => {
    const { chapterNumbers } = await import('./numbers');
    const adapter = readPeftAdapter(configJson, bytes);
    const n = chapterNumbers(model.config, adapter.spec);
    expect(n.parameters).toBe(Array.from(model.weights.values()).reduce((k, w) => k + w.data.length, 0));
    expect(n.lora.trainable).toBe(adapter.modules.reduce((k, m) => k + m.a.data.length + m.b.data.length, 0));
    expect(n.modules.q_proj.total).toBe(model.config.numLayers * model.weights.get('model.layers.0.self_attn.q_proj.weight')!.data.length);
  });
});
