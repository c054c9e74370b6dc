/// <reference types="vite/client" />
/**
 * "Export as Python": the companion script of a demo (companion/*.py, PyTorch) with its
 * settings block filled in with the demo's current settings, so that running the file prints
 * the numbers the demo shows.
 *
 * The scripts are imported as text (`?raw`), so this works the same in the browser bundle, at
 * build time and in Node tests. Each script has exactly one settings block,
 *
 *     # ---- settings (…) ----
 *     SETTINGS = {
 *         "rank": 4,  # comment
 *         …
 *     }
 *     # ---- end of settings ----
 *
 * whose keys are the demo's URL parameter names (its spec's `params`); only the values change.
 */
import { SettingError } from '../../demos/index';
export type PythonSettingValue = number | string | number[];
export type PythonSettings = Record<string, PythonSettingValue>;

/**
 * A demo id, a setting or a value the exporter cannot write into the script: the engine's one
 * input error, `SettingError`, naming the setting ('python' when it is the demo itself).
 */

/**
 * What the exporter needs of a demo: its spec (src/specs/<experiment>.ts) names its companion
 * script (`python: 'low_rank.py'`), and its display-only parameters are the ones the script
 * ignores (it prints every case). Structural, so this module does not load the specs.
 */
export interface PythonTarget {
  id: string;
  python?: string;
  params: Readonly<Record<string, { display?: boolean }>>;
}

/**
 * Every companion/*.py as text, by file name. Eager: this module is itself loaded only when
 * a reader presses "Export as Python" (a dynamic import in src/islands/actions.ts), so the
 * scripts never count against a chapter's JavaScript budget.
 */
const SOURCES: ReadonlyMap<string, string> = new Map(
  Object.entries(import.meta.glob<string>('../../companion/*.py', { query: '?raw', import: 'default', eager: true })).map(([path, text]) => [
    path.slice(path.lastIndexOf('/') + 1),
    text,
  ]),
);

/** The text of companion/<file> as committed. */
export function companionSource(file: string): string {
  const source = SOURCES.get(file);
  if (source === undefined) throw new SettingError('python', `There is no companion/${file}; the scripts are ${[...SOURCES.keys()].join(', ')}.`);
  return source;
}

function scriptOf(target: PythonTarget): { file: string; source: string; displayOnly: string[] } {
  if (!target.python) throw new SettingError('python', `The demo “${target.id}” has no Python companion (its spec names no \`python\` script).`);
  return {
    file: target.python,
    source: companionSource(target.python),
    displayOnly: Object.entries(target.params)
      .filter(([, p]) => p.display)
      .map(([k]) => k),
  };
}

const BLOCK_START = /^# ---- settings\b.*$/m;
const BLOCK_END = /^# ---- end of settings ----$/m;
/** One entry of the block: indent, "key", the value's literal, the rest of the line (comma, comment). */
const ENTRY = /^(\s+)"([A-Za-z_]\w*)": (.+?)(,\s*(?:#.*)?)$/;

/** The settings block's entries as [line index, key, default value], in the script's order. */
function blockEntries(source: string): { lines: string[]; entries: { line: number; key: string; value: PythonSettingValue }[] } {
  const start = BLOCK_START.exec(source);
  const end = BLOCK_END.exec(source);
  if (!start || !end || end.index < start.index) throw new SettingError('python', 'The companion script has no settings block.');
  const lines = source.split('\n');
  const first = source.slice(0, start.index).split('\n').length; // the line after the start marker
  const last = source.slice(0, end.index).split('\n').length - 1; // the end marker's line
  const entries: { line: number; key: string; value: PythonSettingValue }[] = [];
  for (let i = first; i < last; i++) {
    const m = ENTRY.exec(lines[i]!);
    if (m) entries.push({ line: i, key: m[2]!, value: JSON.parse(m[3]!) as PythonSettingValue });
  }
  return { lines, entries };
}

/** The settings the companion script of a demo takes, with its defaults (the notebook's values). */
export function pythonDefaults(target: PythonTarget): PythonSettings {
  return Object.fromEntries(blockEntries(scriptOf(target).source).entries.map((e) => [e.key, e.value]));
}

/** The file name for the script of a demo ("training.py"): the download is named like the companion file. */
export function pythonFileName(target: PythonTarget): string {
  return scriptOf(target).file;
}

const kindOf = (v: unknown) => (Array.isArray(v) ? 'list' : typeof v);

/** A value as a Python literal: numbers as JavaScript writes them (valid Python), strings quoted, lists of numbers. */
function pythonLiteral(key: string, value: PythonSettingValue, like: PythonSettingValue): string {
  const bad = (why: string) => new SettingError(key, `The setting ${key} ${why}.`);
  if (kindOf(value) !== kindOf(like)) throw bad(`must be a ${kindOf(like) === 'list' ? 'list of numbers' : kindOf(like)}, not ${JSON.stringify(value)}`);
  const num = (n: unknown) => {
    if (typeof n !== 'number' || !Number.isFinite(n)) throw bad(`must hold finite numbers, not ${JSON.stringify(n) ?? String(n)}`);
    return String(n); // 0.01, 4, 1e-7 are all Python literals
  };
  if (Array.isArray(value)) {
    if (value.length === 0) throw bad('needs at least one value');
    return `[${value.map(num).join(', ')}]`;
  }
  if (typeof value === 'number') return num(value);
  return JSON.stringify(value); // a JSON string is a valid Python string literal
}

/**
 * The companion script of a demo with `settings` written into its settings block. Settings
 * not given keep the script's defaults; display-only settings are ignored; anything else
 * that the block does not have, or a value of the wrong type, throws a SettingError.
 */
export function pythonScript(target: PythonTarget, settings: Readonly<Record<string, unknown>>): string {
  const script = scriptOf(target);
  const { lines, entries } = blockEntries(script.source);
  const known = new Set(entries.map((e) => e.key));
  const unknown = Object.keys(settings).filter((k) => !known.has(k) && !script.displayOnly.includes(k));
  if (unknown.length) {
    throw new SettingError(unknown[0]!, `The ${target.id} script (${script.file}) has no setting ${unknown.join(', ')}; it takes ${[...known].join(', ')}.`);
  }
  for (const { line, key, value } of entries) {
    if (!Object.hasOwn(settings, key)) continue;
    const m = ENTRY.exec(lines[line]!)!;
    lines[line] = `${m[1]}"${key}": ${pythonLiteral(key, settings[key] as PythonSettingValue, value)}${m[4]}`;
  }
  return lines.join('\n');
}
