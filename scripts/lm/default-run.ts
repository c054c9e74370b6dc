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
import { LANGUAGE_MODEL_FILES, LM_DEFAULTS as D, LanguageModelEngine, PUBLIC_DIR, parseModel, runLanguageModelDemo, type LmDemoOptions } from '../../demos/lm/index';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** The demo's defaults (LM_DEFAULTS), as the run's options. */
export const DEFAULT_RUN_OPTIONS: Omit<LmDemoOptions, 'signal'> = {
  mode: { targets: [...D.targets], rank: D.rank, alpha: D.alpha, useRslora: D.scalingRule === 'alpha/sqrt(r)' },
  lr: D.lr, steps: D.steps, batch: D.batch, seed: D.seed,
  prompt: D.prompt, sampleLength: D.sampleLength, temperature: D.temperature, refreshEvery: D.refreshEvery, stepsPerRun: D.stepsPerRun, valWindows: D.valWindows,
};
const MODEL_DIR = join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir);
const TASK = LANGUAGE_MODEL_FILES.tasks[D.task];

/** Full fine-tuning's own rate (LM_DEFAULTS.fullLr): it moves every weight, so it takes smaller steps than LoRA. */
export const FULL_RUN_LR = D.fullLr;

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
  const dir = join(ROOT, MODEL_DIR);
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const texts = { train: readFileSync(join(ROOT, PUBLIC_DIR, TASK.train), 'utf8'), val: readFileSync(join(ROOT, PUBLIC_DIR, TASK.val), 'utf8') };
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const r = await runLanguageModelDemo(engine, model, texts, options, (f) => { process.stdout.write(`step ${f.step}\n`); });
  await engine.dispose();
  const { adapter: _a, model: _m, ...frame } = r;
  mkdirSync(join(ROOT, 'demos/lm/results'), { recursive: true });
  writeFileSync(join(ROOT, 'demos/lm/results', file), JSON.stringify({ options, model_dir: MODEL_DIR, frame }, null, 1) + '\n');
  console.log(`held-out ${frame.valLosses.map((v) => `${v.step}: ${v.loss.toFixed(3)}`).join(', ')}\nbase:    ${JSON.stringify(frame.baseSample)}\nadapted: ${JSON.stringify(frame.adaptedSample)}`);
}

// Run only as a script: the test imports the options without training.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
