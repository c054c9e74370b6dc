// `npm run lm:eval` on adapters PEFT wrote (bfloat16 DoRA with a rank pattern; PiSSA saved
// unconverted) prints, as its last line, PEFT's held-out loss and probe logits (fixtures by
// scripts/lm/variant_fixtures.py); with --qlora, what lm:finetune --qlora recorded; a folder it
// cannot read gets a message and exit code 2.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { readSafetensors } from '../../demos/export/safetensors';
import { relativeError } from '../../demos/test-support/lm';

const ROOT = join(import.meta.dirname, '..', '..');
const FIX = join(ROOT, 'demos', 'lm', 'fixtures', 'variants');
const run = promisify(execFile);

async function evalCli(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'scripts/lm/eval.ts', ...args], { cwd: ROOT, timeout: 120_000 });
    return { stdout, stderr, code: 0 };
  } catch (e) {
    const err = e as { stdout: string; stderr: string; code: number };
    return { stdout: err.stdout, stderr: err.stderr, code: err.code };
  }
}

describe('npm run lm:eval -- --adapter DIR', () => {
  for (const folder of ['peft-dora-patterns-bf16', 'peft-pissa-unconverted']) {
    it(`${folder}: the last line is { val_loss, probe_ids, probe_logits } equal to PEFT's`, async () => {
      const { stdout, code } = await evalCli(['--adapter', join(FIX, folder)]);
      expect(code).toBe(0);
      const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as { val_loss: number; probe_ids: number[]; probe_logits: number[] };
      expect(Object.keys(last).sort()).toEqual(['probe_ids', 'probe_logits', 'val_loss']);
      const check = JSON.parse(readFileSync(join(FIX, folder, 'check.json'), 'utf8')) as { val_loss: number };
      const logits = readSafetensors(new Uint8Array(readFileSync(join(FIX, folder, 'outputs.safetensors')))).tensors.find((t) => t.name === 'logits')!.data;
      const V = last.probe_logits.length;
      expect(last.probe_ids).toHaveLength(logits.length / V);
      expect(Math.abs(last.val_loss - check.val_loss) / check.val_loss).toBeLessThan(1e-5);
      expect(relativeError(last.probe_logits, logits.slice(logits.length - V))).toBeLessThan(1e-4);
    });
  }

  it('--qlora: an adapter the CLI trained on the NF4 base gives the held-out loss and probe logits lm:finetune recorded', async () => {
    const folder = join(FIX, 'cli-qlora');
    const { stdout, code } = await evalCli(['--adapter', folder, '--qlora']);
    expect(code).toBe(0);
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as { val_loss: number; probe_ids: number[]; probe_logits: number[] };
    const m = JSON.parse(readFileSync(join(folder, 'metrics.json'), 'utf8')) as { val_loss_after: number; probe_ids: number[]; probe_logits: number[] };
    expect(last.probe_ids).toEqual(m.probe_ids);
    expect(Math.abs(last.val_loss - m.val_loss_after) / m.val_loss_after).toBeLessThan(1e-6);
    expect(relativeError(last.probe_logits, m.probe_logits)).toBeLessThan(1e-6);
  });

  it('an adapter for another base model is refused with what is wrong (exit code 2)', async () => {
    const { stderr, code } = await evalCli(['--adapter', join(ROOT, 'demos', 'peft', 'fixtures', 'gqa-patterns-f32')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/SettingError: .*(another base model|adapts only|layers)/);
  });
});
