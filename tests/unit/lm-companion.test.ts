/**
 * companion/language_model.py (transformers + PEFT) trains exactly the run `npm run lm:finetune`
 * trains: at settings that move every knob off chapter 8's defaults, every step's training loss
 * agrees within 1e-3 relative (float32 round-off is ~1e-6) and the held-out losses before and
 * after within 1e-4 relative. That needs the same initial adapter (torch.manual_seed, then
 * get_peft_model's draws), the same batches (torch.randint from the same generator), the same
 * optimizer and loss: a different draw anywhere moves the losses by ~1e-2 from the first step.
 * Chapter 10's variants too (DoRA, gaussian and PiSSA inits, rank/alpha patterns, LoRA+, QLoRA),
 * each through PEFT's own mechanism; there the batches come from a generator seeded afresh after
 * the init, as lm:finetune's variant runs (trainVariant) draw them, and the saved adapters give
 * the same B·A per module (PiSSA's converted rank-2r adapter included, whose factors may differ
 * in sign from the engine's float64 SVD while the product does not).
 * Bad settings are ValueErrors that name the setting. Needs a Python with torch, transformers and
 * peft (companion-support's rules: skipped with the reason, a failure under COMPANION_REQUIRED=1).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LANGUAGE_MODEL_FILES, PUBLIC_DIR } from '../../demos/lm/files';
import { readSafetensors } from '../../demos/export/safetensors';
import { pythonOrSkip, repoRoot } from './companion-support';

const found = pythonOrSkip();
const SCRIPT = join(repoRoot, 'companion/language_model.py');
const TASK = LANGUAGE_MODEL_FILES.tasks.devil;
/** The files lm:finetune reads, given to the companion as flags (its defaults are a student's folder). */
const DATA = ['--model', join(PUBLIC_DIR, LANGUAGE_MODEL_FILES.modelDir), '--train-text', join(PUBLIC_DIR, TASK.train), '--val-text', join(PUBLIC_DIR, TASK.val)];

/**
 * Three settings, none at the defaults (rank 8, α 16, q,v, lr 3e-3, seed 0, batch 8, α/r, 300
 * steps): all seven targets with rsLoRA, odd ranks, targets listed out of the model's order, a
 * seed above 2¹⁶, batches of 3, 5 and 11, and 15 steps, which the engine runs as 10 unrolled steps
 * then 5 (its graph runs hold 10).
 */
/** A generous limit: these are correctness checks, and a loaded machine runs them slowly. */
const LIMIT_MS = 600_000;
const SETTINGS: string[][] = [
  ['--steps', '10', '--rank', '3', '--alpha', '5', '--targets', 'q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj', '--lr', '0.004', '--seed', '7', '--batch', '5', '--rslora'],
  ['--steps', '15', '--rank', '5', '--alpha', '12', '--targets', 'down_proj,v_proj', '--lr', '0.002', '--seed', '123457', '--batch', '3'],
  ['--steps', '10', '--rank', '1', '--alpha', '3', '--targets', 'up_proj,k_proj,o_proj', '--lr', '0.01', '--seed', '2', '--batch', '11', '--rslora'],
  // Chapter 10's variants, ten steps each (the variant flags change nothing about the step count's handling).
  // DoRA with a rank pattern (one key a regular expression) on the NF4 base (QLoRA).
  ['--steps', '10', '--rank', '3', '--alpha', '5', '--targets', 'q_proj,v_proj,up_proj', '--dora', '--rank-pattern', String.raw`v_proj=2,layers\.[13]\.mlp\.up_proj=6`, '--qlora', '--lr', '0.004', '--seed', '11', '--batch', '4'],
  // The gaussian init, LoRA+ at ratio 4, rsLoRA and an alpha pattern.
  ['--steps', '10', '--rank', '4', '--alpha', '6', '--targets', 'k_proj,o_proj,down_proj', '--init', 'gaussian', '--loraplus-ratio', '4', '--rslora', '--alpha-pattern', 'down_proj=3', '--lr', '0.002', '--seed', '5', '--batch', '3'],
  // PiSSA with a rank pattern (saved as PEFT converts it: rank 2r for the original base).
  ['--steps', '10', '--rank', '3', '--alpha', '7', '--targets', 'q_proj,gate_proj', '--init', 'pissa', '--rank-pattern', 'gate_proj=5', '--lr', '0.001', '--seed', '9', '--batch', '3'],
];

