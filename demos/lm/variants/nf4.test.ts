/**
 * NF4 against bitsandbytes' pure-PyTorch backend, transcribed in scripts/lm/make_combine_fixtures.py
 * (bitsandbytes itself is not installable here): codes and absmax bit for bit, dequantised values
 * bit for bit, on random tensors, exact ties, a zero block, a length not divisible by 64 and a
 * weight of the committed model.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanguageModelEngine } from '../engine';
import { LANGUAGE_MODEL_FILES, PUBLIC_DIR } from '../files';
import { TARGET_MODULES } from '../model';
import { loadModelDir, relativeError } from '../../test-support/lm';
import { NF4_CODE, dequantizeNf4, nf4Bytes, quantizeModelNf4, quantizeNf4 } from './nf4';

interface Nf4Case { name: string; shape: number[]; values_hex?: string; codes: number[]; absmax_hex: string; dequantized_hex?: string }
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'nf4.json'), 'utf8')) as { blocksize: number; cases: Nf4Case[]; probe_ids: number[]; nf4_base_logits: number[] };

const fromHex = (hex: string): Float32Array => {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return new Float32Array(bytes.buffer);
};
/** Compare float32 arrays bit for bit (so −0 ≠ 0 and NaN = NaN would both show). */
const bits = (a: Float32Array): number[] => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('NF4 quantisation (bitsandbytes quantize_4bit, nf4, blocksize 64)', () => {
  const model = loadModelDir(join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir));

  for (const c of fixture.cases) {
    it(`${c.name}: codes and absmax equal the PyTorch backend's bit for bit`, () => {
      const data = c.values_hex ? fromHex(c.values_hex) : model.weights.get(c.name)!.data;
      const q = quantizeNf4({ shape: c.shape, data }, fixture.blocksize);
      expect(Array.from(q.codes)).toEqual(c.codes);
      expect(bits(q.absmax)).toEqual(bits(fromHex(c.absmax_hex)));
      if (c.dequantized_hex) expect(bits(dequantizeNf4(q).data)).toEqual(bits(fromHex(c.dequantized_hex)));
    });
  }

  it('sends a value exactly between two code values to the lower one, and a code value to itself', () => {
    const f = Math.fround;
    const mids = Array.from({ length: 15 }, (_, j) => f((NF4_CODE[j]! + NF4_CODE[j + 1]!) / 2));
    // absmax 1 (the first value) leaves the others unscaled.
    const q = quantizeNf4({ shape: [1, 32], data: Float32Array.from([1, ...mids, ...NF4_CODE]) });
    let ties = 0;
    for (let j = 0; j < 15; j++) {
      // A float32 midpoint is an exact tie only where |x − c_j| and |c_{j+1} − x| round equal.
      const tie = Math.abs(f(mids[j]! - NF4_CODE[j]!)) === Math.abs(f(mids[j]! - NF4_CODE[j + 1]!));
      if (tie) ties++;
      if (tie) expect(q.codes[1 + j], `midpoint ${j}`).toBe(j);
      else expect([j, j + 1]).toContain(q.codes[1 + j]);
    }
    expect(ties).toBeGreaterThanOrEqual(5);
    expect(Array.from(q.codes.subarray(16))).toEqual(Array.from({ length: 16 }, (_, j) => j));
  });

  let engine: LanguageModelEngine;
  beforeAll(async () => { engine = await LanguageModelEngine.create({ backend: 'wasm' }); });
  afterAll(async () => engine?.dispose());

  it('the NF4 base model gives the logits of the PyTorch model with the same dequantised weights', async () => {
    const { model: qm } = quantizeModelNf4(model);
    const T = fixture.probe_ids.length;
    const V = model.config.vocabSize;
    const { logits } = await engine.forward(qm, { x: fixture.probe_ids, batch: 1, context: T });
    expect(relativeError(logits.subarray((T - 8) * V), fixture.nf4_base_logits)).toBeLessThan(1e-5);
    // and quantisation costs something: the full-precision model's logits differ.
    const { logits: full } = await engine.forward(model, { x: fixture.probe_ids, batch: 1, context: T });
    expect(relativeError(full.subarray((T - 8) * V), fixture.nf4_base_logits)).toBeGreaterThan(1e-3);
  });

  it('quantises the seven projection kinds and nothing else, and counts the memory', () => {
    const { model: qm, quantized, memory } = quantizeModelNf4(model);
    const c = model.config;
    expect(quantized.size).toBe(c.numLayers * TARGET_MODULES.length);
    for (const [name, w] of model.weights) {
      const changed = qm.weights.get(name) !== w;
      expect(changed, name).toBe(quantized.has(name));
    }
    const err = (name: string): number => {
      const a = model.weights.get(name)!.data;
      const b = qm.weights.get(name)!.data;
      let e = 0;
      let m = 0;
      for (let i = 0; i < a.length; i++) { e = Math.max(e, Math.abs(a[i]! - b[i]!)); m = Math.max(m, Math.abs(a[i]!)); }
      return e / m;
    };
    // 4-bit codes: the error is a fraction of each block's absmax, never zero, never above half the widest gap.
    expect(err('model.layers.0.mlp.up_proj.weight')).toBeGreaterThan(1e-3);
    expect(err('model.layers.0.mlp.up_proj.weight')).toBeLessThan(0.17);
    let qn = 0;
    let bytes = 0;
    for (const q of quantized.values()) { qn += q.codes.length; bytes += Math.ceil(q.codes.length / 2) + 4 * q.absmax.length; }
    expect(memory.quantizedParameters).toBe(qn);
    expect(memory.projectionNf4Bytes).toBe(bytes);
    expect(memory.projectionFloat32Bytes).toBe(4 * qn);
    expect(memory.modelFloat32Bytes - memory.modelNf4Bytes).toBe(4 * qn - bytes);
    expect(nf4Bytes(145)).toBe(73 + 12);
  });
});
