/**
 * §6 Savings at scale, as a calculator: the notebook's models or a custom one, any ranks.
 * Pure arithmetic (an 'arithmetic' experiment), so it runs on the page: no engine, no worker.
 */
import { SAVINGS_DEFAULTS as D, formatSavings, type SavingsModel, type SavingsTable } from '../../demos/index';
import type { View } from '../demo-kit/view';
import { int, intList, oneOf } from '../demo-kit/params';
import { defineDemo, type Values } from '../demo-kit/spec';

export function savingsView(tables: SavingsTable[]): View {
  const millions = (n: number) => `${(n / 1e6).toFixed(2)}M`;
  return {
    panels: [],
    printout: formatSavings(tables),
    tables: tables.map((t) => ({
      caption: `${t.model.name}: d_model = ${t.model.dModel}, ${t.model.layers} layers, ${t.model.matricesPerLayer} adapted matrices per layer — full fine-tuning ${millions(t.fullParams)} parameters`,
      head: ['Rank r', 'LoRA parameters', 'Reduction'],
      rows: t.rows.map((x) => [x.rank, millions(x.loraParams), `${Math.round(x.reduction).toLocaleString('en')}×`]),
    })),
  };
}

// The URL tokens of the notebook's models, in its order (7B, 13B, 70B).
const PRESET_TOKENS = ['7b', '13b', '70b'] as const;
type PresetToken = (typeof PRESET_TOKENS)[number];
type ModelChoice = 'notebook' | PresetToken | 'custom';
const PRESET: Record<PresetToken, SavingsModel> = Object.fromEntries(PRESET_TOKENS.map((t, i) => [t, D.models[i]!])) as Record<PresetToken, SavingsModel>;
const isPreset = (m: ModelChoice): m is PresetToken => m in PRESET;
const custom = D.models[0]!;

const params = {
  model: oneOf<ModelChoice>('Model', 'notebook', [
    { value: 'notebook', label: 'The notebook’s three models' },
    ...PRESET_TOKENS.map((t) => ({ value: t, label: PRESET[t].name })),
    { value: 'custom', label: 'Custom' },
  ]),
  dModel: int('d_model', custom.dModel, 1, 65536, 'Used by Custom'),
  layers: int('Layers', custom.layers, 1, 1000, 'Used by Custom'),
  matrices: int('Adapted matrices per layer', custom.matricesPerLayer, 1, 16, 'Used by Custom (Q and V: 2)'),
  ranks: intList('Ranks', D.ranks, 1, 65536, 8, 'Comma-separated, e.g. 4, 8, 16, 64; shown in increasing order, each once'),
};

function models(v: Values<typeof params>): SavingsModel[] {
  if (v.model === 'notebook') return D.models;
  if (v.model === 'custom') return [{ name: 'Custom model', dModel: v.dModel, layers: v.layers, matricesPerLayer: v.matrices }];
  return [PRESET[v.model]];
}

export const spec = defineDemo({
  id: 'savings',
  experiment: 'savings',
  python: 'savings.py',
  params,
  // A rank above d_model is not a low-rank update any more (and no model preset is that narrow).
  check: (v) => {
    const width = Math.min(...models(v).map((m) => m.dModel));
    const over = v.ranks.filter((r) => r > width);
    return over.length ? { ranks: `Every rank must be at most d_model = ${width}; ${over.join(', ')} ${over.length > 1 ? 'are' : 'is'} larger.` } : {};
  },
  settings: (v) => ({ models: models(v), ranks: v.ranks }),
  view: (r) => savingsView(r),
  onChange: (key, v) => {
    // Picking a preset fills the custom fields with its sizes; editing a size makes it custom.
    if (key === 'model' && isPreset(v.model)) {
      const m = PRESET[v.model];
      return { ...v, dModel: m.dModel, layers: m.layers, matrices: m.matricesPerLayer };
    }
    if (key === 'dModel' || key === 'layers' || key === 'matrices') return { ...v, model: 'custom' };
    return v;
  },
  runButtons: false,
});
