import { describe, expect, it } from 'vitest';
import { COMPARABLE_FRACTION, comparisonVerdict, pyExp, pyFixed, pyFixedWidth, pyInt } from './printout';

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

describe('§3’s verdict on "comparable loss", decided by the two curves', () => {
  const claim = 'and achieves comparable loss on this low-rank task!';
  it('keeps the notebook’s words only where LoRA’s loss fell nearly as far as full fine-tuning’s, or ended lower', () => {
    expect(comparisonVerdict([1, 0.01], [1, 0])).toBe(claim); // 99 % of the fall
    expect(comparisonVerdict([1, 1 - COMPARABLE_FRACTION], [1, 0])).toBe(claim); // exactly the threshold
    expect(comparisonVerdict([1, 0.2], [1, 0.5])).toBe(claim); // LoRA lower
    expect(comparisonVerdict([1, 0.3], [1, 0])).toBe("but not comparable loss on this run: LoRA's loss fell 70% as far as full fine-tuning's from the same start");
  });
  it('says what the numbers show when the claim fails for another reason', () => {
    expect(comparisonVerdict([1, 1.2], [1, 0.5])).toBe("but not comparable loss on this run: LoRA's loss did not fall, full fine-tuning's did");
    expect(comparisonVerdict([1, 1.5], [1, 1.2])).toBe("but not comparable loss on this run: both losses rose, LoRA's more");
    expect(comparisonVerdict([1, Number.NaN], [1, 0.5])).toMatch(/not finite/);
  });
  it('at the notebook’s settings (its reference losses) the claim does not hold', () => {
    expect(comparisonVerdict([0.623921, 0.595727], [0.623921, 0.549296])).toMatch(/fell 38% as far/);
  });
});
