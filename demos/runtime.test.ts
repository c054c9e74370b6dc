import { describe, expect, it } from 'vitest';
import { isFallbackAdapter } from './runtime';

describe('isFallbackAdapter', () => {
  it('reads the flag where either generation of browsers puts it', () => {
    expect(isFallbackAdapter({ info: { isFallbackAdapter: true } })).toBe(true);
    expect(isFallbackAdapter({ isFallbackAdapter: true })).toBe(true);
    expect(isFallbackAdapter({ info: { isFallbackAdapter: false, vendor: 'nvidia' } })).toBe(false);
    expect(isFallbackAdapter({})).toBe(false);
  });
});
