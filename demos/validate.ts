/**
 * Input checks that run before any graph does, for every model the engine trains: each check is
 * `need(condition, setting, message)`, which throws a SettingError about the setting, with a
 * message that names the value or shapes involved, e.g. "x is 1600×31 but w is 32×32: x needs
 * 32 columns". The language model's checks (demos/lm/train.ts) use the same three helpers.
 */
import { type InputCode, SettingError } from './errors';
import type { Matrix } from './types';

/** The most optimizer steps one trainLora/trainFull call may run. */
export const MAX_STEPS = 20000;

export const shapeOf = (m: Matrix): string => `${m.rows}×${m.cols}`;

/** The one validator style: `ok`, or a SettingError about `setting` (code: what was wrong, default the setting). */
export function need(ok: boolean, setting: string, message: string, code?: InputCode): asserts ok {
  if (!ok) throw new SettingError(setting, message, code);
}

/** A whole number from `lo` to `hi`. */
export const isWhole = (v: unknown, lo: number, hi: number): v is number => Number.isInteger(v) && (v as number) >= lo && (v as number) <= hi;

/** A finite number above 0. */
export const isPositive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** A well-formed, finite matrix: positive integer dims, data of length rows·cols, no NaN/Inf. */
export function checkMatrix(name: string, m: Matrix): void {
  if (!m || !(m.data instanceof Float32Array)) {
    throw new SettingError(name, `${name} must be a Matrix { data: Float32Array, rows, cols }.`, 'shape');
  }
  if (!Number.isInteger(m.rows) || !Number.isInteger(m.cols) || m.rows < 1 || m.cols < 1) {
    throw new SettingError(name, `${name} is ${m.rows}×${m.cols}: a matrix needs at least one row and one column.`, 'empty');
  }
  if (m.data.length !== m.rows * m.cols) {
    throw new SettingError(name, `${name} says it is ${shapeOf(m)} (${m.rows * m.cols} numbers) but its data holds ${m.data.length}.`, 'shape');
  }
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i]!)) {
      const r = Math.floor(i / m.cols);
      throw new SettingError(name, `${name}[${r}][${i - r * m.cols}] is ${m.data[i]}: every entry must be a finite number.`, 'nonfinite');
    }
  }
}

/** `m` must have `n` rows (dimension named `what`), to match `other`. */
function needRows(name: string, m: Matrix, n: number, otherName: string, other: Matrix, what: string): void {
  if (m.rows !== n) {
    throw new SettingError(name, `${name} is ${shapeOf(m)} but ${otherName} is ${shapeOf(other)}: ${name} needs ${n} rows (${what}).`, 'shape');
  }
}
function needCols(name: string, m: Matrix, n: number, otherName: string, other: Matrix, what: string): void {
  if (m.cols !== n) {
    throw new SettingError(name, `${name} is ${shapeOf(m)} but ${otherName} is ${shapeOf(other)}: ${name} needs ${n} columns (${what}).`, 'shape');
  }
}

export function checkScaling(scaling: number): void {
  need(typeof scaling === 'number' && Number.isFinite(scaling), 'scaling', `scaling is ${scaling}: it must be a finite number (α/r).`);
}

/** w (d×k), a (r×k), b (d×r) with 1 ≤ r ≤ min(d, k). Returns { d, k, r }. */
export function checkAdapter(w: Matrix, a: Matrix, b: Matrix, names = { w: 'w', a: 'a', b: 'b' }): { d: number; k: number; r: number } {
  checkMatrix(names.w, w);
  checkMatrix(names.a, a);
  checkMatrix(names.b, b);
  const d = w.rows;
  const k = w.cols;
  needCols(names.a, a, k, names.w, w, 'k, the input width');
  needRows(names.b, b, d, names.w, w, 'd, the output width');
  if (b.cols !== a.rows) {
    throw new SettingError(names.b, `${names.a} is ${shapeOf(a)} but ${names.b} is ${shapeOf(b)}: ${names.b} needs ${a.rows} columns, one per row of ${names.a} (the rank r).`, 'shape');
  }
  const r = a.rows;
  if (r < 1 || r > Math.min(d, k)) {
    throw new SettingError('rank', `The rank r = ${r} must be between 1 and min(d, k) = ${Math.min(d, k)} for a ${d}×${k} weight.`, 'rank');
  }
  return { d, k, r };
}

/** x (N×k) against w (d×k), optional y (N×d). */
export function checkData(x: Matrix, w: Matrix, y?: Matrix, wName = 'w'): { n: number } {
  checkMatrix('x', x);
  needCols('x', x, w.cols, wName, w, 'k, the input width');
  if (y) {
    checkMatrix('y', y);
    needRows('y', y, x.rows, 'x', x, 'one target row per input row');
    needCols('y', y, w.rows, wName, w, 'd, the output width');
  }
  return { n: x.rows };
}

export function checkTraining(lr: number, steps: number, optimizer: unknown): void {
  need(isPositive(lr), 'lr', `The learning rate is ${lr}: it must be a finite number greater than 0.`);
  need(isWhole(steps, 1, MAX_STEPS), 'steps', `steps is ${steps}: it must be a whole number from 1 to ${MAX_STEPS}.`);
  need(optimizer === undefined || optimizer === 'sgd' || optimizer === 'adam', 'optimizer', `optimizer is ${String(optimizer)}: use 'sgd' or 'adam'.`);
}
