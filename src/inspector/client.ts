/**
 * The inspector page's controller: files picked or dropped (or an example) → the worker → the
 * view. One run at a time; Cancel terminates the worker (the next run starts a fresh one), so a
 * cancel is immediate even in the middle of a module. Every result, build-time or live, is
 * drawn by src/inspector/view.ts, and the CLI's JSON of what is on screen is kept in
 * [data-inspection-json] (what the e2e test compares with `npm run adapter:inspect`).
 */
import { inspectionJson, type AdapterInspection } from '../../demos/index';
import { attachTooltips } from '../charts/tooltip';
import type { AdapterSource, FromInspector, ToInspector } from '../workers/inspector-protocol';
import { EXAMPLES } from './examples';
import { detailHtml, gridsHtml, moduleChoices, skippedHtml, summaryHtml, tableHtml, type Labels } from './view';

type Slot = 'first' | 'second';

const $ = <T extends Element>(root: ParentNode, sel: string): T => {
  const el = root.querySelector<T>(sel);
  if (!el) throw new Error(`inspector: ${sel} is missing from the page.`);
  return el;
};

/**
 * Sort a set of picked files into one adapter folder's two. A folder dropped whole arrives as
 * its files; anything else in it (README.md, training_args.bin) is ignored.
 */
export function adapterFiles(files: File[]): { config?: File; weights?: File; problem?: string } {
  const config = files.find((f) => f.name === 'adapter_config.json') ?? files.find((f) => f.name.endsWith('.json') && !/^(tokenizer|special_tokens|trainer_state|metrics)/.test(f.name));
  const weights = files.find((f) => f.name.endsWith('.safetensors'));
  let problem: string | undefined;
  if (!weights && files.some((f) => f.name.endsWith('.bin'))) problem = 'adapter_model.bin is a pickled PyTorch file, which a browser cannot read safely: save the adapter with safetensors (PEFT’s default since 0.6).';
  else if (!weights) problem = 'adapter_model.safetensors is missing: pick it together with adapter_config.json.';
  else if (!config) problem = 'adapter_config.json is missing: it holds r, lora_alpha and the patterns, without which the scaling is unknown.';
  return { ...(config ? { config } : {}), ...(weights ? { weights } : {}), ...(problem ? { problem } : {}) };
}

