/**
 * Inspect a PEFT LoRA adapter folder, or compare two, from the command line:
 *
 *   npm run adapter:inspect -- DIR [--compare DIR2]
 *
 * DIR holds adapter_config.json and adapter_model.safetensors (float32, float16 or bfloat16).
 * Prints a line per module while it works and, as its last line, one JSON object:
 *   { "modules": [{ "name", "shape": [out, in], "rank", "scaling", "singular_values", "frobenius",
 *                   "alpha", "dtype", "effective_rank_90", "effective_rank_99", "dora_magnitude"? }],
 *     "similarity": [{ "name", "phi": [φ(1,1) … φ(k,k)] }],
 *     "skipped": [{ "name", "reason" }],
 *     "compared"?: { "modules", "skipped", "only_in_first", "only_in_second" } }
 * with `name` the module path without PEFT's `base_model.model.`, singular values those of s·B·A
 * (descending, `rank` of them), `frobenius` = ‖s·B·A‖_F and φ Hu et al.'s eq. 4 on the right
 * singular vectors, k = min(r₁, r₂). The same numbers as the inspector page (one engine).
 * Bad input: a message naming the file or setting on stderr, exit code 2.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SettingError } from '../../demos/errors';
import { inspectAdapters, inspectionJson } from '../../demos/inspect/index';
import { readPeftAdapter, type PeftAdapter } from '../../demos/peft/index';

const USAGE = 'Usage: npm run adapter:inspect -- DIR [--compare DIR2]   (DIR holds adapter_config.json and adapter_model.safetensors)';


function parseArgs(argv: string[]): { dir: string; compare?: string } {
  let dir: string | undefined;
  let compare: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--compare') {
      const v = argv[++i];
      if (!v || v.startsWith('--')) throw new SettingError('usage', `--compare needs a second adapter folder. ${USAGE}`);
      compare = v;
    } else if (a === '--help' || a === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('--')) throw new SettingError('usage', `Unknown option ${a}. ${USAGE}`);
    else if (dir === undefined) dir = a;
    else throw new SettingError('usage', `One adapter folder, and a second only after --compare; got a second one, ${a}. ${USAGE}`);
  }
  if (!dir) throw new SettingError('usage', `Say which adapter folder to read. ${USAGE}`);
  return { dir, ...(compare ? { compare } : {}) };
}

function load(dir: string): PeftAdapter {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new SettingError('usage', `${dir} is not a folder. ${USAGE}`);
  const cfg = join(dir, 'adapter_config.json');
  const st = join(dir, 'adapter_model.safetensors');
  for (const f of [cfg, st]) {
    if (!existsSync(f)) {
      const bin = existsSync(join(dir, 'adapter_model.bin')) ? ' (it has adapter_model.bin, a pickled PyTorch file this tool does not read: resave it with safetensors)' : '';
      throw new SettingError('usage', `${f} is missing${bin}.`);
    }
  }
  try {
    // The file is read once into one buffer and viewed, not copied (new Uint8Array(buffer) would
    // copy it); tensors are decoded from it one module at a time.
    const bytes = readFileSync(st);
    return readPeftAdapter(readFileSync(cfg, 'utf8'), new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    if (e instanceof SettingError) throw new SettingError(e.setting, `${dir}: ${e.message}`);
    throw e;
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const first = load(args.dir);
  const second = args.compare ? load(args.compare) : undefined;
  if (first.modules.length === 0) throw new SettingError('adapter', `${args.dir}: no LoRA module on a linear layer in this adapter${first.skipped.length ? ` (skipped: ${first.skipped.map((s) => s.name).join(', ')})` : ''}.`);
  const t0 = performance.now();
  const result = await inspectAdapters(first, second, {
    onProgress: ({ done, total, name }) => {
      if (done === total || done % 16 === 0 || total <= 64) process.stderr.write(`[${done}/${total}] ${name}\n`);
    },
  });
  for (const s of [...result.first.skipped, ...(result.second?.skipped ?? [])]) process.stderr.write(`skipped ${s.name}: ${s.reason}\n`);
  if (result.onlyInFirst.length) process.stderr.write(`only in ${args.dir}: ${result.onlyInFirst.join(', ')}\n`);
  if (result.onlyInSecond.length) process.stderr.write(`only in ${args.compare}: ${result.onlyInSecond.join(', ')}\n`);
  process.stderr.write(`${result.first.modules.length + (result.second?.modules.length ?? 0)} modules in ${((performance.now() - t0) / 1000).toFixed(2)} s\n`);
  process.stdout.write(JSON.stringify(inspectionJson(result)) + '\n');
}

main().catch((e: unknown) => {
  const bad = e instanceof SettingError;
  console.error(bad ? (e as Error).message : e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exit(bad ? 2 : 1);
});
