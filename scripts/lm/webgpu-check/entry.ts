// Browser side of the WebGPU check: a tiny random LLaMA, forward + LoRA and full training on wasm and on webgpu.
import * as ortGpu from 'onnxruntime-web/webgpu';
import * as ortWasm from 'onnxruntime-web/wasm';
import { LanguageModelEngine, trainLanguageModel, initAdapter, type LanguageModel, type LlamaConfig } from '../../../demos/lm/index';
import { weightNames } from '../../../demos/lm/model';
import { weightShape } from '../../../demos/lm/graph';
ortGpu.env.wasm.wasmPaths = '/ort/';
ortWasm.env.wasm.wasmPaths = '/ort/';
ortGpu.env.wasm.numThreads = 1;
ortWasm.env.wasm.numThreads = 1;
const c: LlamaConfig = { vocabSize: 11, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 2, maxPositions: 8, rmsNormEps: 1e-5, ropeTheta: 10000 };
let s = 1;
const rnd = () => { s = (s * 16807) % 2147483647; return s / 2147483647 - 0.5; };
const weights = new Map(weightNames(c).map((n) => { const sh = weightShape(c, n); const k = sh.reduce((a, b) => a * b, 1); return [n, { shape: sh, data: Float32Array.from({ length: k }, () => (n.endsWith('norm.weight') ? 1 : 0.5 * rnd())) }]; }));
const model: LanguageModel = { config: c, vocab: 'abcdefghijk'.split(''), weights };
const tokens = Array.from({ length: 200 }, (_, i) => (i * 7 + (i >> 3)) % 11);
async function run(backend: 'webgpu' | 'wasm') {
  const e = await LanguageModelEngine.create({ backend });
  const spec = { targets: ['q_proj' as const, 'v_proj' as const, 'down_proj' as const], rank: 2, alpha: 4, useRslora: false };
  const x = tokens.slice(0, 16);
  const f = await e.forward(model, { x, y: tokens.slice(1, 17), batch: 2, context: 8 }, initAdapter(c, spec, 3));
  const r = await trainLanguageModel(e, { model, tokens, mode: spec, lr: 1e-2, steps: 6, batch: 2, context: 8, stepsPerRun: 3, seed: 5 });
  const full = await trainLanguageModel(e, { model, tokens, mode: 'full', lr: 1e-3, steps: 4, batch: 2, context: 8, stepsPerRun: 2, seed: 5 });
  // Issue 18's variants: DoRA (detached norm) with a rank and an alpha pattern, gaussian init and LoRA+.
  const dora = { ...spec, useDora: true, init: 'gaussian' as const, rankPattern: { v_proj: 1 }, alphaPattern: { down_proj: 3 } };
  const d = await trainLanguageModel(e, { model, tokens, mode: dora, adapter: initAdapter(c, dora, 4, model.weights), loraplusRatio: 4, lr: 1e-2, steps: 6, batch: 2, context: 8, stepsPerRun: 3, seed: 5 });
  return {
    backend: e.backend, loss: f.loss, logits0: Array.from(f.logits.slice(0, 4)), losses: Array.from(r.losses), b0: Array.from(r.adapter!.modules[0]!.b.data.slice(0, 4)), full: Array.from(full.losses),
    dora: [...Array.from(d.losses), ...Array.from(d.adapter!.modules[1]!.magnitude!.data.slice(0, 4))],
  };
}
(async () => {
  const out: Record<string, unknown> = {};
  for (const b of ['wasm', 'webgpu'] as const) {
    try { out[b] = await run(b); } catch (err) { out[b] = { error: String(err), stack: (err as Error).stack }; }
  }
  (window as unknown as { RESULT: unknown }).RESULT = out;
})();
