import { describe, expect, it } from 'vitest';
import { pyExp, pyFixed, pyFixedWidth, pyInt } from './printout';

describe('Python-like number formatting', () => {
  it("f'{x:.Nf}' rounds exact ties half to even, like Python", () => {
    expect(pyFixed(6.25, 1)).toBe('6.2'); // toFixed gives 6.3
    expect(pyFixed(0.125, 2)).toBe('0.12');
    expect(pyFixed(0.375, 2)).toBe('0.38');
    expect(pyFixed(2.5, 0)).toBe('2');
    expect(pyFixed(3.5, 0)).toBe('4');
    expect(pyFixed(-0.125, 2)).toBe('-0.12');
    expect(pyFixed(0.1, 1)).toBe('0.1');
    expect(pyFixed(0, 10)).toBe('0.0000000000');
    expect(pyFixed(0.6174401, 6)).toBe('0.617440');
  });
  it("f'{x:.2e}' writes a signed two-digit exponent", () => {
    expect(pyExp(2.384185791015625e-7, 2)).toBe('2.38e-07');
    expect(pyExp(0, 2)).toBe('0.00e+00');
    expect(pyExp(12345, 2)).toBe('1.23e+04');
  });
  it('widths', () => {
    expect(pyInt(4, 2)).toBe(' 4');
    expect(pyInt(64, 5)).toBe('   64');
    expect(pyFixedWidth(2.097152, 8, 2)).toBe('    2.10');
    expect(pyFixedWidth(512, 6, 0)).toBe('   512');
  });
});
