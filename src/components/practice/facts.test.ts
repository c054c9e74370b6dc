// Chapter 9's prose numbers: every name the chapter uses resolves against the committed study and
// the memory walk, an unknown name or a point the study lacks fails (so the build fails), and the
// comparisons the prose states in words hold in the committed numbers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRACTICE_RUN, practiceMemory, type FileSource } from '../../../demos/index';
import { derived, practiceNumber, type PracticeFacts } from './facts';

const files: FileSource = { read: async (path) => new Uint8Array(readFileSync(join(process.cwd(), 'public', path))) };
const chapter = readFileSync(join(process.cwd(), 'content/chapters/09-in-practice.mdx'), 'utf8');
const names = [...chapter.matchAll(/<PracticeNumber name="([^"]+)" \/>/g)].map((m) => m[1]!);
const facts = async (): Promise<PracticeFacts> => ({ run: PRACTICE_RUN, memory: await practiceMemory(undefined, {}, { files }) });

describe('chapter 9 numbers', () => {
  it('every name in the chapter resolves', async () => {
    const f = await facts();
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect(practiceNumber(f, n), n).toMatch(/\S/);
  });

  it('an unknown name, or a point the study does not hold, fails', async () => {
    const f = await facts();
    expect(() => practiceNumber(f, 'nonsense')).toThrow(/unknown/);
    expect(() => practiceNumber(f, 'point.no-such-point.loss')).toThrow(/no point "no-such-point"/);
  });

  it('quotes the committed numbers as they are', async () => {
    const f = await facts();
    expect(practiceNumber(f, 'point.qv-r8.loss')).toBe(PRACTICE_RUN.points['qv-r8']!.task.loss.toFixed(3));
    expect(practiceNumber(f, 'base.austen')).toBe(PRACTICE_RUN.base.austen.loss.toFixed(3));
    const d = derived(PRACTICE_RUN);
    expect(practiceNumber(f, 'lr.ratio')).toBe(String(Math.round(d.bestLora!.p.spec.lr / d.bestFull!.p.spec.lr)));
  });

  it('the memory the prose describes: activations dominate the small model, optimizer and gradients dominate full 7B', async () => {
    const { memory } = await facts();
    const [smallLora, smallFull, bigLora, bigFull, qlora] = memory.rows;
    expect(smallLora!.memory.activations).toBeGreaterThan(smallLora!.memory.frozen);
    expect(smallFull!.memory.activations).toBeGreaterThan(smallFull!.memory.optimizer);
    expect(smallLora!.total).toBeGreaterThan(smallFull!.total / 2); // "saves well under half"
    expect(bigFull!.memory.optimizer + bigFull!.memory.gradients).toBeGreaterThan(bigFull!.total / 2);
    expect(bigLora!.memory.frozen + bigLora!.memory.activations).toBeGreaterThan(0.99 * bigLora!.total);
    expect(qlora!.memory.frozen).toBeLessThan(bigLora!.memory.frozen / 5);
  });
});
