/**
 * The layers of src/ import in one direction and without cycles:
 *   demo-kit/ (what a demo is: spec and parameter types, the view, the URL codec, downloads)
 *     ← specs/ (each demo described)  ← islands/ (a demo made live: it loads specs to act on them)
 * demo-kit/ imports neither specs/ nor islands/, and specs/ never imports islands/, so a spec
 * can be read (and tested, and rendered at build time) without the code that runs it.
 * The cycle check is general (src/test-support/import-graph.ts) and covers the engine (demos/) too.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph, sourceFiles } from './test-support/import-graph';

const src = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(src, '..');
/** The trees checked for import cycles (tests left out: a test may import anything it checks). */
const ROOTS = ['src', 'demos'];

const rel = (f: string) => path.relative(repo, f);
const cyclesOf = (root: string) => importCycles(importGraph(sourceFiles(path.join(repo, root)))).map((c) => c.map(rel).join(' → '));

describe('import cycles', () => {
  it('finds a cycle when there is one, and only once (the check can fail)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', ['a']],
      ['d', []],
    ]);
    expect(importCycles(g)).toEqual([['a', 'b', 'c', 'a']]);
    expect(importCycles(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
  });

  for (const root of ROOTS) {
    it(`${root}/ has none`, () => {
      expect(cyclesOf(root)).toEqual([]);
    });
  }
});

describe('specs describe, islands act: one direction', () => {
  const graph = importGraph(sourceFiles(src));
  const layer = (f: string) => path.relative(src, f).split(path.sep)[0]!;
  /** Imports from one layer of src/ into another, as "file → file". */
  const crossing = (from: string, to: string) =>
    [...graph].flatMap(([f, targets]) => (layer(f) === from ? targets.filter((t) => layer(t) === to).map((t) => `${rel(f)} → ${rel(t)}`) : []));

  it('sees the imports it forbids (the check can fail)', () => {
    // islands/ does import demo-kit/ and (to load them) specs/: the same walk that finds these finds a wrong one.
    expect(crossing('islands', 'demo-kit').length).toBeGreaterThan(0);
    expect(crossing('specs', 'demo-kit').length).toBeGreaterThan(0);
  });

  it('specs/ never imports islands/', () => {
    expect(crossing('specs', 'islands')).toEqual([]);
  });

  it('demo-kit/ imports neither specs/ nor islands/', () => {
    expect([...crossing('demo-kit', 'specs'), ...crossing('demo-kit', 'islands')]).toEqual([]);
  });
});

describe('no build step reads tests/', () => {
  /** Quoted paths into the repository's tests/ folder (an import, a glob, a readFileSync). */
  const testPaths = (code: string) => [...code.matchAll(/['"`]((?:\.\.\/)+tests\/[^'"`]*)['"`]/g)].map((m) => m[1]!);

  it('sees such a path when there is one (the check can fail)', () => {
    expect(testPaths("import.meta.glob('../../tests/fixtures/x.txt', { eager: true })")).toEqual(['../../tests/fixtures/x.txt']);
    expect(testPaths("import x from '../lib/tests-helper';")).toEqual([]);
  });

  it('the site (src/ but its tests) and astro.config.mjs name no file under tests/', () => {
    const files = [...sourceFiles(src), path.join(repo, 'astro.config.mjs')];
    expect(files.flatMap((f) => testPaths(readFileSync(f, 'utf8')).map((p) => `${rel(f)}: ${p}`))).toEqual([]);
  });
});
