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
 * whose keys are the demo's URL parameter names (src/islands/state.ts); only the values change.
 */
import adaptersPy from '../../companion/adapters.py?raw';
import implementationPy from '../../companion/implementation.py?raw';
import lowRankPy from '../../companion/low_rank.py?raw';
import mergingPy from '../../companion/merging.py?raw';
import rankPy from '../../companion/rank.py?raw';
import savingsPy from '../../companion/savings.py?raw';
import trainingPy from '../../companion/training.py?raw';

export type PythonSettingValue = number | string | number[];
export type PythonSettings = Record<string, PythonSettingValue>;

/** A demo id, a setting or a value the exporter cannot write into the script. */
export class PythonExportError extends Error {
  override name = 'PythonExportError';
}

interface CompanionScript {
  /** The file name under companion/ (and the name a download should get). */
  file: string;
  source: string;
  /** Settings that change only the demo's picture: the script prints every case, so they are ignored. */
  displayOnly: readonly string[];
}

/** Demo id (src/islands/state.ts) → its companion script. */
export const COMPANION_SCRIPTS = {
  lowrank: { file: 'low_rank.py', source: lowRankPy, displayOnly: [] },
  implementation: { file: 'implementation.py', source: implementationPy, displayOnly: [] },
  training: { file: 'training.py', source: trainingPy, displayOnly: [] },
  merging: { file: 'merging.py', source: mergingPy, displayOnly: ['view'] },
  rank: { file: 'rank.py', source: rankPy, displayOnly: [] },
  adapters: { file: 'adapters.py', source: adaptersPy, displayOnly: ['adapter'] },
  savings: { file: 'savings.py', source: savingsPy, displayOnly: [] },
} as const satisfies Record<string, CompanionScript>;

export type CompanionDemo = keyof typeof COMPANION_SCRIPTS;

const BLOCK_START = /^# ---- settings\b.*$/m;
const BLOCK_END = /^# ---- end of settings ----$/m;
/** One entry of the block: indent, "key", the value's literal, the rest of the line (comma, comment). */
const ENTRY = /^(\s+)"([A-Za-z_]\w*)": (.+?)(,\s*(?:#.*)?)$/;

function scriptOf(demo: string): CompanionScript {
  if (!Object.hasOwn(COMPANION_SCRIPTS, demo)) {
    throw new PythonExportError(`No Python companion for the demo “${demo}”; there is one for ${Object.keys(COMPANION_SCRIPTS).join(', ')}.`);
  }
  return COMPANION_SCRIPTS[demo as CompanionDemo];
}

/** The settings block's entries as [line index, key, default value], in the script's order. */
function blockEntries(source: string): { lines: string[]; entries: { line: number; key: string; value: PythonSettingValue }[] } {
  const start = BLOCK_START.exec(source);
  const end = BLOCK_END.exec(source);
  if (!start || !end || end.index < start.index) throw new PythonExportError('The companion script has no settings block.');
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

/** The settings the companion script of `demo` takes, with its defaults (the notebook's values). */
export function pythonDefaults(demo: string): PythonSettings {
  return Object.fromEntries(blockEntries(scriptOf(demo).source).entries.map((e) => [e.key, e.value]));
}

/** The file name for the script of `demo` ("training.py"). */
export function pythonFileName(demo: string): string {
  return scriptOf(demo).file;
}

const kindOf = (v: unknown) => (Array.isArray(v) ? 'list' : typeof v);

/** A value as a Python literal: numbers as JavaScript writes them (valid Python), strings quoted, lists of numbers. */
function pythonLiteral(key: string, value: PythonSettingValue, like: PythonSettingValue): string {
  const bad = (why: string) => new PythonExportError(`The setting ${key} ${why}.`);
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
 * The companion script of `demo` with `settings` written into its settings block. Settings
 * not given keep the script's defaults; display-only settings are ignored; anything else
 * that the block does not have, or a value of the wrong type, throws a PythonExportError.
 */
export function pythonScript(demo: string, settings: PythonSettings): string {
  const script = scriptOf(demo);
  const { lines, entries } = blockEntries(script.source);
  const known = new Set(entries.map((e) => e.key));
  const unknown = Object.keys(settings).filter((k) => !known.has(k) && !script.displayOnly.includes(k));
  if (unknown.length) {
    throw new PythonExportError(`The ${demo} script has no setting ${unknown.join(', ')}; it takes ${[...known].join(', ')}.`);
  }
  for (const { line, key, value } of entries) {
    if (!Object.hasOwn(settings, key)) continue;
    const m = ENTRY.exec(lines[line]!)!;
    lines[line] = `${m[1]}"${key}": ${pythonLiteral(key, settings[key]!, value)}${m[4]}`;
  }
  return lines.join('\n');
}
