/**
 * Continuing a prompt: greedy (temperature 0) or sampled from softmax(logits / temperature)
 * with a seeded TorchGenerator, so one prompt and seed give one continuation. Every step runs
 * one window of the model's full context with the text at its start: the causal mask keeps the
 * padding after the last character from mattering, so a single session shape serves every length.
 */
import { TorchGenerator } from '../random';
import type { LanguageModelEngine } from './engine';
import { isWhole, need } from '../validate';
import { type Adapter, type LanguageModel, decode, encode } from './model';

export const MAX_NEW_TOKENS = 1000;

export interface SampleOptions {
  maxNewTokens: number;
  /** 0 = greedy */
  temperature: number;
  seed: number;
}

export async function continuePrompt(engine: LanguageModelEngine, model: LanguageModel, prompt: string, o: SampleOptions, adapter?: Adapter): Promise<string> {
  need(prompt.length > 0, 'prompt', 'The prompt is empty: type at least one character.');
  need(isWhole(o.maxNewTokens, 1, MAX_NEW_TOKENS), 'sampleLength', `The continuation must be 1 to ${MAX_NEW_TOKENS} characters long, not ${o.maxNewTokens}.`, 'prompt');
  need(Number.isFinite(o.temperature) && o.temperature >= 0, 'temperature', `The temperature must be a finite number ≥ 0, not ${o.temperature}.`, 'prompt');
  const ids = encode(model, prompt);
  const T = model.config.maxPositions;
  const V = model.config.vocabSize;
  const gen = new TorchGenerator(o.seed);
  const out: number[] = [];
  for (let n = 0; n < o.maxNewTokens; n++) {
    const window = ids.slice(-T);
    const x = new Int32Array(T);
    x.set(window);
    const { logits } = await engine.forward(model, { x, batch: 1, context: T }, adapter);
    const row = logits.subarray((window.length - 1) * V, window.length * V);
    let next = 0;
    if (o.temperature === 0) {
      for (let v = 1; v < V; v++) if (row[v]! > row[next]!) next = v;
    } else {
      let max = -Infinity;
      for (let v = 0; v < V; v++) max = Math.max(max, row[v]!);
      const p = Array.from(row, (l) => Math.exp((l - max) / o.temperature));
      const total = p.reduce((a, b) => a + b, 0);
      let u = gen.rand(1)[0]! * total;
      next = V - 1;
      for (let v = 0; v < V; v++) {
        u -= p[v]!;
        if (u < 0) {
          next = v;
          break;
        }
      }
    }
    ids.push(next);
    out.push(next);
  }
  return decode(model, out);
}
