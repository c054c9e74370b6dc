/**
 * Chapter 8's numbers, computed when the site is built (never typed into the prose): the model's
 * counts by the engine's chapterNumbers from the committed config, the pretraining figures from
 * its log (written by `npm run pretrain`), the default run's from the committed run the demo's
 * no-JavaScript figure shows (demos/lm/results/default-run.json), and full fine-tuning's from the
 * committed run beside it (demos/lm/results/full-run.json, `npx tsx scripts/lm/default-run.ts --full`:
 * same data, steps, batch and seed, every weight trained at its own learning rate). Read once per build.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LANGUAGE_MODEL_DEFAULTS as D,
  LANGUAGE_MODEL_FILES,
  SAVINGS_MODELS,
  TARGET_MODULES,
  adapterParameterCount,
  chapterNumbers,
  languageModelBuildResult,
  parseModel,
  savingsTable,
  type ChapterNumbers,
  type LlamaConfig,
  type LoraSpec,
  type SavingsTable,
} from '../../../demos/index';

const PUBLIC = join(process.cwd(), 'public');

interface TrainingLog {
  args: { steps: string; eval_batches: string };
  seconds: number;
  log: { step: number; val: number; devil_val: number }[];
}

export interface LmFacts {
  config: LlamaConfig;
  vocab: number;
  numbers: ChapterNumbers;
  spec: LoraSpec;
  pretrain: { steps: number; seconds: number; valLoss: number; devilLoss: number; evalBatches: number };
  run: { steps: number; lossBefore: number; lossAfter: number; tokensPerSecond: number; stateBytes: number };
  /** The committed full fine-tuning run: its rate, held-out losses, and how far LoRA's fell beside it. */
  fullRun: { lr: number; steps: number; lossBefore: number; lossAfter: number; trainable: number; loraShareOfFall: number };
  /** Chapter 6's table for this model and the 7B one: q and v adapted, the demo's rank. */
  savings: SavingsTable[];
  /** The base model's files under public/, with their sizes in bytes. */
  files: { path: string; bytes: number }[];
  /** What the demo fetches on its first run: the model's three files and the two texts. */
  downloadBytes: number;
  /** LoRA on all seven module kinds at the demo's rank. */
  allModules: number;
}

interface FullRun {
  options: { lr: number };
  frame: { step: number; trainableParameters: number; valLosses: { step: number; loss: number }[] };
}

let facts: Promise<LmFacts> | undefined;

export function lmFacts(): Promise<LmFacts> {
  facts ??= (async () => {
    const dir = join(PUBLIC, LANGUAGE_MODEL_FILES.modelDir);
    const read = (f: string) => readFileSync(join(dir, f));
    const model = parseModel(read('config.json').toString('utf8'), new Uint8Array(read('model.safetensors')), read('vocab.json').toString('utf8'));
    const spec: LoraSpec = { targets: [...D.targets], rank: D.rank, alpha: D.alpha, useRslora: D.scalingRule === 'alpha/sqrt(r)' };
    const log = JSON.parse(read('training_log.json').toString('utf8')) as TrainingLog;
    const last = log.log[log.log.length - 1]!;
    const run = (await languageModelBuildResult()).frame;
    const full = JSON.parse(readFileSync(join(process.cwd(), 'demos/lm/results/full-run.json'), 'utf8')) as FullRun;
    const held = (f: FullRun['frame']) => ({ before: f.valLosses[0]!.loss, after: f.valLosses[f.valLosses.length - 1]!.loss });
    const fh = held(full.frame);
    const lh = held(run);
    // Chapter 3's test of "comparable": how far LoRA's held-out loss fell, as a share of how far
    // full fine-tuning's fell from the same base model.
    const loraShareOfFall = (lh.before - lh.after) / (fh.before - fh.after);
    const c = model.config;
    return {
      config: c,
      vocab: model.vocab.length,
      numbers: chapterNumbers(c, spec),
      spec,
      pretrain: { steps: Number(log.args.steps), seconds: log.seconds, valLoss: last.val, devilLoss: last.devil_val, evalBatches: Number(log.args.eval_batches) },
      fullRun: { lr: full.options.lr, steps: full.frame.step, lossBefore: fh.before, lossAfter: fh.after, trainable: full.frame.trainableParameters, loraShareOfFall },
      run: { steps: run.step, lossBefore: run.valLosses[0]!.loss, lossAfter: run.valLosses[run.valLosses.length - 1]!.loss, tokensPerSecond: run.tokensPerSecond, stateBytes: run.trainingStateBytes },
      savings: savingsTable(
        [{ name: 'This chapter’s model', dModel: c.hiddenSize, layers: c.numLayers, matricesPerLayer: spec.targets.length }, SAVINGS_MODELS[0]!],
        [spec.rank],
      ),
      files: [...LANGUAGE_MODEL_FILES.model, 'README.md'].map((f) => ({ path: `${LANGUAGE_MODEL_FILES.modelDir}/${f}`, bytes: read(f).length })),
      downloadBytes:
        LANGUAGE_MODEL_FILES.model.reduce((s, f) => s + read(f).length, 0) +
        // The page loads every task's texts with the model (the switch compares adapters on all of them).
        Object.values(LANGUAGE_MODEL_FILES.tasks)
          .flatMap((t) => [t.train, t.val])
          .reduce((s, p) => s + readFileSync(join(PUBLIC, p)).length, 0),
      allModules: adapterParameterCount(c, { ...spec, targets: [...TARGET_MODULES] }),
    };
  })();
  return facts;
}

