/**
 * PyTorch's CPU random generator, reproduced: `torch.manual_seed(seed)` followed by
 * `torch.randn(...)` / `torch.rand(...)` (float32), `Tensor.uniform_` (what nn.init draws) and
 * `torch.randint` give the same values here, so the site's experiments draw the notebook's
 * matrices and chapter 8's run draws PEFT's adapter and its batches. Each step of the algorithm
 * is described at the function that implements it; demos/random.test.ts checks randn/rand against
 * values PyTorch itself wrote (tests/fixtures/torch_rng_fixtures.json, from
 * companion/regenerate.py), demos/lm/init.test.ts uniform_/randint (demos/lm/fixtures/peft-init.json).
 *
 * PyTorch's own AVX2 and scalar builds differ by about 1e-6 in the ≥ 16-element normal path;
 * this implementation agrees with the fixtures to that level.
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;

const TWO_PI = 2 * Math.PI;
const F32_TWO_PI = Math.fround(2 * Math.PI);

/** MT19937, the 32-bit Mersenne Twister, seeded as `std::mt19937(seed)` and PyTorch do. */
class MersenneTwister {
  private readonly state = new Uint32Array(N);
  private index = N;

  constructor(seed: number) {
    const s = this.state;
    s[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = s[i - 1]! ^ (s[i - 1]! >>> 30);
      // state[i] = 1812433253 · prev + i  (mod 2³²)
      s[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
  }

  private twist(): void {
    const s = this.state;
    for (let i = 0; i < N; i++) {
      const y = (s[i]! & UPPER) | (s[(i + 1) % N]! & LOWER);
      s[i] = s[(i + M) % N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.index = 0;
  }

  /** One 32-bit draw, tempered. */
  next(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++]!;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
}

function numel(shape: number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new RangeError(`bad dimension ${d} in shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

export class TorchGenerator {
  private readonly mt: MersenneTwister;
  /** The second Box–Muller sample of the float64 path, kept for the next small randn. */
  private cachedNormal: number | null = null;

  constructor(seed: number) {
    this.mt = new MersenneTwister(seed);
  }

  /** A float32 uniform in [0, 1): 24 random bits of one draw. */
  private uniform32(): number {
    return (this.mt.next() & 0xffffff) * 2 ** -24;
  }

  /** A float64 uniform in [0, 1): 53 bits of two draws, the first the high word. */
  private uniform64(): number {
    const hi = this.mt.next();
    const lo = this.mt.next();
    // ((hi << 32 | lo) & (2⁵³ − 1)) · 2⁻⁵³, exact in a double
    return ((hi & 0x1fffff) * 2 ** 32 + lo) * 2 ** -53;
  }

  /** One standard normal from the float64 Box–Muller path with its cached second sample. */
  private normal64(): number {
    if (this.cachedNormal !== null) {
      const z = this.cachedNormal;
      this.cachedNormal = null;
      return z;
    }
    const u1 = this.uniform64();
    const u2 = this.uniform64();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = TWO_PI * u1;
    this.cachedNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** The float32 Box–Muller transform of 16 uniforms in place: v[j], v[j+8] ← r·cos θ, r·sin θ. */
  private static normal16(v: Float32Array, start: number): void {
    for (let j = start; j < start + 8; j++) {
      const u1 = Math.fround(1 - v[j]!);
      const u2 = v[j + 8]!;
      const radius = Math.fround(Math.sqrt(Math.fround(-2 * Math.fround(Math.log(u1)))));
      const theta = Math.fround(F32_TWO_PI * u2);
      v[j] = radius * Math.cos(theta);
      v[j + 8] = radius * Math.sin(theta);
    }
  }

  /** torch.rand(*shape): float32 uniforms in [0, 1), row-major. */
  rand(...shape: number[]): Float32Array {
    const out = new Float32Array(numel(shape));
    for (let i = 0; i < out.length; i++) out[i] = this.uniform32();
    return out;
  }

  /**
   * `tensor.uniform_(from, to)` on n float32 elements, as `nn.init.uniform_` and
   * `kaiming_uniform_` draw: one 32-bit draw per element, x = (draw & (2²⁴ − 1))·2⁻²⁴, then
   * x·(to − from) + from in double (CPU's accumulate type for float) with from and to first
   * rounded to float32, the result rounded to float32.
   */
  uniform(from: number, to: number, n: number): Float32Array {
    const f = Math.fround(from);
    const range = Math.fround(Math.fround(to) - f);
    const out = new Float32Array(numel([n]));
    for (let i = 0; i < out.length; i++) out[i] = this.uniform32() * range + f;
    return out;
  }

  /**
   * `torch.randint(high, (n,))` (int64): integers in [0, high), each one draw taken modulo high
   * (PyTorch's `random_from_to`; its modulo bias is part of what it draws). Below 2²⁸ the draw
   * is one 32-bit output; from 2²⁸ on it is a 64-bit one, (first << 32 | second) — a threshold
   * measured on torch 2.13 at every power of two (demos/lm/init.test.ts checks both sides).
   */
  randint(high: number, n: number): number[] {
    if (!Number.isSafeInteger(high) || high < 1) throw new RangeError(`randint: high must be a whole number of at least 1, not ${high}`);
    const out: number[] = [];
    for (let i = 0; i < numel([n]); i++) {
      if (high < 2 ** 28) out.push(this.mt.next() % high);
      else {
        const hi = BigInt(this.mt.next());
        const lo = BigInt(this.mt.next());
        out.push(Number(((hi << 32n) | lo) % BigInt(high)));
      }
    }
    return out;
  }

  /** torch.randn(*shape): float32 standard normals, row-major. */
  randn(...shape: number[]): Float32Array {
    const n = numel(shape);
    const out = new Float32Array(n);
    if (n < 16) {
      for (let i = 0; i < n; i++) out[i] = this.normal64();
      return out;
    }
    for (let i = 0; i < n; i++) out[i] = this.uniform32();
    for (let i = 0; i + 16 <= n; i += 16) TorchGenerator.normal16(out, i);
    if (n % 16 !== 0) {
      // The tail: fresh uniforms into the last 16 slots, overwriting values already transformed.
      for (let i = n - 16; i < n; i++) out[i] = this.uniform32();
      TorchGenerator.normal16(out, n - 16);
    }
    return out;
  }
}
