/** The specs against the engine: named like their experiment, defaults taken from it, ids unique. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS, type ExperimentName } from '../../demos/index';
import { SPECS } from './index';
import { defaults } from '../demo-kit/spec';

const entries = [...SPECS.values()];

describe('demo specs', () => {
  it('one spec per experiment, each in the file named like the experiment’s', () => {
    expect(entries.map((e) => e.spec.experiment).sort()).toEqual((Object.keys(EXPERIMENTS) as ExperimentName[]).sort());
    for (const { file } of entries) expect(existsSync(new URL(`../../demos/experiments/${file}.ts`, import.meta.url)), file).toBe(true);
  });

  it('the notebook preset is the experiment’s defaults: settings(defaults) restate nothing', () => {
    for (const { spec } of entries) {
      const settings = spec.settings(defaults(spec.params)) as Record<string, unknown>;
      const notebook = EXPERIMENTS[spec.experiment].defaults as unknown as Record<string, unknown>;
      for (const [k, v] of Object.entries(settings)) expect(v, `${spec.id}.${k}`).toEqual(notebook[k]);
    }
  });

  it('a control for every setting an error can name (controlFor points at real controls)', () => {
    for (const { spec } of entries) for (const control of Object.values(spec.controlFor ?? {})) expect(spec.params).toHaveProperty(control as string);
  });

  it('the notebook’s values pass every cross-field check', () => {
    for (const { spec } of entries) expect(spec.check?.(defaults(spec.params)) ?? {}, spec.id).toEqual({});
  });
});
