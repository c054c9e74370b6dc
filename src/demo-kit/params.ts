/**
 * A demo's parameters: one control each, and one URL key each (`?training.rank=8`). The
 * constructors take the default from the experiment's defaults object, so a spec never
 * restates a notebook value. Validation here is about the form of a value (a number, a whole
 * number, in range); what only the experiment knows comes back as its error, about a setting.
 */
import type { Optimizer, ScalingRule } from '../../demos/index';

interface ParamBase<T> {
  /** The control's label, in the reader's words. */
  label: string;
  default: T;
  /** A line under the control. */
  help?: string;
  /** Changes only the picture, not the computation: no rerun. */
  display?: boolean;
}
export interface IntParam extends ParamBase<number> {
  kind: 'int';
  min: number;
  max: number;
}
export interface NumberParam extends ParamBase<number> {
  kind: 'number';
  min: number;
  max: number;
  /** The value must be strictly greater than `min` (a learning rate, α). */
  exclusiveMin?: boolean;
}
export interface EnumOption<T extends string> {
  value: T;
  label: string;
  /** How the value is spelled in the URL, when the value itself reads badly there. */
  token?: string;
}
export interface EnumParam<T extends string = string> extends ParamBase<T> {
  kind: 'enum';
  options: readonly EnumOption<T>[];
  /** Radio buttons instead of a drop-down (a picker the reader flips between). */
  radio?: boolean;
}
export interface IntListParam extends ParamBase<number[]> {
  kind: 'intList';
  min: number;
  max: number;
  maxLength: number;
}
/** Any number of choices from a list (check boxes); the value keeps the options' order. */
export interface SetParam<T extends string = string> extends ParamBase<T[]> {
  kind: 'set';
  options: readonly EnumOption<T>[];
}
/** A line of text (a prompt). Which characters are allowed is the experiment's to say. */
export interface TextParam extends ParamBase<string> {
  kind: 'text';
  maxLength: number;
}
export type Param = IntParam | NumberParam | EnumParam | IntListParam | SetParam | TextParam;
export type ParamValue<P> = P extends EnumParam<infer T>
  ? T
  : P extends SetParam<infer T>
    ? T[]
    : P extends IntListParam
      ? number[]
      : P extends TextParam
        ? string
        : number;

export const int = (label: string, def: number, min: number, max: number, help?: string): IntParam => ({ kind: 'int', label, default: def, min, max, help });
export const num = (label: string, def: number, min: number, max: number, exclusiveMin = false, help?: string): NumberParam => ({
  kind: 'number',
  label,
  default: def,
  min,
  max,
  exclusiveMin,
  help,
});
export const oneOf = <T extends string>(label: string, def: T, options: readonly EnumOption<T>[], help?: string): EnumParam<T> => ({
  kind: 'enum',
  label,
  default: def,
  options,
  help,
});
/** A picker the reader flips between to change only the picture (radio buttons, no rerun). */
export const view = <T extends string>(label: string, def: T, options: readonly EnumOption<T>[]): EnumParam<T> => ({
  ...oneOf(label, def, options),
  radio: true,
  display: true,
});
export const intList = (label: string, def: number[], min: number, max: number, maxLength: number, help?: string): IntListParam => ({
  kind: 'intList',
  label,
  default: [...def],
  min,
  max,
  maxLength,
  help,
});

/** Check boxes; an empty choice is allowed here, so the experiment says what it needs. */
export const someOf = <T extends string>(label: string, def: readonly T[], options: readonly EnumOption<T>[], help?: string): SetParam<T> => ({
  kind: 'set',
  label,
  default: [...def],
  options,
  help,
});
export const textLine = (label: string, def: string, maxLength: number, help?: string): TextParam => ({ kind: 'text', label, default: def, maxLength, help });

// The controls several demos share, each with its default from the experiment.
const SEED_MAX = 2 ** 32 - 1;
export const seed = (def: number) => int('Seed', def, 0, SEED_MAX, 'torch.manual_seed(seed)');
export const optimizer = (def: Optimizer) =>
  oneOf<Optimizer>('Optimizer', def, [
    { value: 'sgd', label: 'SGD' },
    { value: 'adam', label: 'Adam' },
  ]);
export const scalingRule = (def: ScalingRule) =>
  oneOf<ScalingRule>('Scaling', def, [
    { value: 'alpha/r', label: 'α/r (LoRA)', token: 'r' },
    { value: 'alpha/sqrt(r)', label: 'α/√r (rsLoRA)', token: 'sqrt' },
  ]);
export const alpha = (def: number) => num('α', def, 0, 1e4, true);
export const lr = (def: number) => num('Learning rate', def, 0, 10, true);
export const epochs = (def: number, max = 5000) => int('Epochs', def, 1, max);
