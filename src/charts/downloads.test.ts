import { describe, expect, it } from 'vitest';
import { inlineCssVariables, toCsv } from './downloads';

describe('toCsv', () => {
  it('writes a header from the union of keys and quotes where needed', () => {
    const csv = toCsv([
      { epoch: 0, loss: 0.623921 },
      { epoch: 1, loss: 0.6201, note: 'a, "b"' },
      { epoch: 2, note: '=SUM(A1)' },
    ]);
    expect(csv).toBe('epoch,loss,note\r\n0,0.623921,\r\n1,0.6201,"a, ""b"""\r\n2,,\'=SUM(A1)\r\n');
  });
  it('is just a newline for no rows', () => {
    expect(toCsv([])).toBe('\r\n');
  });
});

describe('inlineCssVariables', () => {
  it('uses resolved values, else the (nested) fallback', () => {
    const css = 'a{fill:var(--series-1, #0072b2)}b{stroke:var(--tooltip-bg, var(--axis-text, rgb(1, 2, 3)))}';
    const values: Record<string, string> = { '--series-1': ' #56b4e9' };
    expect(inlineCssVariables(css, (n) => values[n] ?? '')).toBe('a{fill:#56b4e9}b{stroke:rgb(1, 2, 3)}');
  });
});
