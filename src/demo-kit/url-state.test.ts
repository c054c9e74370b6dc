// The URL codec of demo-kit/url-state.ts, checked against every real spec (a test may look up;
// the module itself imports neither specs/ nor islands/).
import { describe, expect, it } from 'vitest';
import { SPECS } from '../specs/index';
import { spec as implementation } from '../specs/implementation';
import { spec as lowrank } from '../specs/low-rank';
import { spec as merging } from '../specs/merging';
import { spec as rank } from '../specs/rank-sweep';
import { spec as savings } from '../specs/savings';
import { spec as training } from '../specs/training';
import { defaults, parseParam, QUOTE_MAX, readBackend, readBackendChoice, readState, validate, writeBackend, writeState } from './url-state';

const ALL = [...SPECS.values()].map((e) => e.spec);

describe('the URL state table', () => {
  it('leaves defaults out of the URL and round-trips every other value', () => {
    for (const spec of ALL) {
      expect(writeState(spec, defaults(spec.params)).toString()).toBe('');
    }
    const values = { ...defaults(training.params), rank: 8, optimizer: 'adam' as const, lr: 0.003, epochs: 300, scalingRule: 'alpha/sqrt(r)' as const, seed: 7 };
    const q = writeState(training, values);
    expect(q.toString()).toBe('training.rank=8&training.lr=0.003&training.epochs=300&training.optimizer=adam&training.scalingRule=sqrt&training.seed=7');
    const back = readState(training, q.toString());
    expect(back.errors).toEqual({});
    expect(back.values).toEqual(values);
  });

  it('round-trips lists and keeps other demos’ and unrelated parameters', () => {
    const q = new URLSearchParams('utm=x&training.rank=2');
    writeState(rank, { ...defaults(rank.params), ranks: [1, 4, 16] }, q);
    expect(q.get('rank.ranks')).toBe('1,4,16');
    expect(q.get('training.rank')).toBe('2');
    expect(q.get('utm')).toBe('x');
    expect(readState(rank, q).values.ranks).toEqual([1, 4, 16]);
    // Back to the default removes the key.
    writeState(rank, defaults(rank.params), q);
    expect(q.has('rank.ranks')).toBe(false);
  });

  it('falls back to the default with a reader-friendly message for bad values', () => {
    const { values, errors } = readState(training, 'training.rank=abc&training.lr=-1&training.epochs=2.5&training.optimizer=rmsprop');
    expect(values).toEqual(defaults(training.params));
    expect(errors.rank).toMatch(/Rank r must be a whole number from 1 to 32; “abc” is not a number/);
    expect(errors.lr).toMatch(/Learning rate must be greater than 0/);
    expect(errors.epochs).toMatch(/whole number/);
    expect(errors.optimizer).toMatch(/not one of SGD, Adam/);
  });

  it('checks values against each other', () => {
    const r = readState(lowrank, 'lowrank.size=8&lowrank.trueRank=12');
    expect(r.values.size).toBe(8);
    expect(r.values.trueRank).toBe(lowrank.params.trueRank.default);
    expect(r.errors.trueRank).toMatch(/cannot exceed/);
    expect(readState(implementation, 'implementation.dIn=2&implementation.rank=4').errors.rank).toMatch(/min\(d_in, d_out\) = 2/);
  });

  it('parses numbers strictly', () => {
    const lr = training.params.lr;
    expect(parseParam(lr, '1e-3')).toEqual({ ok: true, value: 0.001 });
    expect(parseParam(lr, ' 0.5 ')).toEqual({ ok: true, value: 0.5 });
    for (const bad of ['', '0x10', 'NaN', 'Infinity', '1,5', '0']) expect(parseParam(lr, bad).ok).toBe(false);
    expect(parseParam(rank.params.ranks, '8, 2 2,4')).toEqual({ ok: true, value: [2, 4, 8] });
    expect(parseParam(rank.params.ranks, '1,2,x').ok).toBe(false);
    expect(parseParam(rank.params.ranks, '1,2,3,4,5,6,7,8,9').ok).toBe(false);
  });

  it('reads and writes the page-wide backend', () => {
    expect(readBackend('')).toBe('auto');
    expect(readBackend('backend=webgpu')).toBe('webgpu');
    expect(readBackend('backend=cuda')).toBe('auto');
    const q = writeBackend('wasm', new URLSearchParams());
    expect(q.toString()).toBe('backend=wasm');
    expect(writeBackend('auto', q).toString()).toBe('');
  });

  it('has a notebook preset everywhere and an Adam preset with a note on §3–§5', () => {
    // The notebook's settings, except for a demo the notebook has no section for (chapter 8's model).
    for (const spec of ALL) expect(spec.presets[0]!.label).toBe(spec.defaultsFrom === 'chapter' ? 'Default settings' : 'Notebook settings');
    expect(ALL.find((s) => s.id === 'language-model')!.presets[0]!.label).toBe('Default settings');
    for (const spec of [training, merging, rank]) {
      const adam = spec.presets.find((p) => p.id === 'adam')!;
      expect(adam.values).toMatchObject({ optimizer: 'adam', lr: 0.01, epochs: 300 });
      expect(adam.note).toBeTruthy();
    }
  });
});

