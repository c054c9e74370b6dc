/**
 * Every demo setting that lives in the URL, declared once (tensorflow/playground's state.ts idea).
 *
 * The table below both reads and writes the query string. Keys are namespaced by demo so
 * several demos on one page never collide: `?training.rank=8&training.optimizer=adam`.
 * Values equal to the default are left out of the URL, so a plain chapter link means
 * "the notebook's settings". The page-wide backend choice is the one key without a namespace.
 *
 * Validation here is about the form of a value (a number, a whole number, in range); what only
 * the engine knows (e.g. a rank above min(d, k) for a given shape) comes back as the engine's
 * message and is shown next to the same control.
 */
import type { Backend, Optimizer } from '../../demos/types';
import type { AdapterChoice, ScalingRule } from '../../demos/experiments/types';

export type SavingsModelChoice = 'notebook' | '7b' | '13b' | '70b' | 'custom';
export type DemoId = 'lowrank' | 'implementation' | 'training' | 'merging' | 'rank' | 'adapters' | 'savings';
export const DEMO_IDS: readonly DemoId[] = ['lowrank', 'implementation', 'training', 'merging', 'rank', 'adapters', 'savings'];

interface ParamBase<T> {
  /** The control's label, in the reader's words. */
  label: string;
  default: T;
  /** A line under the control. */
  help?: string;
  /** Changes only the picture, not the computation: no rerun. */
  display?: boolean;
}
export interface IntParam extends ParamBase<number> {
  kind: 'int';
  min: number;
  max: number;
}
export interface NumberParam extends ParamBase<number> {
  kind: 'number';
  min: number;
  max: number;
  /** The value must be strictly greater than `min` (a learning rate, α). */
  exclusiveMin?: boolean;
}
export interface EnumOption<T extends string> {
  value: T;
  label: string;
  /** How the value is spelled in the URL, when the value itself reads badly there. */
  token?: string;
}
export interface EnumParam<T extends string = string> extends ParamBase<T> {
  kind: 'enum';
  options: readonly EnumOption<T>[];
  /** Radio buttons instead of a drop-down (a picker the reader flips between). */
  radio?: boolean;
}
export interface IntListParam extends ParamBase<number[]> {
  kind: 'intList';
  min: number;
  max: number;
  maxLength: number;
}
export type Param = IntParam | NumberParam | EnumParam | IntListParam;

export type ParamValue<P> = P extends EnumParam<infer T> ? T : P extends IntListParam ? number[] : number;

const int = (label: string, def: number, min: number, max: number, help?: string): IntParam => ({ kind: 'int', label, default: def, min, max, help });
const num = (label: string, def: number, min: number, max: number, exclusiveMin = false, help?: string): NumberParam => ({
  kind: 'number',
  label,
  default: def,
  min,
  max,
  exclusiveMin,
  help,
});
const oneOf = <T extends string>(label: string, def: T, options: readonly EnumOption<T>[], help?: string): EnumParam<T> => ({
  kind: 'enum',
  label,
  default: def,
  options,
  help,
});
const intList = (label: string, def: number[], min: number, max: number, maxLength: number, help?: string): IntListParam => ({
  kind: 'intList',
  label,
  default: def,
  min,
  max,
  maxLength,
  help,
});

const SEED_MAX = 2 ** 32 - 1;
const seed = () => int('Seed', 42, 0, SEED_MAX, 'torch.manual_seed(seed)');
const optimizer = () =>
  oneOf<Optimizer>('Optimizer', 'sgd', [
    { value: 'sgd', label: 'SGD' },
    { value: 'adam', label: 'Adam' },
  ]);
const scalingRule = () =>
  oneOf<ScalingRule>('Scaling', 'alpha/r', [
    { value: 'alpha/r', label: 'α/r (LoRA)', token: 'r' },
    { value: 'alpha/sqrt(r)', label: 'α/√r (rsLoRA)', token: 'sqrt' },
  ]);
const alpha = () => num('α', 8, 0, 1e4, true);
const lr = () => num('Learning rate', 0.01, 0, 10, true);
const epochs = (max = 5000) => int('Epochs', 100, 1, max);

