/**
 * Chapter 10's merging lab: the two chapter-8 task adapters (The Devil's Dictionary and the State
 * of the Union, committed under public/adapters/task-*, written by scripts/lm/beyond-lora-run.ts)
 * combined by PEFT's `add_weighted_adapter` (demos/lm/variants/combine.ts: linear, cat, svd, ties,
 * magnitude_prune) at the reader's weights, density and svd rank; then the base, each adapter and
 * the combination evaluated on both tasks' held-out text and continuing the prompt.
 *
 * The combination is plain TypeScript (milliseconds); the evaluation runs on the engine. The base
 * and the two inputs' rows depend only on the prompt and sampling settings, so they are computed
 * once per page and reused while the reader tries combinations.
 */
import { SettingError, throwIfAborted } from '../errors';
import { writeSafetensors } from '../export/safetensors';
import { readPeftAdapter as readAnyPeftAdapter, type PeftAdapter } from '../peft/index';
import { LM_TASKS, type LmTask } from '../lm/files';
import type { Adapter, LanguageModel } from '../lm/model';
import type { CombinedAdapter } from '../lm/variants/combine';
import type { Engine } from '../types';
import { runClock } from './clock';
import { ADAPTER_ARITHMETIC_DEFAULTS } from './defaults';
import { base64, fetchFiles, loadLanguageModel } from './language-model';
import type { AdapterArithmeticResult, AdapterArithmeticRow, AdapterArithmeticSettings, ExperimentOptions } from './types';

/** The committed task adapters, by task, under the site's root. */
export const TASK_ADAPTER_DIRS: Record<LmTask, string> = { devil: 'adapters/task-devil', sotu: 'adapters/task-sotu' };

/** The combined adapter's two files, as `lm:combine` writes them. */
export function combinedFiles(c: CombinedAdapter): { config: string; safetensors: Uint8Array } {
  const tensors = [...c.modules].flatMap(([path, { a, b, magnitude }]) => [
    { name: `base_model.model.${path}.lora_A.weight`, shape: a.shape, data: a.data },
    { name: `base_model.model.${path}.lora_B.weight`, shape: b.shape, data: b.data },
    ...(magnitude ? [{ name: `base_model.model.${path}.lora_magnitude_vector`, shape: magnitude.shape, data: magnitude.data }] : []),
  ]);
  return { config: JSON.stringify(c.config, null, 2) + '\n', safetensors: writeSafetensors(tensors, { format: 'pt' }) };
}

/** The reader's adapter read twice: as PEFT files (for combining) and as the engine's adapter for this base (for evaluating). */
function readOwn(
  own: NonNullable<AdapterArithmeticSettings['own']>,
  model: LanguageModel,
  readForModel: (configJson: string, safetensors: Uint8Array, config?: LanguageModel['config']) => Adapter,
): { peft: PeftAdapter; adapter: Adapter; description: string } {
  const bytes = Uint8Array.from(atob(own.safetensors), (c) => c.charCodeAt(0));
  const adapter = readForModel(own.config, bytes, model.config);
  const peft = readAnyPeftAdapter(own.config, bytes);
  const sp = adapter.spec;
  if (sp.init === 'pissa') {
    throw new SettingError('adapter', 'This adapter was saved with init_lora_weights="pissa" and no conversion: it applies only to the residual base PEFT rebuilds when loading it, and cannot be combined with adapters for the original base. Save it with path_initial_model_for_weight_conversion (a rank-2r adapter for the original base), or evaluate it with npm run lm:eval.');
  }
  const ranks = [...new Set(peft.modules.map((m) => m.rank))];
  const dtypes = [...new Set(peft.modules.map((m) => m.dtype))];
  const description = [
    `${peft.modules.length} modules (${sp.targets.join(', ')})`,
    `r = ${ranks.join('/')}, α = ${sp.alpha}${sp.useRslora ? ', rsLoRA (α/√r)' : ''}${sp.useDora ? ', DoRA' : ''}${sp.rankPattern || sp.alphaPattern ? ', rank/alpha patterns' : ''}`,
    dtypes.join('/'),
  ].join(' · ');
  return { peft, adapter, description };
}

/** The rows that do not depend on the combination, per model and sampling settings. */
const fixedRows = new WeakMap<LanguageModel, Map<string, Promise<AdapterArithmeticRow[]>>>();

