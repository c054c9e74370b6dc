/**
 * No import cycles in the engine (demos/) or the site (src/): every module can be read, loaded
 * and tested after the ones it imports. The graph and the cycle search are in import-graph.ts.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findCycles, importGraph, staticSpecifiers } from './import-graph';

const root = path.resolve(import.meta.dirname, '..', '..');
const rel = (cycle: string[]) => cycle.map((f) => path.relative(root, f)).join(' → ');

describe('the import graph', () => {
  it('reads static imports, type imports and re-exports, not dynamic import()', () => {
    const code = [
      "import { a } from './a';",
      "import type { B } from '../b';",
      "export { c } from './c';",
      "export * from './d';",
      "import './e';",
      "const f = await import('./f');",
      "import {\n  g,\n  type G,\n} from './g';",
    ].join('\n');
    expect(staticSpecifiers(code)).toEqual(['./a', '../b', './c', './d', './g', './e']);
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
    ]);
    expect(findCycles(g)).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });
});

describe('no import cycles', () => {
  it('in demos/', () => {
    expect(findCycles(importGraph([path.join(root, 'demos')])).map(rel)).toEqual([]);
  });

  it('in src/', () => {
    expect(findCycles(importGraph([path.join(root, 'src')])).map(rel)).toEqual([]);
  });
});