/** §3 and §4 train the same way: the notebook's training cell, as parameters. */
const trainingParams = () => ({
  rank: int('Rank r', 4, 1, 32),
  lr: lr(),
  epochs: epochs(),
  optimizer: optimizer(),
  scalingRule: scalingRule(),
  alpha: alpha(),
  seed: seed(),
});

/** The table: every URL parameter of every demo, with its default (the notebook's value). */
export const STATE = {
  lowrank: {
    trueRank: int('True rank', 4, 1, 256),
    noise: num('Noise', 0.001, 0, 10),
    size: int('Size d = k', 64, 2, 256),
    seed: seed(),
  },
  implementation: {
    rank: int('Rank r', 4, 1, 256),
    alpha: alpha(),
    dIn: int('d_in', 64, 1, 256),
    dOut: int('d_out', 64, 1, 256),
    scalingRule: scalingRule(),
    seed: seed(),
  },
  training: trainingParams(),
  merging: {
    ...trainingParams(),
    view: {
      ...oneOf<'separate' | 'merged'>('Weights', 'separate', [
        { value: 'separate', label: 'Separate: W₀x + s·B·A·x' },
        { value: 'merged', label: 'Merged: (W₀ + s·B·A)x' },
      ]),
      radio: true,
      display: true,
    },
  },
  rank: {
    ranks: intList('Ranks', [1, 2, 4, 8, 16, 32], 1, 32, 8, 'Comma-separated, e.g. 1, 2, 4, 8; run in increasing order, each once'),
    optimizer: optimizer(),
    lr: lr(),
    epochs: epochs(2000),
    scalingRule: scalingRule(),
    alpha: alpha(),
    seed: seed(),
  },
  adapters: {
    adapter: {
      ...oneOf<AdapterChoice>('Adapter', 'taskA', [
        { value: 'none', label: 'None (base model)' },
        { value: 'taskA', label: 'Task A' },
        { value: 'taskB', label: 'Task B' },
      ]),
      radio: true,
      display: true,
    },
    rank: int('Rank r', 4, 1, 32),
    alpha: alpha(),
    seed: seed(),
  },
  savings: {
    model: oneOf<SavingsModelChoice>('Model', 'notebook', [
      { value: 'notebook', label: 'The notebook’s three models' },
      { value: '7b', label: '7B (LLaMA)' },
      { value: '13b', label: '13B' },
      { value: '70b', label: '70B' },
      { value: 'custom', label: 'Custom' },
    ]),
    dModel: int('d_model', 4096, 1, 65536, 'Used by Custom'),
    layers: int('Layers', 32, 1, 1000, 'Used by Custom'),
    matrices: int('Adapted matrices per layer', 2, 1, 16, 'Used by Custom (Q and V: 2)'),
    ranks: intList('Ranks', [4, 8, 16, 64], 1, 65536, 8, 'Comma-separated, e.g. 4, 8, 16, 64; shown in increasing order, each once'),
  },
} as const satisfies Record<DemoId, Record<string, Param>>;

/** The page-wide parameters (no namespace). */
export const PAGE = {
  backend: oneOf<Backend | 'auto'>('Backend', 'auto', [
    { value: 'auto', label: 'Auto' },
    { value: 'webgpu', label: 'WebGPU' },
    { value: 'wasm', label: 'WASM' },
  ]),
} as const;

export type Table<D extends DemoId> = (typeof STATE)[D];
export type Values<D extends DemoId> = { -readonly [K in keyof Table<D>]: ParamValue<Table<D>[K]> };
export type Errors<D extends DemoId> = Partial<Record<keyof Table<D>, string>>;

/** Cross-parameter checks, after each value passed its own. */
const CONSTRAINTS: { [D in DemoId]?: (v: Values<D>) => Errors<D> } = {
  lowrank: (v) => (v.trueRank > v.size ? { trueRank: `The true rank (${v.trueRank}) cannot exceed the size d = k = ${v.size}.` } : {}),
  implementation: (v) =>
    v.rank > Math.min(v.dIn, v.dOut)
      ? { rank: `The rank r = ${v.rank} must be at most min(d_in, d_out) = ${Math.min(v.dIn, v.dOut)}.` }
      : {},
  // A rank above d_model is not a low-rank update any more (and no model preset is that narrow).
  savings: (v) => {
    // The presets' widths (demos/experiments SAVINGS_MODELS); 'notebook' shows all three.
    const width = { notebook: 4096, '7b': 4096, '13b': 5120, '70b': 8192, custom: v.dModel }[v.model];
    const over = v.ranks.filter((r) => r > width);
    return over.length
      ? { ranks: `Every rank must be at most d_model = ${width}; ${over.join(', ')} ${over.length > 1 ? 'are' : 'is'} larger.` }
      : {};
  },
};

