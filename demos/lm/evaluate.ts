/** Held-out loss: the mean cross-entropy over fixed, evenly spaced windows of a text. */
import type { LanguageModelEngine } from './engine';
import { need } from '../validate';
import type { Adapter, LanguageModel } from './model';

/** `count` windows of `context` + 1 tokens, evenly spaced through `tokens` (deterministic). */
export function heldOutWindows(tokens: ArrayLike<number>, count: number, context: number): { x: Int32Array; y: Int32Array; batch: number; context: number } {
  const span = tokens.length - context - 1;
  need(span >= 0, 'text', `The held-out text must be longer than one window (${context + 1} characters).`);
  const x = new Int32Array(count * context);
  const y = new Int32Array(count * context);
  for (let b = 0; b < count; b++) {
    const start = count === 1 ? 0 : Math.floor((b * span) / (count - 1));
    for (let j = 0; j < context; j++) {
      x[b * context + j] = tokens[start + j]!;
      y[b * context + j] = tokens[start + j + 1]!;
    }
  }
  return { x, y, batch: count, context };
}

/** Mean cross-entropy (nats per token) on the windows, base model or with `adapter`. */
export async function evaluateLoss(engine: LanguageModelEngine, model: LanguageModel, tokens: ArrayLike<number>, o: { windows: number; context?: number }, adapter?: Adapter): Promise<number> {
  const batch = heldOutWindows(tokens, o.windows, o.context ?? model.config.maxPositions);
  return (await engine.forward(model, batch, adapter)).loss!;
}
