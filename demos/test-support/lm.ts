/** Loading the committed model and the reference fixtures in Node tests (never in the site). */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Adapter, type LanguageModel, type LoraSpec, type TargetModule, moduleShape, modulePath, parseModel } from '../lm/model';

export const ROOT = join(import.meta.dirname, '..', '..');

export function loadModelDir(dir: string): LanguageModel {
  const d = resolve(ROOT, dir);
  return parseModel(readFileSync(join(d, 'config.json'), 'utf8'), new Uint8Array(readFileSync(join(d, 'model.safetensors'))), readFileSync(join(d, 'vocab.json'), 'utf8'));
}

export type FixtureAdapter = Record<string, { a: number[]; b: number[] }>;

export interface LoraFixture {
  targets: TargetModule[];
  rank: number;
  alpha: number;
  use_rslora: boolean;
  init: FixtureAdapter;
}

export interface Reference {
  model_dir: string;
  x: number[];
  y: number[];
  batch: number;
  context: number;
  base: { logits: number[]; loss: number };
  lora: LoraFixture & { logits: number[]; loss: number; grad: FixtureAdapter };
  train_adam: LoraFixture & { lr: number; steps: number; batch: number; losses: number[]; final: FixtureAdapter };
  train_sgd: LoraFixture & { lr: number; steps: number; batch: number; losses: number[]; final: FixtureAdapter };
}

export function loadReference(): Reference {
  return JSON.parse(readFileSync(join(import.meta.dirname, '..', 'lm', 'fixtures', 'reference.json'), 'utf8')) as Reference;
}

export const fixtureSpec = (f: LoraFixture): LoraSpec => ({ targets: f.targets, rank: f.rank, alpha: f.alpha, useRslora: f.use_rslora });

/** A fixture's adapter values in the engine's layout. */
export function fixtureAdapter(model: LanguageModel, f: LoraFixture, values: FixtureAdapter = f.init): Adapter {
  const spec = fixtureSpec(f);
  const modules = [];
  for (let i = 0; i < model.config.numLayers; i++) {
    for (const t of spec.targets) {
      const path = modulePath(i, t);
      const [out, inp] = moduleShape(model.config, t);
      const v = values[path]!;
      modules.push({ path, a: { shape: [spec.rank, inp], data: Float32Array.from(v.a) }, b: { shape: [out, spec.rank], data: Float32Array.from(v.b) } });
    }
  }
  return { spec, modules };
}

/** max |a − b| / max |b|: the relative error of a whole array. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}