/** The notebook's values for one demo. */
export function defaults<D extends DemoId>(demo: D): Values<D> {
  const out: Record<string, unknown> = {};
  for (const [k, p] of Object.entries(STATE[demo]) as [string, Param][]) out[k] = Array.isArray(p.default) ? [...p.default] : p.default;
  return out as Values<D>;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function parseNumber(raw: string): number | undefined {
  const s = raw.trim();
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal and scientific notation only.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/** Parse one value from its text (a control's value or a URL parameter). */
export function parseParam<P extends Param>(p: P, raw: string): Parsed<ParamValue<P>> {
  const ok = (value: unknown) => ({ ok: true as const, value: value as ParamValue<P> });
  const fail = (message: string) => ({ ok: false as const, message });
  switch (p.kind) {
    case 'enum': {
      const o = p.options.find((o) => o.value === raw || o.token === raw);
      return o ? ok(o.value) : fail(`${p.label}: “${raw}” is not one of ${p.options.map((o) => o.label).join(', ')}.`);
    }
    case 'int': {
      const n = parseNumber(raw);
      if (n === undefined) return fail(`${p.label} must be a whole number from ${p.min} to ${p.max}; “${raw}” is not a number.`);
      if (!Number.isInteger(n) || n < p.min || n > p.max) return fail(`${p.label} must be a whole number from ${p.min} to ${p.max}, not ${n}.`);
      return ok(n);
    }
    case 'number': {
      const n = parseNumber(raw);
      const range = p.exclusiveMin ? `greater than ${p.min} and at most ${p.max}` : `from ${p.min} to ${p.max}`;
      if (n === undefined) return fail(`${p.label} must be a number ${range}; “${raw}” is not a number.`);
      if ((p.exclusiveMin ? n <= p.min : n < p.min) || n > p.max) return fail(`${p.label} must be ${range}, not ${n}.`);
      return ok(n);
    }
    case 'intList': {
      const parts = raw.split(/[\s,;]+/).filter(Boolean);
      if (parts.length === 0) return fail(`${p.label}: give at least one whole number from ${p.min} to ${p.max}.`);
      if (parts.length > p.maxLength) return fail(`${p.label}: at most ${p.maxLength} values, not ${parts.length}.`);
      const values: number[] = [];
      for (const s of parts) {
        const n = parseNumber(s);
        if (n === undefined || !Number.isInteger(n) || n < p.min || n > p.max) {
          return fail(`${p.label}: “${s}” is not a whole number from ${p.min} to ${p.max}.`);
        }
        if (!values.includes(n)) values.push(n);
      }
      return ok(values.sort((a, b) => a - b));
    }
  }
}

/** The text of a value, for a control and for the URL. */
export function formatParam<P extends Param>(p: P, value: ParamValue<P>, forUrl = false): string {
  if (p.kind === 'enum') {
    const o = p.options.find((o) => o.value === value);
    return forUrl && o?.token ? o.token : String(value);
  }
  if (p.kind === 'intList') return (value as number[]).join(forUrl ? ',' : ', ');
  return String(value);
}

const same = (a: unknown, b: unknown) => (Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b);

export const urlKey = (demo: DemoId, key: string) => `${demo}.${key}`;

/** Read one demo's settings from a query string. Invalid values fall back to the default, with a message. */
export function readState<D extends DemoId>(demo: D, query: URLSearchParams | string): { values: Values<D>; errors: Errors<D> } {
  const q = typeof query === 'string' ? new URLSearchParams(query) : query;
  const values = defaults(demo) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  for (const [k, p] of Object.entries(STATE[demo]) as [string, Param][]) {
    const raw = q.get(urlKey(demo, k));
    if (raw === null) continue;
    const r = parseParam(p, raw);
    if (r.ok) values[k] = r.value;
    else errors[k] = r.message;
  }
  const cross = validate(demo, values as Values<D>);
  for (const [k, m] of Object.entries(cross)) {
    errors[k] = m as string;
    values[k] = (STATE[demo] as Record<string, Param>)[k]!.default;
  }
  // The default of one value can still conflict with another (size 2, true rank 3 → 4 > 2):
  // then the whole demo starts from the notebook's settings; the messages say why.
  if (Object.keys(validate(demo, values as Values<D>)).length) return { values: defaults(demo), errors: errors as Errors<D> };
  return { values: values as Values<D>, errors: errors as Errors<D> };
}

/** The cross-parameter checks for a complete set of values. */
export function validate<D extends DemoId>(demo: D, values: Values<D>): Errors<D> {
  const check = CONSTRAINTS[demo] as ((v: Values<D>) => Errors<D>) | undefined;
  return check ? check(values) : {};
}

/** Write one demo's settings into a query string (in place; returns it). Defaults are removed. */
export function writeState<D extends DemoId>(demo: D, values: Values<D>, query: URLSearchParams = new URLSearchParams()): URLSearchParams {
  for (const [k, p] of Object.entries(STATE[demo]) as [string, Param][]) {
    const v = (values as Record<string, unknown>)[k];
    const key = urlKey(demo, k);
    if (v === undefined || same(v, p.default)) query.delete(key);
    else query.set(key, formatParam(p, v as never, true));
  }
  return query;
}

/** The page-wide backend choice from a query string ('auto' when absent or unknown). */
export function readBackend(query: URLSearchParams | string): Backend | 'auto' {
  const q = typeof query === 'string' ? new URLSearchParams(query) : query;
  const r = parseParam(PAGE.backend, q.get('backend') ?? 'auto');
  return r.ok ? r.value : 'auto';
}

export function writeBackend(backend: Backend | 'auto', query: URLSearchParams): URLSearchParams {
  if (backend === 'auto') query.delete('backend');
  else query.set('backend', backend);
  return query;
}

/** Named settings a reader can apply with one click. */
export interface Preset<D extends DemoId> {
  id: string;
  label: string;
  values: Partial<Values<D>>;
  /** Why this preset exists, in a sentence or two. */
  note?: string;
}

// The notes explain; they quote no results (every number on the page comes from a run).
const ADAM_NOTE =
  'The notebook trains with plain SGD at lr 0.01 for 100 epochs: LoRA starts from B = 0, so its gradient ' +
  'on A is zero at first, and with steps this small its loss barely moves while full fine-tuning pulls ' +
  'ahead. Adam rescales each step and reaches the low-rank target within a few hundred epochs.';
const RANK_NOTE =
  'With α fixed, the scaling α/r shrinks as r grows, so every rank trains at a different effective step ' +
  'size; under SGD that, not the rank, decides the ranking, which is why the notebook\'s sweep is not ' +
  'monotone. With Adam the sweep shows the real elbow at the true rank; α/√r (rsLoRA) is the published ' +
  'fix for the step-size effect.';

export const PRESETS: { [D in DemoId]: Preset<D>[] } = {
  lowrank: [{ id: 'notebook', label: 'Notebook settings', values: defaults('lowrank') }],
  implementation: [{ id: 'notebook', label: 'Notebook settings', values: defaults('implementation') }],
  training: [
    { id: 'notebook', label: 'Notebook settings', values: defaults('training') },
    { id: 'adam', label: 'Adam (lr 0.01, 300 epochs)', values: { optimizer: 'adam', lr: 0.01, epochs: 300 }, note: ADAM_NOTE },
  ],
  merging: [
    { id: 'notebook', label: 'Notebook settings', values: defaults('merging') },
    { id: 'adam', label: 'Adam (lr 0.01, 300 epochs)', values: { optimizer: 'adam', lr: 0.01, epochs: 300 }, note: ADAM_NOTE },
  ],
  rank: [
    { id: 'notebook', label: 'Notebook settings', values: defaults('rank') },
    { id: 'adam', label: 'Adam (lr 0.01, 300 epochs)', values: { optimizer: 'adam', lr: 0.01, epochs: 300 }, note: RANK_NOTE },
  ],
  adapters: [{ id: 'notebook', label: 'Notebook settings', values: defaults('adapters') }],
  savings: [{ id: 'notebook', label: 'Notebook settings', values: defaults('savings') }],
};
