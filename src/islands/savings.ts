/**
 * §6 Savings at scale, as a calculator: the notebook's models or a custom one, any ranks.
 * Pure arithmetic, so it runs on the page (no engine, no worker).
 */
import { SAVINGS_MODELS, savingsTable } from '../../demos/experiments/savings';
import type { SavingsModel, SavingsTable } from '../../demos/experiments/types';
import { mountDemo } from './controller';
import type { SavingsModelChoice, Values } from './state';
import { savingsView } from './views';

const PRESET: Record<Exclude<SavingsModelChoice, 'notebook' | 'custom'>, SavingsModel> = {
  '7b': SAVINGS_MODELS[0]!,
  '13b': SAVINGS_MODELS[1]!,
  '70b': SAVINGS_MODELS[2]!,
};

function models(v: Values<'savings'>): SavingsModel[] {
  if (v.model === 'notebook') return SAVINGS_MODELS;
  if (v.model === 'custom') return [{ name: 'Custom model', dModel: v.dModel, layers: v.layers, matricesPerLayer: v.matrices }];
  return [PRESET[v.model]];
}

export function mount(slot: HTMLElement): void {
  mountDemo<'savings', SavingsTable[], never>(slot, {
    demo: 'savings',
    usesEngine: false,
    runOnChange: true,
    run: (v) => ({ promise: Promise.resolve(savingsTable(models(v), v.ranks)), cancel: () => {} }),
    view: (r) => savingsView(r),
    onChange: (key, v) => {
      // Picking a preset fills the custom fields with its sizes; editing a size makes it custom.
      if (key === 'model' && v.model !== 'notebook' && v.model !== 'custom') {
        const m = PRESET[v.model];
        return { ...v, dModel: m.dModel, layers: m.layers, matrices: m.matricesPerLayer };
      }
      if (key === 'dModel' || key === 'layers' || key === 'matrices') return { ...v, model: 'custom' };
      return v;
    },
  });
}
