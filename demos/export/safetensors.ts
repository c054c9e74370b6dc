/**
 * A `.safetensors` writer (and reader, for tests and round trips), pure: bytes in, bytes out.
 *
 * Layout (https://github.com/huggingface/safetensors):
 *   [8 bytes]  N, the header length, unsigned 64-bit little-endian
 *   [N bytes]  UTF-8 JSON: { "__metadata__": {string: string}, name: { dtype, shape, data_offsets } }
 *              padded with spaces so the data starts 8-byte aligned
 *   [rest]     the tensors' bytes, little-endian, back to back; data_offsets = [begin, end)
 *              relative to the start of this block.
 *
 * Only float32 ("F32") is written: the engine's tensors are all float32.
 */

/** One named float32 tensor, row-major. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export interface SafetensorsFile {
  tensors: NamedTensor[];
  /** safetensors metadata: string keys to string values only. */
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: 'F32';
  shape: number[];
  data_offsets: [number, number];
}

const numel = (shape: number[]): number => shape.reduce((n, d) => n * d, 1);

/** Serialise tensors (in the order given) and metadata to a .safetensors byte array. */
export function writeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const names = new Set<string>();
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = { ...metadata };
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name === '') throw new Error(`"${t.name}" cannot name a tensor.`);
    if (names.has(t.name)) throw new Error(`Two tensors are named "${t.name}".`);
    names.add(t.name);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new Error(`${t.name}: shape [${t.shape.join(', ')}] must hold whole numbers ≥ 0.`);
    }
    if (numel(t.shape) !== t.data.length) {
      throw new Error(`${t.name}: shape [${t.shape.join(', ')}] holds ${numel(t.shape)} numbers but the data has ${t.data.length}.`);
    }
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  // Pad with spaces so the data block begins on an 8-byte boundary (8 + N ≡ 0 mod 8).
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    // Write element by element in little-endian, whatever the platform's byte order.
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
  }
  return out;
}

/** Parse a .safetensors byte array written by `writeSafetensors` (F32 tensors only). */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new Error('Not a safetensors file: shorter than its 8-byte header length.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error(`The header says ${n} bytes but the file has ${bytes.length - 8} after the length.`);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  const dataStart = 8 + n;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const tensors: NamedTensor[] = [];
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as HeaderEntry;
    if (e.dtype !== 'F32') throw new Error(`${name}: dtype ${e.dtype} is not supported (F32 only).`);
    const [begin, end] = e.data_offsets;
    if (end - begin !== numel(e.shape) * 4) throw new Error(`${name}: data_offsets do not match its shape.`);
    const data = new Float32Array(numel(e.shape));
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(dataStart + begin + 4 * i, true);
    tensors.push({ name, shape: e.shape, data });
  }
  tensors.sort((a, b) => (header[a.name] as HeaderEntry).data_offsets[0] - (header[b.name] as HeaderEntry).data_offsets[0]);
  return { tensors, metadata };
}

/** A trained LoRA adapter for one d×k weight: A is r×k, B is d×r, row-major. */
export interface LoraAdapter {
  a: { rows: number; cols: number; data: ArrayLike<number> };
  b: { rows: number; cols: number; data: ArrayLike<number> };
  rank: number;
  alpha: number;
  /** The factor actually used, α/r or α/√r. */
  scaling: number;
  scalingRule?: string;
}

/**
 * The adapter as PEFT names it, so `safetensors.torch.load_file` gives a state dict that
 * `set_peft_model_state_dict` understands for a module called `module`:
 *   base_model.model.<module>.lora_A.weight  (r, k)
 *   base_model.model.<module>.lora_B.weight  (d, r)
 * PEFT keeps r and lora_alpha in adapter_config.json; they are also written in `__metadata__`.
 */
export function loraSafetensors(adapter: LoraAdapter, module = 'layer'): Uint8Array {
  const prefix = `base_model.model.${module}`;
  const { a, b } = adapter;
  if (a.rows !== adapter.rank || b.cols !== adapter.rank) {
    throw new Error(`A is ${a.rows}×${a.cols} and B is ${b.rows}×${b.cols}: both must have rank ${adapter.rank}.`);
  }
  return writeSafetensors(
    [
      { name: `${prefix}.lora_A.weight`, shape: [a.rows, a.cols], data: Float32Array.from(a.data) },
      { name: `${prefix}.lora_B.weight`, shape: [b.rows, b.cols], data: Float32Array.from(b.data) },
    ],
    {
      format: 'pt',
      r: String(adapter.rank),
      alpha: String(adapter.alpha),
      lora_alpha: String(adapter.alpha),
      scaling: String(adapter.scaling),
      ...(adapter.scalingRule ? { scaling_rule: adapter.scalingRule } : {}),
    },
  );
}