interface Metrics {
  train_losses: number[];
  val_loss_before: number;
  val_loss_after: number;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${out.slice(-3000)}`))));
  });
}

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe.skipIf(found.skip)(`companion/language_model.py trains lm:finetune's run (${found.reason})`, () => {
  for (const flags of SETTINGS) {
    it(flags.join(' '), async () => {
      const dir = mkdtempSync(join(tmpdir(), 'lm-companion-'));
      dirs.push(dir);
      const [, python] = await Promise.all([
        run('npm', ['run', '--silent', 'lm:finetune', '--', '--out', join(dir, 'engine'), ...flags]),
        run(found.python!, [SCRIPT, ...DATA, '--out', join(dir, 'peft'), ...flags]),
      ]);
      const engine = JSON.parse(readFileSync(join(dir, 'engine', 'metrics.json'), 'utf8')) as Metrics;
      const peft = JSON.parse(readFileSync(join(dir, 'peft', 'metrics.json'), 'utf8')) as Metrics;
      const steps = Number(flags[flags.indexOf('--steps') + 1]);
      expect(engine.train_losses).toHaveLength(steps);
      expect(peft.train_losses).toHaveLength(steps);
      const worst = Math.max(...peft.train_losses.map((l, t) => relative(l, engine.train_losses[t]!)));
      console.log(`${flags.join(' ')}: largest relative difference of a step's loss ${worst.toExponential(2)}; held-out ${relative(peft.val_loss_before, engine.val_loss_before).toExponential(2)} before, ${relative(peft.val_loss_after, engine.val_loss_after).toExponential(2)} after`);
      peft.train_losses.forEach((l, t) => expect(relative(l, engine.train_losses[t]!), `step ${t}: PEFT ${l}, engine ${engine.train_losses[t]}`).toBeLessThan(1e-3));
      expect(relative(peft.val_loss_before, engine.val_loss_before)).toBeLessThan(1e-4);
      expect(relative(peft.val_loss_after, engine.val_loss_after)).toBeLessThan(1e-4);
      if (flags.includes('--qlora')) {
        // The base's held-out loss in float32 and through NF4: the same quantised base on both sides.
        const [e, q] = [engine as Metrics & Record<string, number>, peft as Metrics & Record<string, number>];
        expect(relative(q.base_val_loss!, e.base_val_loss!)).toBeLessThan(1e-4);
        expect(relative(q.base_val_loss_float32!, e.base_val_loss_float32!)).toBeLessThan(1e-4);
        expect(e.base_val_loss).not.toBe(e.base_val_loss_float32);
      }
      // Training moved the held-out loss, so the comparison after it is not the base model's twice.
      expect(engine.val_loss_after).not.toBe(engine.val_loss_before);
      // PEFT saved the adapter it trained, under the names the engine writes.
      const tensors = (side: string) => new Map(readSafetensors(new Uint8Array(readFileSync(join(dir, side, 'adapter_model.safetensors')))).tensors.map((t) => [t.name, t]));
      const [mine, theirs] = [tensors('engine'), tensors('peft')];
      expect([...theirs.keys()].sort()).toEqual([...mine.keys()].sort());
      // Each module's B·A agrees (float32 round-off after training, ~1e-5 of its largest entry).
      let worstProduct = 0;
      for (const [name, a] of mine) {
        if (!name.includes('lora_A')) continue;
        const b = mine.get(name.replace('lora_A', 'lora_B'))!;
        const [a2, b2] = [theirs.get(name)!, theirs.get(name.replace('lora_A', 'lora_B'))!];
        expect(a2.shape).toEqual(a.shape);
        const [r, inp] = a.shape as [number, number];
        const out = b.shape[0]!;
        let diff = 0;
        let size = 0;
        for (let i = 0; i < out; i++) {
          for (let j = 0; j < inp; j++) {
            let p = 0;
            let q = 0;
            for (let k = 0; k < r; k++) {
              p += b.data[i * r + k]! * a.data[k * inp + j]!;
              q += b2.data[i * r + k]! * a2.data[k * inp + j]!;
            }
            diff = Math.max(diff, Math.abs(p - q));
            size = Math.max(size, Math.abs(p));
          }
        }
        worstProduct = Math.max(worstProduct, diff / size);
      }
      console.log(`${flags.join(' ')}: largest relative difference of a module's B·A ${worstProduct.toExponential(2)}`);
      expect(worstProduct).toBeLessThan(1e-3);
      expect(python).toContain('held-out loss');
    }, LIMIT_MS);
  }

