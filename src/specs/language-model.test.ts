// §8's spec and figure: the multi-choice and text controls round-trip through the URL, MLP is its
// three matrices, and the figure draws an empty, a partial and the committed frame.
import { describe, expect, it } from 'vitest';
import { languageModelBuildResult, emptyFrame } from '../../demos/index';
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
    const p = spec.live!.view({ phase: 'training', result: partial, steps: 40, loaded: 0, total: 0 }, defaults(spec.params));
    expect(p.panels[0]!.summary).toContain('after 40 of 300 steps');
    expect(p.panels[1]!.svg).toContain('Adapted (not trained yet)'); // no sample refreshed yet at step 40
    const empty = spec.live!.view({ phase: 'loading', result: { ...r, frame: emptyFrame('wasm') }, steps: 0, loaded: 1, total: 2 }, defaults(spec.params));
    expect(empty.panels[0]!.summary).toContain('not started');
    for (const q of [...p.panels, ...empty.panels]) expect(xmlProblem(q.svg)).toBeNull();
    expect(spec.live!.label({ phase: 'loading', result: r, steps: 0, loaded: 1.5e6, total: 3.3e6 })).toBe('Loading the model and texts: 1.5 of 3.3 MB');
  });

  it('refreshes samples about three times a run, every 100 steps for the default 300', () => {
    expect([10, 20, 60, 300, 1000].map(refreshEvery)).toEqual([10, 10, 20, 100, 100]);
  });

  it('wraps text at its own line breaks, then hard', () => {
    expect(wrapText('abcdef\n\nxy', 4)).toEqual(['abcd', 'ef', '', 'xy']);
    expect(wrapText('the cat sat', 8)).toEqual(['the cat ', 'sat']);
  });
});
