/**
 * Every package the project declares is used: a dependency is imported by the site or the
 * engine (src/, demos/, astro.config.mjs; tests do not count), a devDependency by a test, a
 * config, a bench or script, or run by an npm script. A package nothing uses is a package
 * every install downloads and every reader of package.json has to wonder about.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sourceFiles, specifiers } from './test-support/import-graph';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

/** The config files at the root (astro.config.mjs, playwright.config.ts, vitest.config.ts). */
const rootConfigs = readdirSync(repo)
  .filter((f) => /\.config\.(ts|mjs|js)$/.test(f))
  .map((f) => path.join(repo, f));

/** The packages a set of files imports (JS/TS/Astro imports and CSS @import), by package name. */
function importedPackages(files: string[]): Set<string> {
  const out = new Set<string>();
  for (const f of files) {
    const code = readFileSync(f, 'utf8');
    const specs = [...specifiers(code), ...[...code.matchAll(/@import\s+['"]([^'"]+)['"]/g)].map((m) => m[1]!)];
    for (const s of specs) {
      if (s.startsWith('.') || s.startsWith('/') || (s.includes(':') && !s.startsWith('node:'))) continue; // files, virtual modules (astro:content)
      if (s.startsWith('node:')) out.add('node:');
      else out.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!);
    }
  }
  return out;
}

/** The commands an npm script runs: the first word of each `&&`/`|`/`;` part (after VAR=value settings). */
function scriptCommands(scripts: Record<string, string>): string[] {
  return Object.values(scripts).flatMap((line) =>
    line.split(/&&|\|\||[|;]/).map((part) => part.trim().split(/\s+/).filter((w) => !/^\w+=/.test(w)).slice(0, 2).join(' ')),
  );
}

/** A package's command names (its package.json `bin`). */
function binsOf(name: string): string[] {
  try {
    const bin = (JSON.parse(readFileSync(path.join(repo, 'node_modules', name, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> }).bin;
    return typeof bin === 'string' ? [name.split('/').pop()!] : Object.keys(bin ?? {});
  } catch {
    return [];
  }
}

/** Subcommands that load a package they do not name: `astro check` runs @astrojs/check. */
const LOADED_BY: Record<string, string> = { '@astrojs/check': 'astro check' };

function unusedDependencies(deps: string[], used: Set<string>): string[] {
  return deps.filter((d) => !used.has(d));
}

function unusedDevDependencies(deps: string[], used: Set<string>, commands: string[]): string[] {
  const runs = (d: string) => binsOf(d).some((b) => commands.some((c) => c === b || c.startsWith(`${b} `))) || (LOADED_BY[d] !== undefined && commands.includes(LOADED_BY[d]!));
  // @types/x is used where x is imported (@types/node: where a node: module is).
  const typesUsed = (d: string) => d.startsWith('@types/') && (d === '@types/node' ? used.has('node:') : used.has(d.slice('@types/'.length)));
  return deps.filter((d) => !used.has(d) && !runs(d) && !typesUsed(d));
}

describe('every package.json dependency is used', () => {
  const siteAndEngine = [...sourceFiles(path.join(repo, 'src')), ...sourceFiles(path.join(repo, 'demos')), path.join(repo, 'astro.config.mjs')];
  const styles = readdirSync(path.join(repo, 'src', 'styles')).filter((f) => f.endsWith('.css')).map((f) => path.join(repo, 'src', 'styles', f));
  const everything = [
    ...['src', 'demos', 'tests', 'bench', 'scripts'].flatMap((d) => sourceFiles(path.join(repo, d), { tests: true })),
    ...rootConfigs,
  ];

  it('finds an unused package when there is one (the check can fail)', () => {
    expect(unusedDependencies(['d3', 'left-pad'], new Set(['d3']))).toEqual(['left-pad']);
    expect(unusedDevDependencies(['vitest', '@types/left-pad', 'left-pad'], new Set(), ['vitest run'])).toEqual(['@types/left-pad', 'left-pad']);
  });

  it('each dependency is imported by the site or the engine', () => {
    expect(unusedDependencies(Object.keys(pkg.dependencies), importedPackages([...siteAndEngine, ...styles]))).toEqual([]);
  });

  it('each devDependency is imported by a test, config, bench or script, or run by an npm script', () => {
    expect(unusedDevDependencies(Object.keys(pkg.devDependencies), importedPackages(everything), scriptCommands(pkg.scripts))).toEqual([]);
  });
});