export async function adapterArithmetic(
  engine: Engine,
  settings: Partial<AdapterArithmeticSettings> = {},
  opts: ExperimentOptions<never> = {},
): Promise<AdapterArithmeticResult> {
  const s: AdapterArithmeticSettings = { ...ADAPTER_ARITHMETIC_DEFAULTS, ...settings };
  const clock = runClock(engine);
  throwIfAborted(opts.signal);
  const { model, texts, lm, lmIndex } = await loadLanguageModel(engine, s.root, opts, () => {});
  const { encode, evaluateLoss, continuePrompt, combineAdapters, linearModulePaths, combinedDelta, readPeftAdapter, mergedLogitsDifference } = lmIndex;
  encode(model, s.prompt); // a character outside the vocabulary fails before anything runs
  const files = opts.files ?? fetchFiles(s.root);
  const dec = (b: Uint8Array) => new TextDecoder().decode(b);
  const inputs = await Promise.all(
    LM_TASKS.map(async (t) => {
      const dir = TASK_ADAPTER_DIRS[t];
      const [config, weights] = await Promise.all([files.read(`${dir}/adapter_config.json`, undefined, opts.signal), files.read(`${dir}/adapter_model.safetensors`, undefined, opts.signal)]);
      return { task: t, configText: dec(config), weights, peft: readAnyPeftAdapter(dec(config), weights) };
    }),
  );

  // The reader's adapter: read for this base (a clear SettingError('adapter') for what cannot be
  // applied: another base's shapes, embedding LoRA, other PEFT types), then combined first.
  const own = s.own ? readOwn(s.own, model, readPeftAdapter) : undefined;
  const partner = s.ownPartner ?? 'devil';
  const combineInputs = own
    ? [{ name: s.own!.name, adapter: own.peft }, { name: TASK_ADAPTER_DIRS[partner], adapter: inputs.find((x) => x.task === partner)!.peft }]
    : inputs.map((x) => ({ name: TASK_ADAPTER_DIRS[x.task], adapter: x.peft }));
  const weightedInputs = own ? [own.peft, inputs.find((x) => x.task === partner)!.peft] : inputs.map((x) => x.peft);

  // add_weighted_adapter, then the result read back exactly as a downloaded folder would be.
  const combined = combineAdapters(
    combineInputs,
    { combination: s.combination, weights: [...s.weights], density: s.density, svdRank: s.svdRank, baseWeight: (p) => model.weights.get(`${p}.weight`)! },
    linearModulePaths(model.config),
  );
  const out = combinedFiles(combined);
  const combinedAdapter = readPeftAdapter(out.config, out.safetensors, model.config);

  // How far the combination's ΔW is from the weighted sum Σ wᵢ sᵢ BᵢAᵢ (0 for cat; svd's truncation; linear's cross terms).
  let num = 0;
  let den = 0;
  for (const path of combined.modules.keys()) {
    const d = combinedDelta(combined, path);
    const target = new Float64Array(d.length);
    weightedInputs.forEach((peft, i) => {
      const m = peft.modules.find((mm) => mm.name === path);
      if (!m) return;
      const [outDim, inp] = m.shape;
      const a = m.a();
      const b = m.b();
      const ws = s.weights[i]! * m.scaling;
      for (let o = 0; o < outDim; o++) for (let p = 0; p < m.rank; p++) {
        const v = ws * b[o * m.rank + p]!;
        if (v !== 0) for (let j = 0; j < inp; j++) target[o * inp + j]! += v * a[p * inp + j]!;
      }
    });
    for (let i = 0; i < d.length; i++) {
      num += (d[i]! - target[i]!) ** 2;
      den += target[i]! ** 2;
    }
  }

  const vals = LM_TASKS.map((t) => encode(model, texts[t].val));
  const sample = { maxNewTokens: s.sampleLength, temperature: s.temperature, seed: s.seed };
  const row = async (id: string, adapter?: Adapter): Promise<AdapterArithmeticRow> => {
    const valLoss: number[] = [];
    for (const v of vals) {
      throwIfAborted(opts.signal);
      valLoss.push(await evaluateLoss(lm, model, v, { windows: s.valWindows }, adapter));
    }
    throwIfAborted(opts.signal);
    return { adapter: id, valLoss, sample: await continuePrompt(lm, model, s.prompt, sample, adapter) };
  };
  let byKey = fixedRows.get(model);
  if (!byKey) fixedRows.set(model, (byKey = new Map()));
  const key = JSON.stringify([s.prompt, s.sampleLength, s.temperature, s.seed, s.valWindows, s.root]);
  let fixed = byKey.get(key);
  if (!fixed) {
    fixed = (async () => {
      const rows = [await row('base')];
      for (const x of inputs) rows.push(await row(x.task, readPeftAdapter(x.configText, x.weights, model.config)));
      return rows;
    })();
    byKey.set(key, fixed);
    fixed.catch(() => byKey.delete(key));
  }
  const rows = [...(await fixed)];
  let ownInfo: AdapterArithmeticResult['own'];
  if (own) {
    rows.push(await row('own', own.adapter));
    const ids = encode(model, texts[partner].val.slice(0, model.config.maxPositions));
    const { maxAbsDifference } = await mergedLogitsDifference(lm, model, own.adapter, ids);
    ownInfo = { name: s.own!.name, description: own.description, merge: { maxAbsDifference, positions: ids.length } };
  }
  rows.push(await row('combined', combinedAdapter));
  return {
    ...(ownInfo ? { own: ownInfo } : {}),
    settings: s,
    tasks: [...LM_TASKS],
    rows,
    combined: { rank: combined.rank, scaling: combined.scaling, relativeDeviation: den > 0 ? Math.sqrt(num / den) : 0, config: out.config, safetensors: base64(out.safetensors) },
    info: clock.done(),
  };
}

/** The committed default combination (scripts/lm/beyond-lora-run.ts): the figure before any JavaScript runs. */
export async function adapterArithmeticBuildResult(): Promise<AdapterArithmeticResult> {
  const run = (await import('../lm/results/arithmetic-run.json')).default as unknown as AdapterArithmeticResult;
  return { ...run, settings: { ...ADAPTER_ARITHMETIC_DEFAULTS, ...run.settings, root: ADAPTER_ARITHMETIC_DEFAULTS.root } };
}