  it('refuses bad settings with a ValueError that names the setting', async () => {
    // One Python process runs the script once per case (runpy), so torch loads once.
    const cases: Array<[string[], RegExp]> = [
      [['--rank', '0'], /rank must be a whole number from 1 to 128/],
      [['--rank', '2.5'], /rank must be a whole number/],
      [['--targets', 'q_proj,attn'], /targets: unknown module 'attn'/],
      [['--targets', ','], /targets: choose at least one module/],
      [['--lr', '-0.001'], /lr \(the learning rate\) must be a finite number above 0/],
      [['--alpha', 'nan'], /alpha must be a finite number above 0/],
      [['--batch', '0'], /batch must be a whole number from 1 to 64/],
      [['--steps', '0'], /steps must be a whole number from 1 to 5000/],
      [['--seed', '-1'], /seed must be a whole number from 0/],
      [['--init', 'loftq'], /init must be one of default, gaussian, pissa/],
      [['--rank-pattern', 'q_proj'], /rank-pattern: write module=value pairs/],
      [['--rank-pattern', 'q_proj=2.5'], /rank-pattern: the value for 'q_proj' must be a whole number/],
      [['--rank-pattern', 'v_proj=200'], /rank of model\.layers\.0\.self_attn\.v_proj \(from rank-pattern\) must be a whole number from 1 to 128/],
      [['--alpha-pattern', 'q_proj=-1'], /alpha-pattern: the value for 'q_proj' must be a finite number above 0/],
      [['--alpha-pattern', '(=3'], /alpha-pattern: the key '\(' is not a valid regular expression/],
      [['--loraplus-ratio', '0'], /loraplus-ratio .* must be a finite number above 0/],
      [['--init', 'pissa', '--dora'], /init: PiSSA with DoRA/],
      [['--init', 'pissa', '--qlora'], /init: PiSSA with QLoRA/],
      [['--init', 'pissa', '--rank', '65'], /PiSSA saves a rank-2r adapter, so the rank of .* must be at most 64/],
    ];
    const driver = [
      'import json, runpy, sys',
      `cases = json.loads(${JSON.stringify(JSON.stringify(cases.map(([a]) => a)))})`,
      'for args in cases:',
      `    sys.argv = [${JSON.stringify(SCRIPT)}] + ${JSON.stringify(DATA)} + args`,
      '    try:',
      `        runpy.run_path(${JSON.stringify(SCRIPT)}, run_name="__main__")`,
      '        print("no error")',
      '    except ValueError as e:',
      '        print("ValueError:", e)',
    ].join('\n');
    const out = (await run(found.python!, ['-c', driver])).split('\n').filter((l) => l.startsWith('ValueError') || l === 'no error');
    expect(out).toHaveLength(cases.length);
    cases.forEach(([args, message], i) => expect(out[i], args.join(' ')).toMatch(message));
  }, LIMIT_MS);
});
