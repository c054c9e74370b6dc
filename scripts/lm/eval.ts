/**
 * Evaluate a PEFT LoRA adapter folder on the committed base model (onnxruntime-web, WASM):
 *
 *   npm run lm:eval -- --adapter DIR [--qlora]
 *
 * DIR holds adapter_config.json and adapter_model.safetensors as PEFT saves them (float32, float16
 * or bfloat16; DoRA, rsLoRA, rank_pattern/alpha_pattern; init_lora_weights "pissa" saved without
 * conversion is applied on the residual base PEFT rebuilds when it loads one). --qlora evaluates
 * on the NF4-dequantised base (QLoRA's), which the adapter folder does not record.
 *
 * The last line printed is one JSON object { "val_loss", "probe_ids", "probe_logits" } with
 * metrics.json's meanings (scripts/lm/cli-common.ts): the mean cross-entropy in nats per token
 * over the same held-out windows, the same probe window, the logits at its last position.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SettingError } from '../../demos/errors';
import { LanguageModelEngine, adapterParameterCount, prepareVariant, quantizeBase, readPeftAdapter } from '../../demos/lm/index';
import { VAL_TEXT, flagValue, loadBase, measure, probeIds, readTokens, runCli } from './cli-common';

const USAGE = 'Usage: npm run lm:eval -- --adapter DIR [--qlora]';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  let dir = '';
  let qlora = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (flag === '--adapter') dir = flagValue(flag, argv[++i]);
    else if (flag === '--qlora') qlora = true;
    else throw new SettingError('usage', `Unknown option ${flag}. ${USAGE}`);
  }
  if (!dir) throw new SettingError('usage', `Say which adapter folder to read: --adapter DIR. ${USAGE}`);
  const folder = resolve(dir);
  for (const f of ['adapter_config.json', 'adapter_model.safetensors']) {
    if (!existsSync(join(folder, f))) {
      throw new SettingError('adapter', `${join(folder, f)} does not exist: a PEFT adapter folder holds adapter_config.json and adapter_model.safetensors${f.endsWith('.safetensors') && existsSync(join(folder, 'adapter_model.bin')) ? ' (this one has the older adapter_model.bin, a pickle this reader does not open: re-save it with safe_serialization=True)' : ''}.`);
    }
  }
  const model = loadBase();
  const adapter = readPeftAdapter(readFileSync(join(folder, 'adapter_config.json'), 'utf8'), new Uint8Array(readFileSync(join(folder, 'adapter_model.safetensors'))), model.config);
  let base = model;
  if (adapter.spec.init === 'pissa') {
    // PEFT loads an unconverted PiSSA adapter by re-running pissa_init on the base (W → W − s·B₀A₀) and then the trained A, B.
    base = prepareVariant(model, { lora: adapter.spec }, 0).base;
  }
  if (qlora) base = quantizeBase(base);
  const val = readTokens(model, VAL_TEXT);
  const engine = await LanguageModelEngine.create({ backend: 'wasm' });
  const { valLoss, probeLogits } = await measure(engine, base, val, adapter);
  await engine.dispose();
  const s = adapter.spec;
  console.log(
    `${folder}: ${s.targets.join(', ')}, r ${s.rank}, α ${s.alpha}${s.useRslora ? ', rsLoRA' : ''}${s.useDora ? ', DoRA' : ''}` +
      `${s.rankPattern ? `, rank_pattern ${JSON.stringify(s.rankPattern)}` : ''}${s.alphaPattern ? `, alpha_pattern ${JSON.stringify(s.alphaPattern)}` : ''}` +
      `${s.init === 'pissa' ? ', PiSSA (residual base)' : ''}${qlora ? ', NF4 base' : ''}; ${adapterParameterCount(model.config, s)} parameters`,
  );
  console.log(JSON.stringify({ val_loss: valLoss, probe_ids: probeIds(model, val), probe_logits: probeLogits }));
}

runCli(main);
