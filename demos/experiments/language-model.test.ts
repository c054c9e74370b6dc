// §8's experiment in Node: the site's files read from public/ through a FileSource, a short run
// reports loading, preparing and training frames in the result's shape, its adapter comes back
// as PEFT saves it, and the engine's input errors name the setting they are about.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingError } from '../errors';
import { readPeftAdapter } from '../lm/index';
import { ROOT } from '../test-support/lm';
import { createEngine } from '../index';
import type { Engine } from '../types';
import { LANGUAGE_MODEL_DEFAULTS } from './defaults';
import { LANGUAGE_MODEL_FILES, languageModelBuildResult, languageModelDemo } from './language-model';
import type { FileSource, LanguageModelProgress } from './types';

const disk: FileSource = {
  async read(path, onBytes) {
    const bytes = new Uint8Array(readFileSync(join(ROOT, 'public', path)));
    onBytes?.(bytes.length, bytes.length);
    return bytes;
  },
};
let engine: Engine;
beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
});
afterAll(() => engine.dispose());

describe('languageModelDemo', () => {
  it('trains, reporting frames, and returns the adapter as PEFT files', async () => {
    const seen: LanguageModelProgress[] = [];
    const r = await languageModelDemo(
      engine,
      { steps: 20, batch: 2, refreshEvery: 10, sampleLength: 16, valWindows: 2 },
      { files: disk, onProgress: (p) => seen.push(structuredClone(p)) },
    );
    const phases = seen.map((p) => p.phase);
    expect(phases[0]).toBe('loading');
    expect(phases).toContain('preparing');
    const training = seen.filter((p) => p.phase === 'training');
    expect(training.map((p) => p.steps)).toEqual([10, 20]);
    const loading = seen.filter((p) => p.phase === 'loading').at(-1)!;
    expect(loading.loaded).toBe(loading.total);
    expect(loading.total).toBeGreaterThan(3e6);
    expect(r.frame.done).toBe(true);
    expect(r.frame.trainLosses).toHaveLength(20);
    expect(r.frame.valLosses.map((v) => v.step)).toEqual([0, 10, 20]);
    expect(r.frame.baseSample.length).toBeGreaterThan(0);
    const adapter = readPeftAdapter(r.peft!.config, new Uint8Array(Buffer.from(r.peft!.safetensors, 'base64')));
    expect(adapter.spec).toMatchObject({ targets: ['q_proj', 'v_proj'], rank: 8, alpha: 16, useRslora: false });
    // PEFT resolves base_model_name_or_path as a folder (or hub id): the name a reader's download of
    // the model has (issue 17, correction 12), not the site's path to it.
    expect(JSON.parse(r.peft!.config)).toMatchObject({ peft_type: 'LORA', base_model_name_or_path: 'austen-char-llama' });
    expect(LANGUAGE_MODEL_FILES.modelDir.split('/').at(-1)).toBe('austen-char-llama');
    expect(r.merge!.positions).toBe(64);
    expect(r.merge!.maxAbsDifference).toBeLessThan(1e-4);
    // One runtime per engine: the language model's graphs are the engine's, so "Download .onnx" lists them.
    expect(engine.graphNames().some((n) => n.startsWith('lm-train-'))).toBe(true);
    expect(engine.graphNames().some((n) => n.startsWith('lm-forward-'))).toBe(true);
  });

  it('switches between the base and one adapter per task on the same frozen base; each adapter wins on its own task', async () => {
    const small = { steps: 40, batch: 4, refreshEvery: 40, sampleLength: 12, valWindows: 8, prompt: 'The ' };
    const first = await languageModelDemo(engine, { ...small, task: 'sotu' }, { files: disk });
    // The first test's Devil's Dictionary adapter may be kept already: train it again with these settings.
    const r = await languageModelDemo(engine, { ...small, task: 'devil' }, { files: disk });
    const sw = r.frame.switching!;
    expect(sw.tasks).toEqual(['devil', 'sotu']);
    expect(sw.rows.map((row) => [row.adapter, row.steps])).toEqual([['base', 0], ['devil', 40], ['sotu', 40]]);
    const loss = (adapter: string, task: string) => sw.rows.find((row) => row.adapter === adapter)!.valLoss[sw.tasks.indexOf(task)]!;
    for (const [own, other] of [['devil', 'sotu'], ['sotu', 'devil']] as const) {
      expect(loss(own, own)).toBeLessThan(loss('base', own));
      expect(loss(own, own)).toBeLessThan(loss(other, own));
    }
    // The rows reuse what the run measured: the base's loss before training, this run's sample.
    expect(loss('base', 'devil')).toBeCloseTo(r.frame.valLosses[0]!.loss, 5);
    expect(sw.rows[1]!.sample).toBe(r.frame.adaptedSample);
    expect(sw.rows[0]!.sample).toBe(r.frame.baseSample);
    // The kept SotU adapter, regenerated on the same prompt and seed, continues as its own run did.
    expect(sw.rows[2]!.sample).toBe(first.frame.adaptedSample);
  });

  it('names the task when it is not one of the two', async () => {
    await expect(languageModelDemo(engine, { task: 'poems' as never, steps: 10 }, { files: disk })).rejects.toMatchObject({ name: 'SettingError', setting: 'task' });
  });

  it('fine-tunes every weight when asked, with its parameter count and memory, and no adapter', async () => {
    const r = await languageModelDemo(engine, { method: 'full', lr: 1e-3, steps: 10, batch: 1, sampleLength: 4, valWindows: 2 }, { files: disk });
    expect(r.frame.trainableParameters).toBe(813184);
    expect(r.frame.trainingStateBytes).toBe(16 * 813184);
    expect(r.frame.valLosses).toHaveLength(2);
    expect(r.peft).toBeUndefined();
    expect(r.merge).toBeUndefined();
  });

  it.each([
    [{ targets: [] }, 'targets', /at least one module/],
    [{ rank: 200 }, 'rank', /from 1 to 128/],
    [{ lr: 0 }, 'lr', /above 0/],
    [{ steps: 0 }, 'steps', /from 1 to 5000/],
    [{ batch: 65 }, 'batch', /from 1 to 64/],
    [{ prompt: 'Ωmega ü' }, 'prompt', /"Ω", "ü"/],
  ] as const)('refuses %o as a SettingError about %s', async (settings, setting, message) => {
    const e = await languageModelDemo(engine, { ...settings, targets: [...('targets' in settings ? settings.targets : LANGUAGE_MODEL_DEFAULTS.targets)] }, { files: disk }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SettingError);
    expect((e as SettingError).setting).toBe(setting);
    expect((e as Error).message).toMatch(message);
  });

  it('stops when aborted', async () => {
    const ac = new AbortController();
    const run = languageModelDemo(engine, { steps: 100, batch: 2, sampleLength: 8, valWindows: 2 }, {
      files: disk, signal: ac.signal, onProgress: (p) => p.phase === 'training' && ac.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('builds its no-JavaScript result from the committed default run, with these defaults', async () => {
    const run = JSON.parse(readFileSync(join(ROOT, 'demos/lm/results/default-run.json'), 'utf8'));
    const d = LANGUAGE_MODEL_DEFAULTS;
    expect(run.options).toEqual({
      mode: { targets: d.targets, rank: d.rank, alpha: d.alpha, useRslora: false },
      lr: d.lr, steps: d.steps, batch: d.batch, seed: d.seed, prompt: d.prompt, sampleLength: d.sampleLength,
      temperature: d.temperature, refreshEvery: d.refreshEvery, stepsPerRun: d.stepsPerRun, valWindows: d.valWindows,
    });
    const r = await languageModelBuildResult();
    expect(r.frame).toEqual(run.frame);
    expect(r.settings).toEqual(d);
  });
});
