import { describe, expect, it } from 'vitest';
import { loraSafetensors, readSafetensors, writeSafetensors } from './safetensors';

/** Parse the header by hand, as the format's spec describes, independently of readSafetensors. */
function rawHeader(bytes: Uint8Array): { n: number; header: Record<string, any> } {
  let n = 0;
  for (let i = 7; i >= 0; i--) n = n * 256 + bytes[i]!;
  return { n, header: JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8')) };
}

describe('writeSafetensors', () => {
  it('writes an 8-byte little-endian header length, a JSON header and aligned F32 data', () => {
    const a = Float32Array.from([1, -2, 3.5, 0.25, 1e-7, -0]);
    const b = Float32Array.from([42]);
    const bytes = writeSafetensors(
      [
        { name: 'a', shape: [2, 3], data: a },
        { name: 'b', shape: [1], data: b },
      ],
      { r: '4' },
    );
    const { n, header } = rawHeader(bytes);
    expect((8 + n) % 8).toBe(0);
    expect(header.__metadata__).toEqual({ r: '4' });
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.b).toEqual({ dtype: 'F32', shape: [1], data_offsets: [24, 28] });
    expect(bytes.length).toBe(8 + n + 28);
    // The data block, read as little-endian float32 directly.
    const dv = new DataView(bytes.buffer, bytes.byteOffset + 8 + n);
    expect(dv.getFloat32(8, true)).toBe(3.5);
    expect(dv.getFloat32(24, true)).toBe(42);
  });

  it('round-trips through readSafetensors bit for bit', () => {
    const data = new Float32Array(37).map((_, i) => Math.fround(Math.sin(i) * 10 ** (i % 7 - 3)));
    const bytes = writeSafetensors([{ name: 'x.weight', shape: [37], data }], { alpha: '8' });
    const back = readSafetensors(bytes);
    expect(back.metadata).toEqual({ alpha: '8' });
    expect(back.tensors).toHaveLength(1);
    expect(back.tensors[0]!.name).toBe('x.weight');
    expect(Array.from(back.tensors[0]!.data)).toEqual(Array.from(data));
  });

  it('omits __metadata__ when there is none and rejects bad tensors', () => {
    const bytes = writeSafetensors([{ name: 'z', shape: [0], data: new Float32Array(0) }]);
    expect(rawHeader(bytes).header.__metadata__).toBeUndefined();
    expect(() => writeSafetensors([{ name: 'z', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/holds 4 numbers/);
    expect(() =>
      writeSafetensors([
        { name: 'z', shape: [1], data: new Float32Array(1) },
        { name: 'z', shape: [1], data: new Float32Array(1) },
      ]),
    ).toThrow(/Two tensors/);
  });
});

describe('loraSafetensors', () => {
  it('names the adapter like PEFT and keeps r and alpha in the metadata', () => {
    const r = 2;
    const k = 3;
    const d = 4;
    const a = { rows: r, cols: k, data: [1, 2, 3, 4, 5, 6] };
    const b = { rows: d, cols: r, data: [0.5, -0.5, 1, -1, 2, -2, 3, -3] };
    const bytes = loraSafetensors({ a, b, rank: r, alpha: 8, scaling: 4, scalingRule: 'alpha/r' });
    const { tensors, metadata } = readSafetensors(bytes);
    expect(tensors.map((t) => [t.name, t.shape])).toEqual([
      ['base_model.model.layer.lora_A.weight', [r, k]],
      ['base_model.model.layer.lora_B.weight', [d, r]],
    ]);
    expect(Array.from(tensors[0]!.data)).toEqual(a.data);
    expect(Array.from(tensors[1]!.data)).toEqual(b.data);
    expect(metadata).toMatchObject({ r: '2', alpha: '8', lora_alpha: '8', format: 'pt' });
  });

  it('refuses factors whose shapes disagree with the rank', () => {
    const a = { rows: 2, cols: 3, data: new Array(6).fill(0) };
    const b = { rows: 4, cols: 3, data: new Array(12).fill(0) };
    expect(() => loraSafetensors({ a, b, rank: 2, alpha: 8, scaling: 4 })).toThrow(/rank 2/);
  });
});
