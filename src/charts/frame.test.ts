import { describe, expect, it } from 'vitest';
import { frame, MAX_TEXT_SCALE, TEXT_SIZES } from './frame';
import { inlineCssVariables } from './downloads';

describe('chart text on narrow panels', () => {
  const svg = frame({ title: 'Loss', desc: 'A loss curve' }).wrap('<text x="1" y="1">0.5</text>');

  it('every text size follows --chart-text-scale, after the theme so it wins', () => {
    const style = /<style>([^]*?)<\/style>/.exec(svg)?.[1] ?? '';
    const scaled = [...style.matchAll(/font-size:calc\(([\d.]+)px\*var\(--chart-text-scale,1\)\)/g)].map((m) => Number(m[1]));
    expect(scaled.sort()).toEqual(Object.values(TEXT_SIZES).sort());
    // Same selectors as the theme's fixed sizes, later in the sheet, so they override them.
    expect(style.lastIndexOf('font-size:13px')).toBeLessThan(style.indexOf('calc(13px'));
  });

  it('a download (variables resolved against <html>, where the scale is unset) keeps the drawn sizes', () => {
    const standalone = inlineCssVariables(svg, () => '');
    expect(standalone).toContain(`font-size:calc(${TEXT_SIZES.text}px*1)`);
    expect(standalone).not.toContain('--chart-text-scale');
  });
});

describe('layout for the largest text scale', () => {
  it('MAX_TEXT_SCALE is the largest --chart-text-scale global.css sets', async () => {
    const { readFileSync } = await import('node:fs');
    const css = readFileSync(new URL('../styles/global.css', import.meta.url), 'utf8');
    const scales = [...css.matchAll(/--chart-text-scale:\s*([\d.]+)/g)].map((m) => Number(m[1]));
    expect(scales.length).toBeGreaterThan(0);
    expect(Math.max(...scales)).toBe(MAX_TEXT_SCALE);
  });
});
