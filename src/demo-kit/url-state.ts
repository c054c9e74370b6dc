/**
 * A demo's settings in the URL (tensorflow/playground's state.ts idea): its spec's parameter
 * table both reads and writes the query string. Keys are namespaced by demo id so several
 * demos on one page never collide: `?training.rank=8&training.optimizer=adam`. Values equal
 * to the default are left out, so a plain chapter link means "the notebook's settings". The
 * page-wide backend choice is the one key without a namespace.
 */
import type { Backend } from '../../demos/index';
import { oneOf, type Param, type ParamValue } from './params';
import { defaults, defaultsName, type AnySpec, type Errors, type Params, type Values } from './spec';

export { defaults };
export type { Param, ParamValue };

/** The page-wide parameters (no namespace). */
export const PAGE = {
  // Labels a student understands: the part of the computer, then the technology's name.
  backend: oneOf<Backend | 'auto'>('Run on', 'auto', [
    { value: 'auto', label: 'Best available' },
    { value: 'webgpu', label: 'GPU (WebGPU)' },
    { value: 'wasm', label: 'CPU (WebAssembly)' },
  ]),
} as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** The longest value a message repeats whole; a longer one is cut (an 8,000-character URL value must not grow the figure). */
export const QUOTE_MAX = 40;
/** A value as a message quotes it: cut to QUOTE_MAX characters, with the length said. */
export function quote(raw: string): string {
  const chars = [...raw];
  return chars.length <= QUOTE_MAX ? `“${raw}”` : `“${chars.slice(0, QUOTE_MAX).join('')}…” (${chars.length.toLocaleString('en')} characters)`;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function parseNumber(raw: string): number | undefined {
  const s = raw.trim();
  // Number('') is 0 and Number('0x10') is 16: accept plain decimal and scientific notation only.
  if (!NUMBER.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * Whether decimal text is exactly a whole number, and which (as a BigInt): "1e3" and "12.000"
 * are, "1e-400" and "0.5" are not. Number() would round "9007199254740993" to …992 and
 * "1e-400" to 0, so a message about it must quote the text, and a whole-number check must not
 * trust the rounded double.
 */
function exactInteger(text: string): bigint | undefined {
  const m = /^([+-]?)(\d*)\.?(\d*)(?:e([+-]?\d+))?$/i.exec(text.trim());
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  const e = Number(exp);
  if (!Number.isSafeInteger(e) || Math.abs(e) > 10_000) return undefined;
  const digits = (int + frac).replace(/^0+(?=\d)/, '') || '0';
  const shift = e - frac.length; // value = digits × 10^shift
  if (shift >= 0) return BigInt(`${sign}${digits}${'0'.repeat(shift)}`);
  const cut = digits.length + shift;
  const kept = cut > 0 ? digits.slice(0, cut) : '0';
  const dropped = cut > 0 ? digits.slice(cut) : digits;
  return /^0*$/.test(dropped) ? BigInt(`${sign}${kept}`) : undefined;
}

/** A number's text as a message repeats it: the reader's own digits, not the rounded double. */
const said = (raw: string): string => quote(raw.trim());

/** Parse one value from its text (a control's value or a URL parameter). */
export function parseParam<P extends Param>(p: P, raw: string): Parsed<ParamValue<P>> {
  const ok = (value: unknown) => ({ ok: true as const, value: value as ParamValue<P> });
  const fail = (message: string) => ({ ok: false as const, message });
  switch (p.kind) {
    case 'enum': {
      const o = p.options.find((o) => o.value === raw || o.token === raw);
      return o ? ok(o.value) : fail(`${p.label}: ${quote(raw)} is not one of ${p.options.map((o) => o.label).join(', ')}.`);
    }
    case 'int': {
      const n = parseNumber(raw);
      if (n === undefined) return fail(`${p.label} must be a whole number from ${p.min} to ${p.max}; ${quote(raw)} is not a number.`);
      // Exactly, on the text: 9007199254740993 is not the double 9007199254740992, 1e-400 is not 0.
      const exact = exactInteger(raw);
      if (exact === undefined || exact < BigInt(p.min) || exact > BigInt(p.max)) return fail(`${p.label} must be a whole number from ${p.min} to ${p.max}, not ${said(raw)}.`);
      return ok(Number(exact));
    }
    case 'number': {
      const n = parseNumber(raw);
      const range = p.exclusiveMin ? `greater than ${p.min} and at most ${p.max}` : `from ${p.min} to ${p.max}`;
      if (n === undefined) return fail(`${p.label} must be a number ${range}; ${quote(raw)} is not a number.`);
      if ((p.exclusiveMin ? n <= p.min : n < p.min) || n > p.max) return fail(`${p.label} must be ${range}, not ${said(raw)}.`);
      // Text with a nonzero digit that the double rounds to 0 (1e-400): not the number typed.
      if (n === 0 && /[1-9]/.test(raw.trim().split(/e/i)[0]!)) return fail(`${p.label} must be ${range}; ${said(raw)} is too close to 0 for the page to hold (about 1e-308 is the smallest).`);
      return ok(n);
    }
    case 'intList': {
      const parts = raw.split(/[\s,;]+/).filter(Boolean);
      if (parts.length === 0) return fail(`${p.label}: give at least one whole number from ${p.min} to ${p.max}.`);
      if (parts.length > p.maxLength) return fail(`${p.label}: at most ${p.maxLength} values, not ${parts.length}.`);
      const values: number[] = [];
      for (const s of parts) {
        const n = parseNumber(s);
        if (n === undefined || !Number.isInteger(n) || n < p.min || n > p.max) {
          return fail(`${p.label}: ${quote(s)} is not a whole number from ${p.min} to ${p.max}.`);
        }
        if (!values.includes(n)) values.push(n);
      }
      return ok(values.sort((a, b) => a - b));
    }
    case 'set': {
      // Comma-separated values or URL tokens, kept in the options' order; "" is the empty choice.
      const parts = raw.split(',').map((x) => x.trim()).filter(Boolean);
      const unknown = parts.filter((x) => !p.options.some((o) => o.value === x || o.token === x));
      if (unknown.length) return fail(`${p.label}: ${quote(unknown.join(', '))} is not among ${p.options.map((o) => o.label).join(', ')}.`);
      return ok(p.options.filter((o) => parts.includes(o.value) || (o.token !== undefined && parts.includes(o.token))).map((o) => o.value));
    }
    case 'text': {
      // Line breaks as a text box holds them: a box turns CR LF and CR into LF, so the URL, the
      // box and the run read the same text (readState says so when a link carried a CR).
      const text = normalizeBreaks(raw);
      const n = [...text].length;
      if (n > p.maxLength) return fail(`${p.label}: at most ${p.maxLength} characters, not ${n.toLocaleString('en')}; shorten it (nothing was cut).`);
      return ok(text);
    }
  }
}

/** CR LF and lone CR as LF: what a <textarea> holds (its value normalizes them the same way). */
export const normalizeBreaks = (s: string): string => s.replace(/\r\n?/g, '\n');

/** The text of a value, for a control and for the URL. */
export function formatParam<P extends Param>(p: P, value: ParamValue<P>, forUrl = false): string {
  if (p.kind === 'enum') {
    const o = p.options.find((o) => o.value === value);
    return forUrl && o?.token ? o.token : String(value);
  }
  if (p.kind === 'intList') return (value as number[]).join(forUrl ? ',' : ', ');
  if (p.kind === 'set') return (value as string[]).map((v) => (forUrl ? (p.options.find((o) => o.value === v)?.token ?? v) : v)).join(',');
  return String(value);
}

export const sameValue = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((x, i) => x === b[i]) : a === b;

export const urlKey = (demo: string, key: string): string => `${demo}.${key}`;

const entries = (params: Params) => Object.entries(params) as [string, Param][];

/** The cross-field checks of a spec for a complete set of values. */
export function validate<P extends Params>(spec: { check?(v: Values<P>): Errors<P> }, values: Values<P>): Errors<P> {
  return spec.check ? spec.check(values) : {};
}

/**
 * Read one demo's settings from a query string. A value that cannot be used falls back to the
 * notebook's, with a message (keyed by the URL value it is about) that names what is used
 * instead, so the controls, the message and the run always agree. Values that conflict with
 * each other (`?implementation.dIn=2` with the default rank 4) are dropped: first the ones the
 * cross-check names, then every value from the link.
 */
export function readState<P extends Params>(
  spec: { id: string; params: P; check?(v: Values<P>): Errors<P>; defaultsFrom?: 'notebook' | 'chapter' },
  query: URLSearchParams | string,
): { values: Values<P>; errors: Errors<P> } {
  const q = typeof query === 'string' ? new URLSearchParams(query) : query;
  const values = defaults(spec.params) as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const given: string[] = [];
  const label = (k: string) => spec.params[k]!.label;
  const shown = (k: string) => formatParam(spec.params[k]!, spec.params[k]!.default as never);
  for (const [k, p] of entries(spec.params)) {
    const all = q.getAll(urlKey(spec.id, k));
    if (all.length === 0) continue;
    // A key given twice (rank=4&rank=16): the last wins, as in a form, and the note says so.
    const raw = all[all.length - 1]!;
    const twice =
      all.length > 1 ? ` ${label(k)} is given ${all.length} times (${all.map((v) => quote(v)).join(', ')}); the last is read.` : '';
    const r = parseParam(p, raw);
    if (r.ok) {
      values[k] = r.value;
      given.push(k);
      const cr = p.kind === 'text' && raw !== r.value ? ` ${label(k)}: its carriage returns are read as line breaks, as the box holds them.` : '';
      if (twice || cr) errors[k] = `From the link:${twice}${cr}`;
    } else errors[k] = `From the link:${twice} ${r.message} ${defaultsName(spec).Whose} value ${shown(k)} is used.`;
  }
  const cross = validate(spec, values as Values<P>) as Record<string, string>;
  if (!Object.keys(cross).length) return { values: values as Values<P>, errors: errors as Errors<P> };
  // Drop the named values the link gave; if that is not enough, every value the link gave.
  const named = Object.keys(cross).filter((k) => given.includes(k));
  const trial = { ...values };
  for (const k of named) trial[k] = spec.params[k]!.default;
  const dropped = named.length && !Object.keys(validate(spec, trial as Values<P>)).length ? named : given;
  for (const k of dropped) values[k] = spec.params[k]!.default;
  const why = Object.values(cross).join(' ');
  const what = dropped.map((k) => `${label(k)} ${shown(k)}`).join(', ');
  // The message sits next to the first value that was dropped, or the field the check named.
  const at = dropped[0] ?? Object.keys(cross)[0]!;
  errors[at] = `From the link: ${why} ${defaultsName(spec).Whose} ${dropped.length > 1 ? 'values are' : 'value is'} used instead (${what}).`;
  // Still in conflict (a value the link did not give): the notebook's settings, which pass.
  if (Object.keys(validate(spec, values as Values<P>)).length) return { values: defaults(spec.params), errors: errors as Errors<P> };
  return { values: values as Values<P>, errors: errors as Errors<P> };
}

/** Write one demo's settings into a query string (in place; returns it). Defaults are removed. */
export function writeState<P extends Params>(spec: { id: string; params: P }, values: Values<P>, query: URLSearchParams = new URLSearchParams()): URLSearchParams {
  for (const [k, p] of entries(spec.params)) {
    const v = (values as Record<string, unknown>)[k];
    const key = urlKey(spec.id, k);
    if (v === undefined || sameValue(v, p.default)) query.delete(key);
    else query.set(key, formatParam(p, v as never, true));
  }
  return query;
}

/** The page-wide backend choice from a query string ('auto' when absent or unknown). */
export function readBackend(query: URLSearchParams | string): Backend | 'auto' {
  return readBackendChoice(query).backend;
}

/** The backend choice and, for a value that is not one, the message that says Auto is used instead. */
export function readBackendChoice(query: URLSearchParams | string): { backend: Backend | 'auto'; message?: string } {
  const q = typeof query === 'string' ? new URLSearchParams(query) : query;
  const r = parseParam(PAGE.backend, q.get('backend') ?? 'auto');
  if (r.ok) return { backend: r.value };
  // A link's words are the URL tokens, so the message lists those (with what each means).
  const raw = q.get('backend') ?? '';
  const tokens = PAGE.backend.options.map((o) => `${o.value} (${o.label})`).join(', ');
  return { backend: 'auto', message: `From the link: backend ${quote(raw)} is not one of ${tokens}. The best available is used instead.` };
}

export function writeBackend(backend: Backend | 'auto', query: URLSearchParams): URLSearchParams {
  if (backend === 'auto') query.delete('backend');
  else query.set('backend', backend);
  return query;
}

export type { AnySpec };
