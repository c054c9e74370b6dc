/**
 * The engine has one public entry: the site (src/) imports demos/ only through
 * demos/index.ts, so the engine can change inside without the pages noticing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles, specifiers } from './test-support/import-graph';

const src = path.dirname(fileURLToPath(import.meta.url));
const demos = path.resolve(src, '../demos');

/** The imports of `file` (given its text) that reach into demos/ other than through its index. */
function deepImports(file: string, code: string): string[] {
  return specifiers(code).filter((s) => {
    if (!s.startsWith('.')) return false;
    const target = path.resolve(path.dirname(file), s);
    if (target !== demos && !target.startsWith(demos + path.sep)) return false;
    return target.replace(/\.ts$/, '') !== path.join(demos, 'index');
  });
}

describe('src/ reaches the engine only through demos/index.ts', () => {
  it('finds a deep import when there is one (the check can fail)', () => {
    const file = path.join(src, 'islands', 'example.ts');
    expect(deepImports(file, "import type { X } from '../../demos/experiments/types';")).toEqual(['../../demos/experiments/types']);
    expect(deepImports(file, "const m = await import('../../demos/export/safetensors');")).toEqual(['../../demos/export/safetensors']);
    expect(deepImports(file, "import { createEngine } from '../../demos/index';\nimport { x } from './state';")).toEqual([]);
  });

  it('no file in src/ imports demos/ other than demos/index.ts', () => {
    const offenders = sourceFiles(src)
      .flatMap((f) => deepImports(f, readFileSync(f, 'utf8')).map((s) => `${path.relative(src, f)}: ${s}`));
    expect(offenders).toEqual([]);
  });
});

// The engine chooses its runtime in one place: both engines (matrix demos, language model) share it.
describe('one runtime per backend', () => {
  it('one place in demos/ and src/ (tests aside) chooses a runtime: createEngine', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const callers = [...sourceFiles(path.join(root, 'demos')), ...sourceFiles(path.join(root, 'src'))]
      .filter((f) => /\bchooseRuntime\s*\(/.test(readFileSync(f, 'utf8').replace(/export async function chooseRuntime\(/, '')))
      .map((f) => path.relative(root, f));
    expect(callers).toEqual(['demos/engine.ts']);
  });
});
