import { describe, expect, it } from 'vitest';
import { inlineCssVariables, standaloneSvg, toCsv } from './downloads';

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

describe('standaloneSvg', () => {
  it('resolves every var() to the light fallback and the text scale to plain pixels', () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" id="c" viewBox="0 0 480 300" width="100%"><style>#c .pos{fill:var(--div-pos, #b2182b)}#c text{font-size:calc(13px*var(--chart-text-scale,1))}</style><rect class="pos"/></svg>';
    const out = standaloneSvg(svg);
    expect(out).not.toContain('var(');
    expect(out).not.toContain('calc(');
    expect(out).toContain('fill:#b2182b');
    expect(out).toContain('font-size:13px');
    expect(out).toMatch(/<svg[^>]* width="480" height="300"/);
    expect(out.startsWith('<?xml')).toBe(true);
  });
});
