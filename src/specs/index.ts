/**
 * Every demo spec, found by file name: src/specs/<experiment>.ts exports `spec`. Nothing here
 * names a demo; a new spec file is picked up by the build (Demo.astro), the controls, the
 * toolbar and the lazy bootstrap (which globs the same files, one chunk each).
 */
import type { AnySpec } from '../demo-kit/spec';

const modules = import.meta.glob<{ spec: AnySpec }>(['./*.ts', '!./index.ts', '!./*.test.ts'], { eager: true });

export interface SpecEntry {
  spec: AnySpec;
  /** The spec's file name without `.ts`: the experiment's file name in demos/experiments/. */
  file: string;
}

/** Every demo by its id (the `<Demo id>` and URL namespace). */
export const SPECS: ReadonlyMap<string, SpecEntry> = new Map(
  Object.entries(modules).map(([path, m]) => [m.spec.id, { spec: m.spec, file: path.replace(/^\.\/|\.ts$/g, '') }]),
);

export function specEntry(id: string): SpecEntry {
  const entry = SPECS.get(id);
  if (!entry) throw new Error(`<Demo id="${id}">: unknown id; use one of ${[...SPECS.keys()].join(', ')} (content/README.md).`);
  return entry;
}

export type { AnySpec, DemoSpec, Preset, Values, Errors, Params } from '../demo-kit/spec';
