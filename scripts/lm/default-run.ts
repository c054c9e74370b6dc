/**
 * The demo's default run, computed by the engine and committed for the page without JavaScript
 * (and the chapter's "what to expect" numbers): `npx tsx scripts/lm/default-run.ts` writes
 * demos/lm/results/default-run.json, an LmDemoFrame plus its settings. demos/lm/default-run.test.ts
 * re-runs the first steps and checks they reproduce it.
 *
 * `--full` trains every weight instead, on the same data, steps, batch and seed, at full fine-tuning's
 * own learning rate (FULL_RUN_LR, or `--lr X`), and writes demos/lm/results/full-run.json: the run
 * chapter 8 sets beside LoRA's to answer chapter 3's "comparable loss?" on real text
 * (src/components/lm/full-run.test.ts re-runs its first steps).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LM_DEMO_DEFAULTS, LanguageModelEngine, parseModel, runLanguageModelDemo, type LmDemoOptions } from '../../demos/lm/index';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const DEFAULT_RUN_OPTIONS: Omit<LmDemoOptions, 'signal'> = {
  mode: { targets: [...LM_DEMO_DEFAULTS.targets], rank: LM_DEMO_DEFAULTS.rank, alpha: LM_DEMO_DEFAULTS.alpha, useRslora: false },
  lr: LM_DEMO_DEFAULTS.lr, steps: 300, batch: LM_DEMO_DEFAULTS.batch, seed: LM_DEMO_DEFAULTS.seed,
  prompt: 'LOVE, n.  ', sampleLength: 120, temperature: 0.7, refreshEvery: 100, stepsPerRun: LM_DEMO_DEFAULTS.stepsPerRun, valWindows: 16,
};

/**
 * Full fine-tuning's rate: it moves every weight of the model, not a small update beside them, so it
 * takes smaller steps than LoRA's 3e-3 (a third of it).
 */
export const FULL_RUN_LR = 1e-3;

/** `--full [--lr X]`: the full fine-tuning run's options; otherwise the default (LoRA) run's. */
export function runOptions(argv: readonly string[]): { options: Omit<LmDemoOptions, 'signal'>; file: string } {
  if (!argv.includes('--full')) return { options: DEFAULT_RUN_OPTIONS, file: 'default-run.json' };
  const at = argv.indexOf('--lr');
  const lr = at >= 0 ? Number(argv[at + 1]) : FULL_RUN_LR;
  if (!(lr > 0 && Number.isFinite(lr))) throw new Error(`--lr must be a positive number, not ${argv[at + 1]}`);
  return { options: { ...DEFAULT_RUN_OPTIONS, mode: 'full', lr }, file: 'full-run.json' };
}

async function main(): Promise<void> {
  const { options, file } = runOptions(process.argv.slice(2));
  const dir = join(ROOT, 'public/models/austen-char-llama');
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const texts = { train: readFileSync(join(ROOT, 'public/corpora/devil-train.txt'), 'utf8'), val: readFileSync(join(ROOT, 'public/corpora/devil-val.txt'), 'utf8') };
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const r = await runLanguageModelDemo(engine, model, texts, options, (f) => { process.stdout.write(`step ${f.step}\n`); });
  await engine.dispose();
  const { adapter: _a, model: _m, ...frame } = r;
  mkdirSync(join(ROOT, 'demos/lm/results'), { recursive: true });
  writeFileSync(join(ROOT, 'demos/lm/results', file), JSON.stringify({ options, model_dir: 'public/models/austen-char-llama', frame }, null, 1) + '\n');
  console.log(`held-out ${frame.valLosses.map((v) => `${v.step}: ${v.loss.toFixed(3)}`).join(', ')}\nbase:    ${JSON.stringify(frame.baseSample)}\nadapted: ${JSON.stringify(frame.adaptedSample)}`);
}

// Run only as a script: the test imports the options without training.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
