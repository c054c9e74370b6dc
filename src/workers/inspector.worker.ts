/// <reference lib="webworker" />
/**
 * The adapter inspector's worker: reads one or two PEFT adapter folders (the reader's own files,
 * or an example fetched from this site) and runs demos/inspect on them, off the main thread.
 * The page cancels by terminating the worker, so nothing here needs to poll for it.
 *
 * A picked File is posted here as a handle (no bytes are copied by postMessage); its bytes are
 * read once, into the one buffer the tensors are decoded from, module by module.
 */
import { inspectAdapters, readPeftAdapter, SettingError, type PeftAdapter } from '../../demos/index';
import type { AdapterSource, FromInspector, ToInspector } from './inspector-protocol';

declare const self: DedicatedWorkerGlobalScope;

const post = (m: FromInspector) => self.postMessage(m);

async function load(src: AdapterSource): Promise<PeftAdapter> {
  let config: string;
  let weights: ArrayBuffer;
  if (src.kind === 'files') {
    config = await src.config.text();
    weights = await src.weights.arrayBuffer();
  } else {
    const get = async (file: string) => {
      const res = await fetch(new URL(file, src.url));
      if (!res.ok) throw new SettingError('adapter', `${src.label}: ${file} could not be fetched (HTTP ${res.status}).`);
      return res;
    };
    config = await (await get('adapter_config.json')).text();
    weights = await (await get('adapter_model.safetensors')).arrayBuffer();
  }
  try {
    return readPeftAdapter(config, new Uint8Array(weights));
  } catch (e) {
    throw e instanceof SettingError ? new SettingError(e.setting, `${src.label}: ${e.message}`) : e;
  }
}

self.onmessage = async (ev: MessageEvent<ToInspector>) => {
  const { first, second } = ev.data;
  try {
    post({ type: 'progress', done: 0, total: 0, name: 'reading the files' });
    const a = await load(first);
    const b = second ? await load(second) : undefined;
    if (a.modules.length === 0) throw new SettingError('adapter', `${first.label}: no LoRA module on a linear layer in this adapter.`);
    let last = 0;
    const inspection = await inspectAdapters(a, b, {
      onProgress: ({ done, total, name }) => {
        // At most ~30 reports a second: enough for a smooth bar, not a flood of messages.
        const now = performance.now();
        if (done === total || now - last > 33) {
          last = now;
          post({ type: 'progress', done, total, name });
        }
      },
    });
    post({ type: 'result', inspection });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
