/**
 * Colours once: the fallback in every chart colour (what a downloaded SVG shows outside the
 * site) is the light theme's token from src/styles/tokens.css.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { palette } from './theme';

const tokens = readFileSync(new URL('../styles/tokens.css', import.meta.url), 'utf8');
/** The custom properties of the first `:root { … }` block: the light theme. */
const light = new Map([...(/:root\s*\{([^}]*)\}/.exec(tokens)?.[1] ?? '').matchAll(/(--[\w-]+)\s*:\s*([^;]+);/g)].map((m) => [m[1]!, m[2]!.trim()]));

describe('chart colour fallbacks', () => {
  const roles = [...palette.series, palette.ref, palette.grid, palette.text, palette.neg, palette.pos];
  it.each(roles)('%s falls back to the light token', (role) => {
    const [, name, fallback] = /^var\((--[\w-]+),\s*([^)]+)\)$/.exec(role) ?? [];
    expect(name, role).toBeTruthy();
    expect(light.get(name!), `${name} in tokens.css`).toBeTruthy();
    expect(fallback!.toLowerCase()).toBe(light.get(name!)!.toLowerCase());
  });
  it('reads the light block (the check can fail)', () => {
    expect(light.get('--div-neg')).toBe('#2166ac');
    expect(light.get('--div-pos')).toBe('#b2182b');
  });
});
