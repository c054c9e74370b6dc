/**
 * Hand-made results in the experiments' shapes, close to the notebook's numbers, for the
 * chart tests and for previewing charts without running the engine. Not used by the site.
 */
import type {
  ImplementationResult,
  LowRankResult,
  MergingResult,
  PlainMatrix,
  RankSweepResult,
  TrainingResult,
  TrainingSettings,
} from '../../demos/index';

/** Small deterministic PRNG (mulberry32) → roughly normal values via the sum of 4 uniforms. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => (u() + u() + u() + u() - 2) * Math.sqrt(3);
}

export function randomMatrix(rows: number, cols: number, scale: number, seed: number): PlainMatrix {
  const r = rng(seed);
  return { rows, cols, data: Array.from({ length: rows * cols }, () => r() * scale) };
}

export function matmul(a: PlainMatrix, b: PlainMatrix, s = 1): PlainMatrix {
  const data = new Array<number>(a.rows * b.cols).fill(0);
  for (let i = 0; i < a.rows; i++)
    for (let k = 0; k < a.cols; k++)
      for (let j = 0; j < b.cols; j++) data[i * b.cols + j]! += s * a.data[i * a.cols + k]! * b.data[k * b.cols + j]!;
  return { rows: a.rows, cols: b.cols, data };
}

const info = { backend: 'wasm' as const, ms: 12 };

export function lowRankFixture(n = 64, trueRank = 4): LowRankResult {
  const head = [0.712, 0.655, 0.585, 0.452];
  const sv = Array.from({ length: n }, (_, i) =>
    i < trueRank ? (head[i] ?? 0.4 / (i + 1)) : 0.0155 * Math.pow(1 - (i - trueRank) / (n - trueRank), 0.8) + 1e-7,
  );
  const sq = sv.map((v) => v * v);
  const total = sq.reduce((a, b) => a + b, 0);
  const energy: number[] = [];
  let c = 0;
  for (const v of sq) energy.push((c += v) / total);
  const relErrors = energy.map((e) => Math.sqrt(Math.max(0, 1 - e)));
  relErrors[n - 1] = 5.6e-7; // float round-off, as in the notebook
  return {
    settings: { seed: 42, d: n, k: n, trueRank, noise: 0.001 },
    singularValues: sv,
    relErrors,
    energy,
    rankFor99: energy.findIndex((e) => e >= 0.99) + 1,
    info,
  };
}

export function implementationFixture(rank = 4, d = 64, trained = false): ImplementationResult {
  const w0 = randomMatrix(d, d, 0.07, 1);
  const a = randomMatrix(rank, d, 0.07, 2);
  const b = trained ? randomMatrix(d, rank, 0.05, 3) : { rows: d, cols: rank, data: new Array<number>(d * rank).fill(0) };
  const s = 8 / rank;
  return {
    settings: { seed: 42, dIn: d, dOut: d, rank, alpha: 8, batch: 2, seqLen: 8, scalingRule: 'alpha/r' },
    inputShape: [2, 8, d],
    outputShape: [2, 8, d],
    params: { frozen: d * d, a: rank * d, b: rank * d, trainable: 2 * rank * d, reduction: (d * d) / (2 * rank * d) },
    scaling: s,
    deltaWNormAtInit: 0,
    matrices: { w0, a, b, deltaW: matmul(b, a, s) },
    info,
  };
}

export const trainingSettings: TrainingSettings = {
  seed: 42, dModel: 32, seqLen: 8, nSamples: 200, rank: 4, targetRank: 4, alpha: 8, lr: 0.01, epochs: 100,
  optimizer: 'sgd', scalingRule: 'alpha/r',
};

/** Nearly straight descending curves like the notebook's SGD run (0.6239 → 0.5493 / 0.5957). */
export function trainingFixture(epochs = 100): TrainingResult {
  const curve = (end: number) => Array.from({ length: epochs }, (_, t) => 0.623921 * Math.pow(end / 0.623921, t / (epochs - 1)));
  const lora = curve(0.595727);
  const full = curve(0.549296);
  return {
    settings: { ...trainingSettings, epochs },
    lora: { losses: lora, final: lora[epochs - 1]!, params: 256 },
    full: { losses: full, final: full[epochs - 1]!, params: 1024 },
    checkpoints: lora.flatMap((loss, epoch) => (epoch % 20 === 0 ? [{ epoch, loss }] : [])),
    paramRatio: 4,
    info,
  };
}

export function mergingFixture(d = 32, rank = 4): MergingResult {
  const b = randomMatrix(d, rank, 0.1, 7);
  const a = randomMatrix(rank, d, 0.1, 8);
  const deltaW = matmul(b, a, 8 / rank);
  const head = [0.268, 0.165, 0.074, 0.049];
  const out = randomMatrix(4, d, 1, 9);
  return {
    settings: { ...trainingSettings, testTokens: 4 },
    maxDiff: 2.38e-7,
    equal: true,
    outSeparate: out,
    outMerged: out,
    deltaW,
    spectrumLora: Array.from({ length: d }, (_, i) => (i < rank ? (head[i] ?? 0.03) : 3e-9 / (i + 1))),
    spectrumFull: Array.from({ length: d }, (_, i) => [0.165, 0.151, 0.121, 0.102][i] ?? 0.004 * (1 - i / d) + 1e-4),
    rank,
    adapter: { a, b, scaling: 8 / rank },
    info,
  };
}

export function rankSweepFixture(finished = 6): RankSweepResult {
  const table: [number, number][] = [
    [1, 0.60566], [2, 0.576445], [4, 0.597291], [8, 0.600518], [16, 0.613651], [32, 0.617919],
  ];
  return {
    settings: { ...trainingSettings, ranks: table.map(([r]) => r) },
    rows: table.slice(0, finished).map(([rank, finalLoss]) => ({
      rank,
      finalLoss,
      params: 2 * rank * 32,
      percentOfFull: (100 * 2 * rank * 32) / 1024,
      losses: [0.623921, finalLoss],
    })),
    fullParams: 1024,
    info,
  };
}