const count = (n: number) => Math.round(n).toLocaleString('en');
const bytes = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${(n / 1e3).toFixed(0)} kB`);

/** The value of `<LmNumber name="…" />` as the prose shows it; an unknown name fails the build. */
export function lmNumber(f: LmFacts, name: string): string {
  const n = f.numbers;
  const values: Record<string, () => string> = {
    vocab: () => String(f.vocab),
    uniformLoss: () => Math.log(f.vocab).toFixed(2),
    layers: () => String(f.config.numLayers),
    width: () => String(f.config.hiddenSize),
    heads: () => String(f.config.numHeads),
    headDim: () => String(f.config.hiddenSize / f.config.numHeads),
    ropeTheta: () => count(f.config.ropeTheta),
    mlpWidth: () => String(f.config.intermediateSize),
    context: () => String(f.config.maxPositions),
    parameters: () => count(n.parameters),
    perLayer: () => count(n.perLayer),
    embedding: () => count(n.embedding),
    'parameters.millions': () => (n.parameters / 1e6).toFixed(1),
    'lora.rank': () => String(f.spec.rank),
    'lora.trainable': () => count(n.lora.trainable),
    'all.trainable': () => count(f.allModules),
    'all.percent': () => `${((100 * f.allModules) / n.parameters).toFixed(1)} %`,
    ratio7b: () => String(SAVINGS_MODELS[0]!.dModel / f.config.hiddenSize),
    'lora.percent': () => `${(100 * n.lora.fractionOfModel).toFixed(1)} %`,
    'lora.bytes': () => bytes(n.lora.adapterBytes),
    'full.stateBytes': () => bytes(n.full.trainingStateBytes),
    'lora.stateBytes': () => bytes(f.run.stateBytes),
    'lora.lr': () => String(D.lr),
    'frozen.bytes': () => bytes(4 * n.parameters),
    'fullRun.lr': () => String(f.fullRun.lr),
    'fullRun.steps': () => count(f.fullRun.steps),
    'fullRun.lossAfter': () => f.fullRun.lossAfter.toFixed(2),
    'fullRun.trainable': () => count(f.fullRun.trainable),
    'fullRun.loraShare': () => `${Math.round(100 * f.fullRun.loraShareOfFall)} %`,
    'pretrain.steps': () => count(f.pretrain.steps),
    'pretrain.minutes': () => String(Math.round(f.pretrain.seconds / 60)),
    'pretrain.valLoss': () => f.pretrain.valLoss.toFixed(2),
    'pretrain.devilLoss': () => f.pretrain.devilLoss.toFixed(2),
    'pretrain.evalBatches': () => count(f.pretrain.evalBatches),
    'run.steps': () => count(f.run.steps),
    'run.lossBefore': () => f.run.lossBefore.toFixed(2),
    'run.lossAfter': () => f.run.lossAfter.toFixed(2),
    'run.tokensPerSecond': () => count(f.run.tokensPerSecond),
    'run.valWindows': () => String(D.valWindows),
    'model.megabytes': () => (f.downloadBytes / 1e6).toFixed(1),
  };
  const v = values[name];
  if (!v) throw new Error(`<LmNumber name="${name}">: unknown; use one of ${Object.keys(values).join(', ')}.`);
  return v();
}
