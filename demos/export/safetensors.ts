/**
 * A `.safetensors` writer and reader, pure: bytes in, bytes out.
 *
 * Layout (https://github.com/huggingface/safetensors):
 *   [8 bytes]  N, the header length, unsigned 64-bit little-endian
 *   [N bytes]  UTF-8 JSON: { "__metadata__": {string: string}, name: { dtype, shape, data_offsets } }
 *              padded with spaces so the data starts 8-byte aligned
 *   [rest]     the tensors' bytes, little-endian, back to back; data_offsets = [begin, end)
 *              relative to the start of this block.
 *
 * Only float32 ("F32") is written: the engine's tensors are all float32. Reading decodes
 * F32, F16, BF16 and F64 (adapters people share are mostly bfloat16), one tensor at a time.
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

/** The element types this reader decodes, with their sizes in bytes. */
const DTYPE_BYTES = { F32: 4, F16: 2, BF16: 2, F64: 8 } as const;
export type SafetensorsDtype = keyof typeof DTYPE_BYTES;

/** One tensor's place in a file: where its bytes are, not the bytes themselves. */
export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte offsets in the file, [begin, end). */
  begin: number;
  end: number;
}

/** A file's header: its tensors in file order (unsupported dtypes listed apart) and metadata. */
export interface SafetensorsIndex {
  entries: TensorEntry[];
  /** Tensors whose dtype this reader does not decode (I8, U8, F8_E4M3, …), by name → dtype. */
  unsupported: Map<string, string>;
  metadata: Record<string, string>;
}

/**
 * Read only the header of a .safetensors byte array. Decoding is per tensor (`decodeTensor`), so a
 * caller holding an 80 MB adapter converts one module at a time instead of copying the file whole.
 */
export function safetensorsIndex(bytes: Uint8Array): SafetensorsIndex {
  if (bytes.length < 8) throw new Error('Not a safetensors file: shorter than its 8-byte header length.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error(`Not a safetensors file: the header says ${n} bytes but the file has ${bytes.length - 8} after the length.`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  } catch {
    throw new Error('Not a safetensors file: its header is not JSON.');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new Error('Not a safetensors file: its header is not a JSON object.');
  const dataStart = 8 + n;
  const metadata = (header.__metadata__ ?? {}) as Record<string, string>;
  const entries: TensorEntry[] = [];
  const unsupported = new Map<string, string>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const shape = e.shape;
    const offsets = e.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(offsets) || offsets.length !== 2) {
      throw new Error(`${name}: the header entry needs a shape and two data_offsets.`);
    }
    const dtype = String(e.dtype);
    if (!(dtype in DTYPE_BYTES)) {
      unsupported.set(name, dtype);
      continue;
    }
    const [b, en] = offsets as [number, number];
    const size = DTYPE_BYTES[dtype as SafetensorsDtype];
    if (en - b !== numel(shape as number[]) * size) throw new Error(`${name}: data_offsets [${b}, ${en}) do not hold a ${dtype} tensor of shape [${(shape as number[]).join(', ')}].`);
    if (dataStart + en > bytes.length) throw new Error(`${name}: its data ends past the end of the file (the file may be cut short).`);
    entries.push({ name, dtype: dtype as SafetensorsDtype, shape: shape as number[], begin: dataStart + b, end: dataStart + en });
  }
  entries.sort((x, y) => x.begin - y.begin);
  return { entries, unsupported, metadata };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** IEEE half → float32, exactly (every half is a float32). */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * One tensor as float32, row-major. F16 and BF16 widen exactly; F64 rounds to nearest float32.
 * bfloat16 is the top half of a float32, so widening it is a 16-bit shift.
 */
export function decodeTensor(bytes: Uint8Array, entry: TensorEntry): Float32Array {
  const count = numel(entry.shape);
  const out = new Float32Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset + entry.begin, entry.end - entry.begin);
  const abs = bytes.byteOffset + entry.begin;
  switch (entry.dtype) {
    case 'F32':
      if (LITTLE_ENDIAN && abs % 4 === 0) out.set(new Float32Array(bytes.buffer, abs, count));
      else for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      break;
    case 'BF16': {
      const bits = new Uint32Array(out.buffer);
      if (LITTLE_ENDIAN && abs % 2 === 0) {
        const half = new Uint16Array(bytes.buffer, abs, count);
        for (let i = 0; i < count; i++) bits[i] = half[i]! << 16;
      } else for (let i = 0; i < count; i++) bits[i] = view.getUint16(2 * i, true) << 16;
      break;
    }
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      break;
  }
  return out;
}

/**
 * Parse a whole .safetensors byte array into float32 tensors (F32, F16, BF16 and F64 are
 * decoded; any other dtype is an error naming the tensor). For large files prefer
 * `safetensorsIndex` + `decodeTensor`, one tensor at a time.
 */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { entries, unsupported, metadata } = safetensorsIndex(bytes);
  for (const [name, dtype] of unsupported) throw new Error(`${name}: dtype ${dtype} is not supported (F32, F16, BF16, F64).`);
  return { tensors: entries.map((e) => ({ name: e.name, shape: e.shape, data: decodeTensor(bytes, e) })), metadata };
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
