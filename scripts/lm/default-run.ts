/**
 * The demo's default run, computed by the engine and committed for the page without JavaScript
 * (and the chapter's "what to expect" numbers): `npx tsx scripts/lm/default-run.ts` writes
 * demos/lm/results/default-run.json, an LmDemoFrame plus its settings. demos/lm/default-run.test.ts
 * re-runs the first steps and checks they reproduce it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LM_DEMO_DEFAULTS, LanguageModelEngine, parseModel, runLanguageModelDemo, type LmDemoOptions } from '../../demos/lm/index';

const ROOT = resolve(import.meta.dirname, '..', '..');
export const DEFAULT_RUN_OPTIONS: Omit<LmDemoOptions, 'signal'> = {
  mode: { targets: [...LM_DEMO_DEFAULTS.targets], rank: LM_DEMO_DEFAULTS.rank, alpha: LM_DEMO_DEFAULTS.alpha, useRslora: false },
  lr: LM_DEMO_DEFAULTS.lr, steps: 300, batch: LM_DEMO_DEFAULTS.batch, seed: LM_DEMO_DEFAULTS.seed,
  prompt: 'LOVE, n.  ', sampleLength: 120, temperature: 0.7, refreshEvery: 100, stepsPerRun: LM_DEMO_DEFAULTS.stepsPerRun, valWindows: 16,
};

async function main(): Promise<void> {
  const dir = join(ROOT, 'public/models/austen-char-llama');
  const model = parseModel(readFileSync(join(dir, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'model.safetensors'))), readFileSync(join(dir, 'vocab.json'), 'utf8'));
  const texts = { train: readFileSync(join(ROOT, 'public/corpora/devil-train.txt'), 'utf8'), val: readFileSync(join(ROOT, 'public/corpora/devil-val.txt'), 'utf8') };
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const r = await runLanguageModelDemo(engine, model, texts, DEFAULT_RUN_OPTIONS, (f) => { process.stdout.write(`step ${f.step}\n`); });
  await engine.dispose();
  const { adapter: _a, model: _m, ...frame } = r;
  mkdirSync(join(ROOT, 'demos/lm/results'), { recursive: true });
  writeFileSync(join(ROOT, 'demos/lm/results/default-run.json'), JSON.stringify({ options: DEFAULT_RUN_OPTIONS, model_dir: 'public/models/austen-char-llama', frame }, null, 1) + '\n');
  console.log(`held-out ${frame.valLosses.map((v) => `${v.step}: ${v.loss.toFixed(3)}`).join(', ')}\nbase:    ${JSON.stringify(frame.baseSample)}\nadapted: ${JSON.stringify(frame.adaptedSample)}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