describe('link values the controls cannot hold (issue 11, #4 and #10)', () => {
  it('drops a link value that conflicts with a default, says so, and leaves values that pass the checks', () => {
    for (const [spec, query] of [
      [implementation, 'implementation.dIn=2'],
      [lowrank, 'lowrank.size=3'],
      [lowrank, 'lowrank.trueRank=100'],
      [lowrank, 'lowrank.size=8&lowrank.trueRank=12'],
    ] as const) {
      const { values, errors } = readState(spec as typeof lowrank, query);
      expect(validate(spec as typeof lowrank, values), query).toEqual({});
      const messages = Object.values(errors);
      expect(messages.length, query).toBe(1);
      expect(messages[0], query).toMatch(/^From the link: .* The notebook’s value is used instead/);
    }
    // The message is next to the value the link gave, and names the value used.
    const r = readState(implementation, 'implementation.dIn=2');
    expect(r.values.dIn).toBe(implementation.params.dIn.default);
    expect(r.errors.dIn).toContain(`d_in ${implementation.params.dIn.default}`);
    // Two link values, one named by the check: only that one is dropped.
    const both = readState(lowrank, 'lowrank.size=8&lowrank.trueRank=12');
    expect(both.values).toMatchObject({ size: 8, trueRank: lowrank.params.trueRank.default });
  });

  it('cuts a long value in a message', () => {
    const long = 'x'.repeat(8000);
    const r = parseParam(training.params.rank, long);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.message.length).toBeLessThan(QUOTE_MAX + 160);
    expect(r.message).toContain('8,000 characters');
    const e = parseParam(training.params.optimizer, long);
    expect(!e.ok && e.message.length).toBeLessThan(QUOTE_MAX + 160);
  });

  it('says when ?backend= is not a backend', () => {
    expect(readBackendChoice('backend=cuda')).toEqual({ backend: 'auto', message: expect.stringMatching(/backend “cuda” is not one of auto \(Best available\), webgpu \(GPU \(WebGPU\)\), wasm \(CPU \(WebAssembly\)\)\. The best available is used instead/) });
    expect(readBackendChoice('backend=wasm')).toEqual({ backend: 'wasm' });
  });
});

describe('cross-checks that a fallback cannot satisfy', () => {
  it('starts the demo from the notebook settings when a default still conflicts', () => {
    const { values, errors } = readState(lowrank, 'lowrank.size=2&lowrank.trueRank=3');
    expect(errors.trueRank).toMatch(/cannot exceed/);
    expect(values).toEqual(defaults(lowrank.params));
  });
  it('refuses a savings rank wider than d_model', () => {
    const { errors } = readState(savings, 'savings.model=custom&savings.dModel=64&savings.ranks=4,128');
    expect(errors.ranks).toMatch(/at most d_model = 64; 128 is larger/);
  });

  it('refuses numbers the page cannot hold exactly, quoting the text typed (issue 15, #14)', () => {
    const seed = training.params.seed;
    for (const raw of ['1e-400', '9007199254740993', '4294967296', '0.5', '1e-1']) {
      const r = parseParam(seed, raw);
      expect(r.ok, raw).toBe(false);
      expect(!r.ok && r.message).toContain(`from 0 to 4294967295, not “${raw}”`);
    }
    expect(parseParam(seed, '7e2')).toEqual({ ok: true, value: 700 });
    expect(parseParam(seed, '12.000')).toEqual({ ok: true, value: 12 });
    expect(parseParam(seed, '+5')).toEqual({ ok: true, value: 5 });
    const lr = training.params.lr;
    const tiny = parseParam({ ...lr, exclusiveMin: false }, '1e-400');
    expect(tiny.ok).toBe(false);
    expect(!tiny.ok && tiny.message).toMatch(/too close to 0/);
  });

  it('a key given twice: the last is read, and the note says so', () => {
    const r = readState(training, 'training.rank=4&training.rank=16');
    expect(r.values.rank).toBe(16);
    expect(r.errors.rank).toMatch(/Rank r is given 2 times \(“4”, “16”\); the last is read/);
  });

  it('quotes a long bad value cut, in every kind of control', () => {
    const long = 'x'.repeat(10_000);
    for (const spec of ALL) {
      for (const [k, p] of Object.entries(spec.params)) {
        const r = parseParam(p, long);
        if (!r.ok) expect(r.message.length, `${spec.id}.${k}`).toBeLessThan(400);
      }
    }
  });

  it('text keeps its line breaks as a text box does, and refuses a long paste whole', () => {
    const text = { kind: 'text' as const, label: 'Prompt', default: 'a', maxLength: 200 };
    expect(parseParam(text, 'line1\r\nline2\rline3')).toEqual({ ok: true, value: 'line1\nline2\nline3' });
    const long = parseParam(text, 'y'.repeat(10_000));
    expect(long.ok).toBe(false);
    expect(!long.ok && long.message).toContain('at most 200 characters, not 10,000');
  });
});
