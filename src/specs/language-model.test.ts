// §8's spec and figure: the multi-choice and text controls round-trip through the URL, MLP is its
// three matrices, and the figure draws an empty, a partial and the committed frame.
import { describe, expect, it } from 'vitest';
import { languageModelBuildResult, emptyFrame, LANGUAGE_MODEL_FILES, LM_DEFAULTS } from '../../demos/index';
import { xmlProblem } from '../charts/well-formed';
import { wrapText } from '../charts/language-model';
import { parseParam, readState, writeState } from '../demo-kit/url-state';
import { defaults } from '../demo-kit/spec';
import { refreshEvery, spec } from './language-model';

describe('the language-model spec', () => {
  it('reads and writes target modules and the prompt in the URL', () => {
    const v = { ...defaults(spec.params), targets: ['k_proj', 'mlp'] as never, prompt: 'WAR, n. ' };
    const q = writeState(spec, v);
    expect(q.get('language-model.targets')).toBe('k,mlp');
    expect(readState(spec, q).values).toMatchObject({ targets: ['k_proj', 'mlp'], prompt: 'WAR, n. ' });
    expect(parseParam(spec.params.targets, 'q,x')).toMatchObject({ ok: false, message: expect.stringContaining('“x”') });
    expect(parseParam(spec.params.targets, '')).toEqual({ ok: true, value: [] });
  });

  it('turns MLP into gate, up and down; an empty prompt is refused before any run', () => {
    const v = { ...defaults(spec.params), targets: ['q_proj', 'mlp'] as never };
    expect(spec.settings(v).targets).toEqual(['q_proj', 'gate_proj', 'up_proj', 'down_proj']);
    expect(spec.check!({ ...v, prompt: '' })).toHaveProperty('prompt');
  });

  it('draws the committed run, a partial frame and an empty one', async () => {
    const r = await languageModelBuildResult();
    const full = spec.view(r, defaults(spec.params));
    expect(full.panels).toHaveLength(2);
    for (const p of full.panels) expect(xmlProblem(p.svg)).toBeNull();
    expect(full.panels[1]!.summary).toContain(r.frame.adaptedSample.slice(0, 20));
    expect(full.printout).toContain('tokens/s on WebAssembly');
    expect(full.printout).toContain('training state (parameters, gradients, Adam');
    expect(full.printout).toContain('not counted: the frozen weights, and the activations kept for the backward pass');
    const partial = { ...r, frame: { ...r.frame, step: 40, trainLosses: r.frame.trainLosses.slice(0, 40), valLosses: r.frame.valLosses.slice(0, 1), done: false } };
    const p = spec.live!.view({ phase: 'training', result: partial, steps: 40, loaded: 0, total: 0 }, defaults(spec.params))!;
    expect(p.panels[0]!.summary).toContain('after 40 of 300 steps');
    expect(p.panels[1]!.svg).toContain('Adapted (not trained yet)'); // no sample refreshed yet at step 40
    // Loading draws nothing of the run: the figure keeps the previous result (issue 15, #7).
    expect(spec.live!.view({ phase: 'loading', result: { ...r, frame: emptyFrame('wasm') }, steps: 0, loaded: 1, total: 2 }, defaults(spec.params))).toBeUndefined();
    const empty = spec.view({ ...r, frame: emptyFrame('wasm') }, defaults(spec.params));
    expect(empty.panels[0]!.summary).toContain('not started');
    for (const q of [...p.panels, ...empty.panels]) expect(xmlProblem(q.svg)).toBeNull();
    expect(spec.live!.label({ phase: 'loading', result: r, steps: 0, loaded: 1.5e6, total: 3.3e6 })).toBe('Loading the model and texts: 1.5 of 3.3 MB');
  });

  it('full fine-tuning: its own learning rate from any control, LoRA-only controls inactive, its own labels', async () => {
    const v = defaults(spec.params);
    const full = spec.onChange!('method', { ...v, method: 'full' });
    expect(full.lr).toBe(LM_DEFAULTS.fullLr);
    expect(spec.onChange!('method', { ...full, method: 'lora' }).lr).toBe(v.lr);
    // A learning rate the reader typed is theirs.
    expect(spec.onChange!('method', { ...v, lr: 0.02, method: 'full' }).lr).toBe(0.02);
    const preset = spec.presets.find((p) => p.id === 'full')!;
    expect(preset.values).not.toHaveProperty('lr'); // it follows from the method, as by hand
    expect(Object.keys(spec.inactive!(full, { result: undefined, running: false }).controls!)).toEqual(['targets', 'rank', 'alpha', 'scalingRule']);
    expect(spec.inactive!(v, { result: undefined, running: false }).controls).toEqual({});
    expect(spec.check!({ ...full, rank: 4 })).toEqual({}); // LoRA's values wait, disabled, for LoRA
    const r = await languageModelBuildResult();
    const view = spec.view({ ...r, settings: { ...r.settings, method: 'full' } }, full);
    expect(view.panels[0]!.svg).toContain('Loss while every weight trains');
    expect(view.panels[1]!.svg).toContain('Fine-tuned, step 300');
    expect(view.printout).toContain('Fine-tuned (step 300):');
    expect(view.printout).not.toContain('Adapted');
  });

  it('a task brings its prompt unless the reader wrote their own; a blank prompt is refused', () => {
    const v = defaults(spec.params);
    expect(spec.onChange!('task', { ...v, task: 'sotu' }).prompt).toBe(LANGUAGE_MODEL_FILES.tasks.sotu.prompt);
    expect(spec.onChange!('task', { ...v, task: 'sotu', prompt: 'WAR, n. ' }).prompt).toBe('WAR, n. ');
    expect(LANGUAGE_MODEL_FILES.tasks.devil.prompt).toBe(v.prompt);
    for (const blank of ['\n', '  ', '\r\n']) expect(spec.check!({ ...v, prompt: blank })).toHaveProperty('prompt');
  });

  it('the adapter switch: only what the shown result can show is enabled', async () => {
    const r = await languageModelBuildResult();
    const v = defaults(spec.params);
    const opts = (result: typeof r | undefined, running = false) => spec.inactive!(v, { result, running }).options!.adapter!;
    expect(opts(r).values).toEqual(['base', 'devil', 'sotu']);
    expect(opts(r).why).toMatch(/two tasks/);
    expect(opts({ ...r, kept: [{ task: 'devil', steps: 10 }] }).why).toMatch(/kept so far: The Devil's Dictionary, 10 steps/);
    const sw = { tasks: ['devil', 'sotu'], rows: [{ adapter: 'base', steps: 0, valLoss: [2, 2], sample: 'a' }, { adapter: 'devil', steps: 10, valLoss: [1.9, 2.1], sample: 'b' }, { adapter: 'sotu', steps: 10, valLoss: [2.1, 1.9], sample: 'c' }] };
    expect(opts({ ...r, frame: { ...r.frame, switching: sw } }).values).toEqual([]);
    expect(opts({ ...r, frame: { ...r.frame, switching: sw } }, true).values).toEqual(['base', 'devil', 'sotu']);
  });

  it('refreshes samples about three times a run, every 100 steps for the default 300', () => {
    expect([10, 20, 60, 300, 1000].map(refreshEvery)).toEqual([10, 10, 20, 100, 100]);
  });

  it('wraps text at its own line breaks, then hard', () => {
    expect(wrapText('abcdef\n\nxy', 4)).toEqual(['abcd', 'ef', '', 'xy']);
    expect(wrapText('the cat sat', 8)).toEqual(['the cat ', 'sat']);
  });
});
