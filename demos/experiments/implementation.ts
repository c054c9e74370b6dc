/**
 * §2 LoRA implementation: a frozen W₀, the adapter (A Gaussian with std 1/√d_in, B = 0), one
 * forward pass h = x·W₀ᵀ + s·(x·Aᵀ)·Bᵀ, the parameter counts, and ‖ΔW‖ = 0 at initialisation.
 */
import { TorchGenerator } from '../random';
import type { Engine, Matrix } from '../types';
import { deltaW, frobenius, matrix, scaled, toPlain } from './matrix';
import { runClock } from './clock';
import { scalingFor } from '../scaling';
import { inSettings, throwIfAborted } from '../errors';
import { IMPLEMENTATION_DEFAULTS } from './defaults';
import type { ExperimentOptions, ImplementationResult, ImplementationSettings } from './types';


/**
 * The notebook's `init_lora`: A ~ N(0, 1/d_in) drawn from the generator (the only draw),
 * B = 0, so ΔW = s·B·A = 0 and the adapted layer starts as the pretrained one.
 */
export function initLora(g: TorchGenerator, dIn: number, dOut: number, rank: number): { a: Matrix; b: Matrix } {
  return {
    a: matrix(rank, dIn, scaled(g.randn(rank, dIn), 1 / Math.sqrt(dIn))),
    b: matrix(dOut, rank),
  };
}

export async function loraImplementation(
  engine: Engine,
  settings: Partial<ImplementationSettings> = {},
  opts: ExperimentOptions = {},
): Promise<ImplementationResult> {
  const s: ImplementationSettings = { ...IMPLEMENTATION_DEFAULTS, ...settings };
  const clock = runClock(engine);
  const { dIn, dOut, rank } = s;
  const scaling = scalingFor(s.scalingRule, s.alpha, rank);

  // Draw order: W_frozen, A (init_lora), x.
  const g = new TorchGenerator(s.seed);
  const w0 = matrix(dOut, dIn, scaled(g.randn(dOut, dIn), 0.1));
  const { a, b } = initLora(g, dIn, dOut, rank);
  const x = matrix(s.batch * s.seqLen, dIn, g.randn(s.batch, s.seqLen, dIn));

  throwIfAborted(opts.signal);
  const out = await inSettings({ rank: 'rank', scaling: 'alpha', x: 'dIn', w: 'dIn' }, () => engine.loraForward(x, w0, a, b, scaling));
  const dw = deltaW(a, b, scaling);

  const frozen = dIn * dOut;
  const trainable = rank * dIn + dOut * rank;
  return {
    settings: s,
    inputShape: [s.batch, s.seqLen, dIn],
    outputShape: [s.batch, s.seqLen, out.cols],
    params: { frozen, a: rank * dIn, b: dOut * rank, trainable, reduction: frozen / trainable },
    scaling,
    deltaWNormAtInit: frobenius(dw.data),
    matrices: { w0: toPlain(w0), a: toPlain(a), b: toPlain(b), deltaW: toPlain(dw) },
    info: clock.done(),
  };
}
