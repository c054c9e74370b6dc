// The engine's LlamaForCausalLM forward (logits and loss), base and with LoRA on all seven module
// kinds, against transformers + peft on the committed model (fixtures by scripts/lm/make_fixtures.py).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanguageModelEngine } from './engine';
import type { LanguageModel } from './model';
import { fixtureAdapter, loadModelDir, loadReference, relativeError } from '../test-support/lm';

const ref = loadReference();
let engine: LanguageModelEngine;
let model: LanguageModel;

beforeAll(async () => {
  engine = await LanguageModelEngine.create({ backend: 'wasm' });
  model = loadModelDir(ref.model_dir);
});
afterAll(() => engine.dispose());

describe('LLaMA forward in ONNX ops', () => {
  const batch = { x: ref.x, y: ref.y, batch: ref.batch, context: ref.context };

  it('base model: logits and loss equal transformers within 1e-4 relative', async () => {
    const out = await engine.forward(model, batch);
    expect(relativeError(out.logits, ref.base.logits)).toBeLessThan(1e-4);
    expect(Math.abs(out.loss! - ref.base.loss) / ref.base.loss).toBeLessThan(1e-4);
  });

  it('with LoRA on q, k, v, o, gate, up, down: logits and loss equal peft within 1e-4 relative', async () => {
    const adapter = fixtureAdapter(model, ref.lora);
    const out = await engine.forward(model, batch, adapter);
    expect(relativeError(out.logits, ref.lora.logits)).toBeLessThan(1e-4);
    expect(Math.abs(out.loss! - ref.lora.loss) / ref.lora.loss).toBeLessThan(1e-4);
    // the adapter changes the logits by far more than the tolerance, so the test could fail
    expect(relativeError(ref.lora.logits, ref.base.logits)).toBeGreaterThan(1e-3);
  });
});
