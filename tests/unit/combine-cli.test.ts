/**
 * `npm run lm:combine` end to end: the folder it writes loads in PEFT (PeftModel's load_adapter,
 * what from_pretrained runs) and equals PEFT's own add_weighted_adapter at settings that are not
 * in demos/lm/variants/fixtures (scripts/lm/check_combine.py compares every module's ΔW and the
 * logits). Skipped with the reason when no Python with torch is found, a failure when
 * COMPANION_REQUIRED=1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pythonOrSkip, repoRoot } from './companion-support';

const IN = path.join(repoRoot, 'demos/lm/variants/fixtures/inputs');
const tmp = mkdtempSync(path.join(tmpdir(), 'lm-combine-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Run a command without blocking the test worker (a blocked worker misses vitest's RPC deadlines). */
function run(cmd: string, args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
const combine = (args: string[]): ReturnType<typeof run> => run(path.join(repoRoot, 'node_modules/.bin/tsx'), ['scripts/lm/combine.ts', ...args]);

describe('lm:combine, bad input', () => {
  it('names the setting and exits 2', async () => {
    const a = `${IN}/a`;
    const c = `${IN}/c`;
    const cases: [string[], RegExp][] = [
      [['--adapters', `${a},${c}`, '--weights', '1,1', '--combination', 'linear', '--out', tmp], /same r value/],
      [['--adapters', `${a},${c}`, '--weights', '1,1', '--combination', 'dare_ties', '--out', tmp], /--combination dare_ties is not one of/],
      [['--adapters', `${a},${c}`, '--weights', '1', '--combination', 'cat', '--out', tmp], /2 adapters but 1 weights/],
      [['--adapters', `${a},${c}`, '--weights', '1,1', '--combination', 'cat'], /--out DIR/],
      [['--adapters', `${a},${IN}/nothing`, '--weights', '1,1', '--combination', 'cat', '--out', tmp], /not a PEFT adapter folder/],
      [['--adapters', `${a},${IN}/b`, '--weights', '1,1', '--combination', 'ties', '--out', tmp], /needs --density/],
      [['--adapters', `${a},${IN}/b`, '--weights', '1,x', '--combination', 'ties', '--out', tmp], /--weights needs a number/],
    ];
    for (const [args, message] of cases) {
      const r = await combine(args);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.status).toBe(2);
    }
  });
});

const py = pythonOrSkip();
describe.skipIf(py.skip)(`lm:combine against PEFT's add_weighted_adapter (${py.reason})`, () => {
  const configs: { adapters: string[]; weights: number[]; combination: string; density?: number; svd_rank?: number }[] = [
    { adapters: ['a', 'b', 'c'], weights: [1.1, -0.3, 0.5], combination: 'cat' },
    { adapters: ['b', 'c'], weights: [1, -0.7], combination: 'svd', svd_rank: 5 },
    { adapters: ['b', 'a'], weights: [-1, 0.5], combination: 'ties', density: 0.7 },
    { adapters: ['a', 'b'], weights: [0.1, 3], combination: 'magnitude_prune', density: 0.15 },
    { adapters: ['b', 'a'], weights: [2, 0.25], combination: 'linear' },
    { adapters: ['d', 'b'], weights: [0.5, 1.5], combination: 'svd', svd_rank: 6 },
  ];
  it(`writes folders that load in PEFT and equal its result: ${configs.map((c) => `${c.combination} of ${c.adapters.join(',')} at ${c.weights.join(',')}`).join('; ')}`, async () => {
    const jobs = [];
    for (const [i, c] of configs.entries()) {
      const dir = path.join(tmp, `c${i}`);
      const adapters = c.adapters.map((n) => `${IN}/${n}`);
      const r = await combine(['--adapters', adapters.join(','), '--weights', c.weights.join(','), '--combination', c.combination, '--out', dir,
        ...(c.density === undefined ? [] : ['--density', String(c.density)]), ...(c.svd_rank === undefined ? [] : ['--svd-rank', String(c.svd_rank)])]);
      expect(r.status, r.stderr).toBe(0);
      jobs.push({ ...c, adapters, dir });
    }
    const jobsFile = path.join(tmp, 'jobs.json');
    writeFileSync(jobsFile, JSON.stringify(jobs));
    // One Python start for all five checks, asynchronously so the test worker stays responsive.
    const { status: code, stdout, stderr } = await run(py.python!, ['scripts/lm/check_combine.py', '--jobs', jobsFile]);
    const results = stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as {
      loaded: boolean; config_differences: object; modules: number; max_delta_rel: number; logits_rel: number; max_magnitude_rel?: number; ok: boolean;
    });
    expect(results.length, stderr.slice(-2000)).toBe(configs.length);
    results.forEach((r, i) => {
      const svd = configs[i]!.combination === 'svd';
      expect(r.loaded, `${configs[i]!.combination}: ${stderr.slice(-500)}`).toBe(true);
      expect(r.config_differences).toEqual({});
      expect(r.modules).toBeGreaterThan(0);
      expect(r.max_delta_rel).toBeLessThan(svd ? 1e-4 : 1e-6);
      expect(r.logits_rel).toBeLessThan(svd ? 1e-4 : 1e-6);
      // A DoRA first adapter makes a DoRA result: its magnitudes are checked too.
      if (configs[i]!.adapters[0] === 'd') expect(r.max_magnitude_rel).toBeLessThan(1e-6);
    });
    expect(code).toBe(0);
  }, 600_000);
});
