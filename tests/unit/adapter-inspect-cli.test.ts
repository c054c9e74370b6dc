/**
 * `npm run adapter:inspect` as a reader runs it: the JSON on its last line, and a clear message
 * with exit code 2 for bad input. The numbers themselves are checked against torch in
 * demos/inspect/inspect.test.ts (the CLI prints that engine's result).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const run = (...args: string[]) => {
  const r = spawnSync('npx', ['tsx', 'scripts/adapters/inspect.ts', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const FIX = 'demos/inspect/fixtures';

describe('adapter:inspect CLI', () => {
  it('prints one JSON object as its last line: modules, similarity, what is only in one adapter', () => {
    const r = run(`${FIX}/pair-r4`, '--compare', `${FIX}/pair-r8`);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    const j = JSON.parse(lines[lines.length - 1]!) as {
      modules: { name: string; shape: number[]; rank: number; scaling: number; singular_values: number[]; frobenius: number }[];
      similarity: { name: string; phi: number[] }[];
      compared: { only_in_second: string[] };
    };
    expect(j.modules).toHaveLength(6);
    const q = j.modules.find((m) => m.name === 'model.layers.0.self_attn.q_proj')!;
    expect([q.shape, q.rank, q.scaling, q.singular_values.length]).toEqual([[32, 32], 4, 2, 4]);
    expect(j.similarity.map((s) => s.phi.length)).toEqual([4, 4, 4, 4, 4, 4]);
    expect(j.compared.only_in_second).toEqual(['model.layers.0.self_attn.o_proj', 'model.layers.1.self_attn.o_proj']);
    expect(r.err).toContain('only in demos/inspect/fixtures/pair-r8: model.layers.0.self_attn.o_proj');
  });

  it('without --compare: similarity is empty', () => {
    const r = run(`${FIX}/llama-f16`);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out.trim().split('\n').pop()!) as { modules: unknown[]; similarity: unknown[] };
    expect([j.modules.length, j.similarity]).toEqual([4, []]);
  });

  it.each([
    [[], /Say which adapter folder to read/],
    [['no/such/dir'], /no\/such\/dir is not a folder/],
    [[FIX], /adapter_config.json is missing/],
    [[`${FIX}/ia3`], /"peft_type" is "IA3"; only LoRA adapters/],
    [[`${FIX}/llama-f16`, '--compare'], /--compare needs a second adapter folder/],
    [[`${FIX}/llama-f16`, '--rank', '4'], /Unknown option --rank/],
    [[`${FIX}/pair-r4`, '--compare', `${FIX}/gpt2-conv1d`, 'extra'], /got a second one, extra/],
  ])('bad input %j: a message naming it, exit code 2', (args, message) => {
    const r = run(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
  });
});
