/**
 * Chapter 8's "Load the adapter in Python" listing, run as printed: it must continue the prompt
 * exactly as the page does. The committed default run (demos/lm/results/default-run.json) holds
 * the base model's continuation for the demo's prompt, length, temperature and seed; an adapter
 * freshly made by PEFT has B = 0, so the listing, loading it, must print that same text. (That the
 * adapted logits match PEFT's for a trained adapter is demos/lm/peft.test.ts's check.)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LANGUAGE_MODEL_DEFAULTS as D } from '../../demos/index';
import { pythonOrSkip, repoRoot, runPython } from './companion-support';

const chapter = readFileSync(path.join(repoRoot, 'content/chapters/08-language-model.mdx'), 'utf8');
const section = chapter.slice(chapter.indexOf('## Load the adapter in Python'));
const listing = /```python\n([\s\S]*?)```/.exec(section)![1]!;
const run = JSON.parse(readFileSync(path.join(repoRoot, 'demos/lm/results/default-run.json'), 'utf8')) as {
  options: { prompt: string; sampleLength: number; temperature: number; seed: number };
  frame: { baseSample: string };
};

const found = pythonOrSkip();
// The listing needs transformers and peft besides torch (the companion venv has them).
const hasPeft = !!found.python && spawnSync(found.python, ['-c', 'import transformers, peft'], { encoding: 'utf8' }).status === 0;
if (found.python && !hasPeft && process.env.COMPANION_REQUIRED === '1') throw new Error(`COMPANION_REQUIRED=1 but ${found.python} lacks transformers or peft`);
const dir = mkdtempSync(path.join(tmpdir(), 'lm-listing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('chapter 8: the "Load the adapter in Python" listing', () => {
  it('uses the demo’s prompt, length, temperature and seed', () => {
    const m = /^prompt, length, temperature, seed = (".*?"), (\d+), ([\d.]+), (\d+)/m.exec(listing);
    expect(m, 'the settings line of the listing').not.toBeNull();
    expect([JSON.parse(m![1]!), Number(m![2]), Number(m![3]), Number(m![4])]).toEqual([D.prompt, D.sampleLength, D.temperature, D.seed]);
    expect(run.options).toMatchObject({ prompt: D.prompt, sampleLength: D.sampleLength, temperature: D.temperature, seed: D.seed });
  });

  it.skipIf(!hasPeft)(`continues the prompt as the page does (${found.reason})`, async () => {
    symlinkSync(path.join(repoRoot, 'public/models/austen-char-llama'), path.join(dir, 'austen-char-llama'));
    const setup = [
      'import os',
      `os.chdir(${JSON.stringify(dir)})`,
      'from peft import LoraConfig, get_peft_model',
      'from transformers import LlamaForCausalLM',
      '# A fresh PEFT adapter: B = 0, so the adapted model is the base model.',
      `get_peft_model(LlamaForCausalLM.from_pretrained("austen-char-llama"), LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"])).save_pretrained("devil-adapter")`,
      '',
    ].join('\n');
    const out = await runPython(found.python!, setup + listing);
    expect(out).toBe(`${run.options.prompt}${run.frame.baseSample}\n`);
  }, 300_000);
});
