/**
 * §10 The merging lab: the two task adapters combined by PEFT's add_weighted_adapter at the
 * reader's weights, density (ties, magnitude_prune) and svd rank; both tasks' held-out loss and
 * the continuation of the prompt for the base, each adapter and the combination. The combination
 * itself takes milliseconds; the first evaluation loads the model (Run), later ones reuse the
 * base's and the inputs' rows.
 */
import {
  ADAPTER_ARITHMETIC_DEFAULTS as D,
  COMBINATION_TYPES,
  MAX_NEW_TOKENS,
  type AdapterArithmeticResult,
  type AdapterArithmeticSettings,
  type CombinationType,
} from '../../demos/index';
import { ROW_NAMES, TASK_NAMES, arithmeticFigure } from '../charts/beyond-lora';
import type { DownloadSource } from '../demo-kit/downloads';
import type { View } from '../demo-kit/view';
import { int, num, oneOf, seed, textLine, view } from '../demo-kit/params';
import { defineDemo } from '../demo-kit/spec';

const COMBINATION_LABEL: Record<CombinationType, string> = {
  linear: 'linear (A’s and B’s summed)',
  cat: 'cat (ranks stacked: exact sum)',
  svd: 'svd (sum, truncated)',
  ties: 'ties (trim, elect sign, merge)',
  magnitude_prune: 'magnitude_prune',
};
type Shown = 'combined' | 'base' | 'devil' | 'sotu';

const params = {
  combination: oneOf<CombinationType>('Combination', D.combination, COMBINATION_TYPES.map((c) => ({ value: c, label: COMBINATION_LABEL[c] }))),
  wDevil: num("Weight of the Devil's Dictionary adapter", D.weights[0], -10, 10),
  wSotu: num('Weight of the State of the Union adapter', D.weights[1], -10, 10),
  density: num('Density (ties, magnitude_prune)', D.density, 0, 1, true, 'The fraction of each A and B kept'),
  svdRank: int('svd rank', D.svdRank, 1, 128, 'The rank of the svd result'),
  prompt: textLine('Prompt', D.prompt, 200),
  sampleLength: int('Continuation', D.sampleLength, 1, MAX_NEW_TOKENS, 'Characters each model adds'),
  seed: seed(D.seed),
  shown: view<Shown>('Continuation shown', 'combined', (['combined', 'base', 'devil', 'sotu'] as const).map((v) => ({ value: v, label: ROW_NAMES[v]! }))),
};

export function arithmeticView(r: AdapterArithmeticResult, shown: Shown = 'combined'): View {
  const s = r.settings;
  const c = r.combined;
  const extra = s.combination === 'svd' ? ` · svd rank ${s.svdRank}` : s.combination === 'ties' || s.combination === 'magnitude_prune' ? ` · density ${s.density}` : '';
  const pick = r.rows.find((row) => row.adapter === shown) ?? r.rows[r.rows.length - 1];
  const printout = [
    `${s.combination} · weights ${s.weights.join(', ')}${extra} → r = lora_alpha = ${c.rank}, scale ${c.scaling}`,
    `‖ΔW_combined − Σ wᵢ·ΔWᵢ‖ / ‖Σ wᵢ·ΔWᵢ‖ = ${c.relativeDeviation.toExponential(2)} (over every adapted module)`,
    '',
    ...(pick ? [`${ROW_NAMES[pick.adapter] ?? pick.adapter}:`, s.prompt + pick.sample] : []),
  ].join('\n');
  return {
    panels: arithmeticFigure(r),
    printout,
    tables: [{
      caption: 'Held-out loss (nats per character) on each task: the base model, each task adapter alone, and their combination',
      head: ['Weights', ...r.tasks.map((t) => TASK_NAMES[t] ?? t)],
      rows: r.rows.map((row) => [ROW_NAMES[row.adapter] ?? row.adapter, ...row.valLoss.map((v) => v.toFixed(3))]),
    }],
  };
}

const bytesOf = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));

function downloads(r: AdapterArithmeticResult): DownloadSource[] {
  const c = r.combined;
  if (!c.safetensors) return [];
  return [
    { label: 'Combined adapter (PEFT) · adapter_config.json', filename: 'adapter_config.json', make: () => new Blob([c.config], { type: 'application/json' }) },
    { label: 'Combined adapter (PEFT) · adapter_model.safetensors', filename: 'adapter_model.safetensors', make: () => new Blob([bytesOf(c.safetensors)], { type: 'application/octet-stream' }) },
  ];
}

const ROOT = import.meta.env.BASE_URL;

export const spec = defineDemo({
  id: 'adapter-arithmetic',
  experiment: 'adapterArithmetic',
  defaultsFrom: 'chapter',
  params,
  presets: [
    { id: 'cat', label: 'cat: the exact sum', values: { combination: 'cat' } },
    { id: 'svd4', label: 'svd at rank 4', values: { combination: 'svd', svdRank: 4 } },
    { id: 'ties', label: 'ties at density 0.3', values: { combination: 'ties', density: 0.3 } },
    { id: 'negate', label: 'Subtract the State of the Union', values: { combination: 'cat', wSotu: -1 } },
  ],
  controlFor: { weights: 'wDevil' },
  check: (v) => (v.prompt.length === 0 ? { prompt: 'Type a prompt to continue (at least one character).' } : {}),
  settings: (v): Partial<AdapterArithmeticSettings> => ({
    combination: v.combination,
    weights: [v.wDevil, v.wSotu],
    density: v.density,
    svdRank: v.svdRank,
    prompt: v.prompt,
    sampleLength: v.sampleLength,
    seed: v.seed,
    root: ROOT,
  }),
  view: (r, v) => arithmeticView(r, v.shown),
  runButtons: true,
  autoRun: false,
  downloads,
});
