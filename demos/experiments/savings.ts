/**
 * §6 Parameter savings at scale: LoRA on W_Q and W_V of every layer of a large model. Pure maths:
 * a d×d matrix has d² parameters, its rank-r adapter r·d + d·r.
 */
import type { SavingsModel, SavingsSettings, SavingsTable } from './types';

/** The notebook's presets: Q and V adapted in every layer. */
export const SAVINGS_MODELS: SavingsModel[] = [
  { name: '7B (LLaMA)', dModel: 4096, layers: 32, matricesPerLayer: 2 },
  { name: '13B', dModel: 5120, layers: 40, matricesPerLayer: 2 },
  { name: '70B', dModel: 8192, layers: 80, matricesPerLayer: 2 },
];
export const SAVINGS_RANKS: number[] = [4, 8, 16, 64];

export function savingsTable(models: SavingsModel[] = SAVINGS_MODELS, ranks: number[] = SAVINGS_RANKS): SavingsTable[] {
  return models.map((model) => {
    const matrices = model.matricesPerLayer * model.layers;
    const d = model.dModel;
    const fullParams = matrices * d * d;
    return {
      model,
      fullParams,
      rows: ranks.map((rank) => {
        const loraParams = matrices * (rank * d + d * rank);
        return { rank, loraParams, reduction: fullParams / loraParams };
      }),
    };
  });
}
