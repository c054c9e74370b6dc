/**
 * §3 Training a LoRA-adapted layer: the task Y = X·W₀ᵀ + (X·A_tᵀ)·B_tᵀ (a rank-r_t update of a
 * frozen W₀), learned once by a rank-r adapter and once by full fine-tuning of W.
 */
import { TorchGenerator } from '../random';
import type { Engine, Matrix, Progress } from '../types';
import { initLora } from './implementation';
import { inSettings, throwIfAborted, TrainingDivergedError } from '../errors';
import { axpy, matmulT, matrix, scaled, toPlain } from './matrix';
import { runClock } from './clock';
import { scalingFor } from '../scaling';
import { TRAINING_DEFAULTS } from './defaults';
import type { ExperimentOptions, LossCurve, TrainingProgress, TrainingResult, TrainingSettings } from './types';


/** The task data of §3 and the adapter's initial state, as the notebook draws them. */
export interface TrainingSetup {
  /** (nSamples·seqLen, d) inputs, batch and sequence flattened. */
  x: Matrix;
  y: Matrix;
  w0: Matrix;
  a0: Matrix;
  b0: Matrix;
  scaling: number;
  /** The generator after these draws: §4's x_test comes next from it. */
  generator: TorchGenerator;
}

/**
 * Draw order (notebook cells 4–5): seed, W_pretrained, X, W_target_B, W_target_A, then
 * init_lora's A. Y = X·W₀ᵀ + (X·A_tᵀ)·B_tᵀ in float32, in PyTorch's association order.
 */
export function trainingSetup(s: TrainingSettings): TrainingSetup {
  const d = s.dModel;
  const n = s.nSamples * s.seqLen;
  const g = new TorchGenerator(s.seed);
  const w0 = matrix(d, d, scaled(g.randn(d, d), 0.1));
  const x = matrix(n, d, g.randn(s.nSamples, s.seqLen, d));
  const bt = matrix(d, s.targetRank, scaled(g.randn(d, s.targetRank), 0.3));
  const at = matrix(s.targetRank, d, scaled(g.randn(s.targetRank, d), 0.3));
  const y = axpy(matmulT(x, w0), matmulT(matmulT(x, at), bt));
  const { a, b } = initLora(g, d, d, s.rank);
  return { x, y, w0, a0: a, b0: b, scaling: scalingFor(s.scalingRule, s.alpha, s.rank), generator: g };
}

export function lossCurve(losses: ArrayLike<number>, params: number): LossCurve {
  const l = Array.from(losses);
  return { losses: l, final: l[l.length - 1] ?? NaN, params };
}

/** How §3's settings became the engine's inputs, for errors the engine raises about them. */
export const TRAINING_INPUTS = { rank: 'rank', lr: 'lr', steps: 'epochs', scaling: 'alpha', optimizer: 'optimizer' } as const;

export async function trainingComparison(
  engine: Engine,
  settings: Partial<TrainingSettings> = {},
  opts: ExperimentOptions<TrainingProgress> = {},
): Promise<TrainingResult> {
  const s: TrainingSettings = { ...TRAINING_DEFAULTS, ...settings };
  const clock = runClock(engine);
  const { x, y, w0, a0, b0, scaling } = trainingSetup(s);
  const d = s.dModel;
  const loraParams = 2 * s.rank * d;
  const fullParams = d * d;
  // The result in its final shape from the curves so far: what progress reports, and the end.
  const resultOf = (lora: ArrayLike<number>, full: ArrayLike<number>): TrainingResult => {
    const loraCurve = lossCurve(lora, loraParams);
    const fullCurve = lossCurve(full, fullParams);
    return {
      settings: s,
      lora: loraCurve,
      full: fullCurve,
      checkpoints: loraCurve.losses.map((loss, epoch) => ({ epoch, loss })).filter(({ epoch }) => epoch % 20 === 0),
      paramRatio: fullParams / loraParams,
      info: clock.done(),
    };
  };
  let loraLosses: ArrayLike<number> = [];
  const report = (run: TrainingProgress['run'], losses: ArrayLike<number>) => {
    const result = run === 'lora' ? resultOf(losses, []) : resultOf(loraLosses, losses);
    opts.onProgress?.({ run, result, steps: result.lora.losses.length + result.full.losses.length });
  };
  // A diverged run reports its losses up to the failing step first, so a chart keeps them.
  const training = async <T>(run: TrainingProgress['run'], train: () => Promise<T>): Promise<T> => {
    try {
      return await inSettings(TRAINING_INPUTS, train);
    } catch (e) {
      if (e instanceof TrainingDivergedError) report(run, e.losses);
      throw e;
    }
  };
  const onProgress = (run: TrainingProgress['run']) => opts.onProgress && ((p: Progress) => report(run, p.losses));

  throwIfAborted(opts.signal);
  const lora = await training('lora', () =>
    engine.trainLora({
      x, y, w: w0, a0, b0, scaling,
      lr: s.lr, steps: s.epochs, optimizer: s.optimizer,
      onProgress: onProgress('lora'), signal: opts.signal,
    }),
  );
  loraLosses = lora.losses;
  throwIfAborted(opts.signal);
  const full = await training('full', () =>
    engine.trainFull({
      x, y, w0,
      lr: s.lr, steps: s.epochs, optimizer: s.optimizer,
      onProgress: onProgress('full'), signal: opts.signal,
    }),
  );
  return {
    ...resultOf(lora.losses, full.losses),
    trained: { w0: toPlain(w0), a: toPlain(lora.a), b: toPlain(lora.b), scaling, wFull: toPlain(full.w) },
  };
}