export function startInspector(): void {
  const form = $<HTMLFormElement>(document, '[data-inspector-form]');
  const result = $<HTMLElement>(document, '[data-result]');
  const runBtn = $<HTMLButtonElement>(form, '[data-run]');
  const cancelBtn = $<HTMLButtonElement>(form, '[data-cancel]');
  const clearBtn = $<HTMLButtonElement>(form, '[data-clear]');
  const progress = $<HTMLElement>(form, '[data-progress]');
  const bar = $<HTMLProgressElement>(form, '[data-bar]');
  const progressText = $<HTMLElement>(form, '[data-progress-text]');
  const errorEl = $<HTMLElement>(form, '[data-error]');
  const select = $<HTMLSelectElement>(result, '[data-module-select]');
  const picked: Record<Slot, File[]> = { first: [], second: [] };

  let worker: Worker | undefined;
  let shown: { inspection: AdapterInspection; labels: Labels } | undefined;
  attachTooltips(result);

  const showError = (message: string) => {
    errorEl.textContent = message;
    errorEl.hidden = false;
  };
  const clearError = () => {
    errorEl.hidden = true;
    errorEl.textContent = '';
  };

  const describe = (slot: Slot) => {
    const out = $<HTMLElement>(form, `[data-picked="${slot}"]`);
    const files = picked[slot];
    if (!files.length) {
      out.textContent = '';
      return;
    }
    const { problem } = adapterFiles(files);
    const size = (n: number) => (n < 1e6 ? `${Math.max(1, Math.round(n / 1e3))} kB` : `${(n / 1e6).toFixed(1)} MB`);
    out.textContent = `${files.map((f) => `${f.name} (${size(f.size)})`).join(', ')}${problem ? ` — ${problem}` : ''}`;
  };
  const refreshButtons = () => {
    runBtn.disabled = picked.first.length === 0 || worker !== undefined;
    clearBtn.hidden = picked.first.length + picked.second.length === 0;
  };

  const setFiles = (slot: Slot, files: File[]) => {
    picked[slot] = files;
    describe(slot);
    clearError();
    refreshButtons();
  };

  for (const slot of ['first', 'second'] as const) {
    const input = $<HTMLInputElement>(form, `[data-files="${slot}"]`);
    input.addEventListener('change', () => setFiles(slot, [...(input.files ?? [])]));
    const drop = $<HTMLElement>(form, `[data-drop="${slot}"]`);
    drop.addEventListener('dragover', (e) => {
      e.preventDefault();
      drop.dataset.over = '';
    });
    drop.addEventListener('dragleave', () => delete drop.dataset.over);
    drop.addEventListener('drop', (e) => {
      e.preventDefault();
      delete drop.dataset.over;
      setFiles(slot, [...(e.dataTransfer?.files ?? [])]);
    });
  }
  clearBtn.addEventListener('click', () => {
    for (const slot of ['first', 'second'] as const) {
      $<HTMLInputElement>(form, `[data-files="${slot}"]`).value = '';
      setFiles(slot, []);
    }
  });

  const finish = () => {
    worker?.terminate();
    worker = undefined;
    cancelBtn.hidden = true;
    refreshButtons();
    for (const b of form.querySelectorAll<HTMLButtonElement>('[data-example]')) b.disabled = false;
  };

  const draw = (inspection: AdapterInspection, labels: Labels, title: string, source: string) => {
    shown = { inspection, labels };
    $<HTMLElement>(result, '[data-result-title]').textContent = title;
    $<HTMLElement>(result, '[data-summary]').innerHTML = summaryHtml(inspection, labels);
    $<HTMLElement>(result, '[data-grids]').innerHTML = gridsHtml(inspection, labels);
    $<HTMLElement>(result, '[data-table]').innerHTML = tableHtml(inspection, labels, true);
    $<HTMLElement>(result, '[data-skipped]').innerHTML = skippedHtml(inspection, labels);
    $<HTMLElement>(result, '[data-inspection-json]').textContent = JSON.stringify(inspectionJson(inspection));
    const names = moduleChoices(inspection);
    select.innerHTML = '';
    for (const n of names) select.add(new Option(n, n));
    select.disabled = names.length === 0;
    pick(inspection.similarity[0]?.name ?? names[0] ?? '');
    result.dataset.source = source;
    result.dataset.state = 'done';
  };

  const pick = (name: string) => {
    if (!shown) return;
    select.value = name;
    $<HTMLElement>(result, '[data-detail]').innerHTML = detailHtml(shown.inspection, name, shown.labels);
    for (const tr of result.querySelectorAll<HTMLTableRowElement>('tr[data-name]')) {
      if (tr.dataset.name === name) tr.setAttribute('aria-current', 'true');
      else tr.removeAttribute('aria-current');
    }
  };
  select.addEventListener('change', () => pick(select.value));
  result.addEventListener('click', (e) => {
    const b = (e.target as Element).closest<HTMLButtonElement>('button[data-module]');
    if (b) {
      pick(b.dataset.module!);
      $<HTMLElement>(result, '[data-detail]').scrollIntoView({ behavior: 'smooth', block: 'nearest' });
    }
  });

  const run = (msg: ToInspector, labels: Labels, title: string, source: string) => {
    finish();
    clearError();
    const w = new Worker(new URL('../workers/inspector.worker.ts', import.meta.url), { type: 'module', name: 'inspector' });
    worker = w;
    result.dataset.state = 'running';
    progress.hidden = false;
    bar.removeAttribute('value'); // indeterminate while the files are read
    progressText.textContent = 'Reading the files…';
    cancelBtn.hidden = false;
    refreshButtons();
    for (const b of form.querySelectorAll<HTMLButtonElement>('[data-example]')) b.disabled = true;
    const t0 = performance.now();
    w.onmessage = (ev: MessageEvent<FromInspector>) => {
      if (w !== worker) return;
      const m = ev.data;
      if (m.type === 'progress') {
        if (m.total > 0) {
          bar.max = m.total;
          bar.value = m.done;
          progressText.textContent = `${m.done} of ${m.total} modules — ${m.name}`;
        }
      } else if (m.type === 'result') {
        const s = ((performance.now() - t0) / 1000).toFixed(1);
        progressText.textContent = `Done: ${m.inspection.first.modules.length + (m.inspection.second?.modules.length ?? 0)} modules in ${s} s.`;
        bar.max = 1;
        bar.value = 1;
        finish();
        draw(m.inspection, labels, title, source);
      } else {
        progress.hidden = true;
        finish();
        result.dataset.state = 'error';
        showError(m.message);
      }
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      progress.hidden = true;
      finish();
      showError(`The inspector's worker failed: ${ev.message || 'unknown error'}.`);
    };
    w.postMessage(msg);
  };

  cancelBtn.addEventListener('click', () => {
    finish();
    progressText.textContent = 'Cancelled; what is shown below is the previous result.';
    bar.value = 0;
    result.dataset.state = 'cancelled';
  });

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = adapterFiles(picked.first);
    if (a.problem) return showError(`Adapter: ${a.problem}`);
    const sources: AdapterSource[] = [{ kind: 'files', label: a.weights!.name === 'adapter_model.safetensors' ? 'your adapter' : a.weights!.name, config: a.config!, weights: a.weights! }];
    if (picked.second.length) {
      const b = adapterFiles(picked.second);
      if (b.problem) return showError(`Compare with: ${b.problem}`);
      sources.push({ kind: 'files', label: 'second adapter', config: b.config!, weights: b.weights! });
    }
    const [first, second] = sources as [AdapterSource, AdapterSource | undefined];
    const labels: Labels = { first: first.label, ...(second ? { second: second.label } : {}) };
    run({ first, ...(second ? { second } : {}) }, labels, second ? 'Your two adapters' : 'Your adapter', 'files');
  });

  for (const b of form.querySelectorAll<HTMLButtonElement>('[data-example]')) {
    b.addEventListener('click', () => {
      const ex = EXAMPLES.find((x) => x.id === b.dataset.example)!;
      const src = (a: { folder: string; label: string }): AdapterSource => ({
        kind: 'url',
        label: a.label,
        url: new URL(`${import.meta.env.BASE_URL}adapters/${a.folder}/`, location.href).href,
      });
      const labels: Labels = { first: ex.first.label, ...(ex.second ? { second: ex.second.label } : {}) };
      run({ first: src(ex.first), ...(ex.second ? { second: src(ex.second) } : {}) }, labels, ex.title, `example:${ex.id}`);
    });
  }

  // The build-time example embeds its whole inspection: draw it with this page's live view (table
  // names become buttons, the module picker works) without computing anything again.
  const embedded = result.querySelector<HTMLScriptElement>('[data-inspection-full]');
  if (embedded?.textContent) {
    const { inspection, labels, title } = JSON.parse(embedded.textContent) as { inspection: AdapterInspection; labels: Labels; title: string };
    draw(inspection, labels, title, result.dataset.source ?? 'example');
    embedded.remove();
  }
  refreshButtons();
  form.dataset.ready = 'true';
}
