/**
 * The static import graph of a source tree, and its cycles. Static means what a module needs
 * before it runs: `import … from`, `import type … from`, `export … from` and bare `import '…'`;
 * a dynamic `import()` loads later, on purpose (lazy engine code), and is not an edge.
 * Type-only imports count: a cycle through types still ties the modules' meaning together.
 * Only relative specifiers inside the tree are followed; tests (`*.test.ts`) and test support
 * are left out, as they are not part of the code's structure.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every source file under `dir` (.ts, .mts, .astro), tests and test support left out. */
export function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) return name === 'node_modules' || name === 'test-support' || name === 'fixtures' ? [] : sourceFiles(p);
    return /\.(ts|mts|astro)$/.test(name) && !/\.(test|spec)\.ts$/.test(name) && name !== 'test-support.ts' ? [p] : [];
  });
}

/** The specifiers a file imports statically (see the header). */
export function staticSpecifiers(code: string): string[] {
  const out: string[] = [];
  // `import x from '…'`, `import type { A } from '…'`, `export { a } from '…'`, `export * from '…'`
  for (const m of code.matchAll(/(?:^|[;\n}])\s*(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of code.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm)) out.push(m[1]!);
  return out;
}

/** Resolve a relative specifier to a file of `files`, as TypeScript's bundler resolution would. */
function resolve(from: string, spec: string, files: Set<string>): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.mts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) if (files.has(c)) return c;
  return undefined;
}

/** file → the files (of the same set) it imports statically. */
export function importGraph(dirs: string[]): Map<string, string[]> {
  const all = dirs.flatMap(sourceFiles);
  const files = new Set(all);
  const graph = new Map<string, string[]>();
  for (const f of all) {
    // An .astro file's imports are in its frontmatter and <script> blocks; its markup has none.
    graph.set(f, [...new Set(staticSpecifiers(readFileSync(f, 'utf8')).map((s) => resolve(f, s, files)).filter((t): t is string => !!t))]);
  }
  return graph;
}

/** One cycle per strongly connected component of more than one file (or a self-import), as a path a → … → a. */
export function findCycles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components, then one cycle through each by a BFS inside it.
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const comps: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) comps.push(comp);
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) visit(v);
  return comps.map((comp) => {
    const inComp = new Set(comp);
    const start = [...comp].sort()[0]!;
    // shortest path start → … → start within the component
    const prev = new Map<string, string>();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift()!;
      for (const w of graph.get(v) ?? []) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          const cycle = [start];
          for (let u = v; u !== start; u = prev.get(u)!) cycle.splice(1, 0, u);
          return [...cycle, start];
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}
