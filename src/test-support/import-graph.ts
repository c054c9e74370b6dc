/**
 * The static import graph of a source tree, read from the text of its files (no bundler): for
 * the tests that keep the layers in order (engine-boundary, import-graph). A specifier is
 * resolved the way Vite resolves the project's own imports: as written, or with `.ts`, or as a
 * folder's `index.ts`. Packages (`d3`, `node:fs`) are not files of the tree and are left out.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Source files under `dir` (.ts, .astro, .mjs), tests and `node_modules` left out when asked. */
export function sourceFiles(dir: string, { tests = false } = {}): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(p).isDirectory()) return sourceFiles(p, { tests });
    if (!/\.(ts|astro|mjs)$/.test(name) || name.endsWith('.d.ts')) return [];
    return tests || !/\.test\.ts$/.test(name) ? [p] : [];
  });
}

/** Every module specifier a file names: static imports and re-exports (types included), and dynamic import(). */
export function specifiers(code: string, { dynamic = true } = {}): string[] {
  const out: string[] = [];
  for (const m of code.matchAll(/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  if (dynamic) for (const m of code.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  return out;
}

/** The file a relative specifier names, or undefined (a package, or a file that is not there). */
export function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  const candidates = [base, `${base}.ts`, base.replace(/\.js$/, '.ts'), path.join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** File → the files it imports statically (dynamic import() loads later and cannot close a cycle at load time). */
export function importGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const code = readFileSync(f, 'utf8');
    const targets = specifiers(code, { dynamic: false })
      .map((s) => resolveImport(f, s))
      .filter((t): t is string => t !== undefined);
    graph.set(f, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The import cycles of a graph, each once, as the path of files that closes it (`a → b → a`).
 * Depth-first search with the usual three colours: an edge to a file still on the stack (grey)
 * closes a cycle, and the stack from that file on is the cycle.
 */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const colour = new Map<string, 'grey' | 'black'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const visit = (f: string) => {
    colour.set(f, 'grey');
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (colour.get(t) === 'grey') {
        const cycle = stack.slice(stack.indexOf(t));
        // The same cycle found from another starting file is one cycle: key it by its sorted files.
        const key = [...cycle].sort().join('\n');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, t]);
        }
      } else if (!colour.has(t)) visit(t);
    }
    stack.pop();
    colour.set(f, 'black');
  };
  for (const f of [...graph.keys()].sort()) if (!colour.has(f)) visit(f);
  return cycles;
}
