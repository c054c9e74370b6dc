import { describe, expect, it } from 'vitest';
import { proseWords, readingMinutes } from './reading-time';

describe('reading time', () => {
  it('counts prose words, not code, display maths or tags', () => {
    const mdx = [
      'One two three $x^2$ four.',
      '',
      '```python',
      'not counted at all here',
      '```',
      '',
      '$$',
      'W = W_0 + \\Delta W',
      '$$',
      '',
      '<Demo id="training" caption="Not counted either" />',
      '',
      'A [link text](../elsewhere/) ends it.',
    ].join('\n');
    // One two three formula four, A link text ends it: 10 words
    expect(proseWords(mdx)).toBe(10);
  });

  it('rounds to whole minutes, at least one', () => {
    expect(readingMinutes(0)).toBe(1);
    expect(readingMinutes(1000)).toBe(5);
    expect(readingMinutes(1099)).toBe(5);
    expect(readingMinutes(1100)).toBe(6);
    expect(readingMinutes(600, 300)).toBe(2);
  });
});
