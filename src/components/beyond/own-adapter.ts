/**
 * The page side of "bring your own adapter" (OwnAdapter.astro): files picked or dropped → base64
 * in this page → the engine worker's adapterArithmetic run with `own` → a table and a printout.
 * Nothing is uploaded; a file the engine cannot apply comes back as its message.
 */
import type { AdapterArithmeticResult, CombinationType, LmTask } from '../../../demos/index';
import { ROW_NAMES, TASK_NAMES } from '../../charts/beyond-lora';
import { engineClient, RunError } from '../../islands/engine-client';
import { adapterFiles } from '../../inspector/client';

const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** The result as HTML: each row's held-out losses, then the printout (description, merge check, continuations). */
export function ownResultHtml(r: AdapterArithmeticResult): string {
  const name = (a: string) => (a === 'own' ? `Your adapter (${r.own?.name ?? ''})` : (ROW_NAMES[a] ?? a));
  const head = `<tr><th>Weights</th>${r.tasks.map((t) => `<th>${esc(TASK_NAMES[t] ?? t)}</th>`).join('')}</tr>`;
  const rows = r.rows.map((row) => `<tr data-own-row="${esc(row.adapter)}"><td>${esc(name(row.adapter))}</td>${row.valLoss.map((v) => `<td>${v.toFixed(3)}</td>`).join('')}</tr>`).join('');
  const lines = [
    r.own ? `Your adapter: ${r.own.description}` : '',
    r.own ? `Merged into W + ΔW: max |logits(merged) − logits(unmerged)| = ${r.own.merge.maxAbsDifference.toExponential(2)} over ${r.own.merge.positions} positions` : '',
    `Combined (${r.settings.combination}, weights ${r.settings.weights.join(', ')}): r = ${r.combined.rank}, ‖ΔW − Σ wᵢΔWᵢ‖/‖Σ wᵢΔWᵢ‖ = ${r.combined.relativeDeviation.toExponential(2)}`,
    '',
    ...r.rows.flatMap((row) => [`${name(row.adapter)}:`, r.settings.prompt + row.sample, '']),
  ];
  return `<div class="own-table"><table><caption>Held-out loss (nats per character)</caption>${head}${rows}</table></div><pre data-own-printout>${esc(lines.join('\n'))}</pre>`;
}

export function startOwnAdapter(): void {
  const root = document.querySelector<HTMLElement>('[data-own-adapter]');
  if (!root) return;
  const q = <T extends Element>(sel: string) => root.querySelector<T>(sel)!;
  const form = q<HTMLFormElement>('[data-own-form]');
  const input = q<HTMLInputElement>('[data-own-files]');
  const drop = q<HTMLElement>('[data-own-drop]');
  const picked = q<HTMLElement>('[data-own-picked]');
  const run = q<HTMLButtonElement>('[data-own-run]');
  const status = q<HTMLElement>('[data-own-status]');
  const out = q<HTMLElement>('[data-own-result]');
  let files: File[] = [];
  const say = (text: string, kind: 'info' | 'error' = 'info') => {
    status.textContent = text;
    status.dataset.kind = kind;
  };
  const take = (list: FileList | null) => {
    files = [...(list ?? [])];
    const f = adapterFiles(files);
    picked.textContent = files.map((x) => x.name).join(', ');
    run.disabled = !!f.problem;
    say(f.problem ?? 'Ready: your files stay in this page.', f.problem ? 'error' : 'info');
  };
  input.addEventListener('change', () => take(input.files));
  drop.addEventListener('dragover', (e) => e.preventDefault());
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    take(e.dataTransfer?.files ?? null);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void (async () => {
      const f = adapterFiles(files);
      if (!f.config || !f.weights) return;
      const weights = q<HTMLInputElement>('[data-own-weights]').value.split(',').map((x) => Number(x.trim()));
      if (weights.length !== 2 || !weights.every(Number.isFinite)) {
        say('Weights: give two numbers separated by a comma (your adapter’s, then the task adapter’s).', 'error');
        return;
      }
      run.disabled = true;
      say('Loading the model and evaluating (a few seconds; longer the first time)…');
      try {
        const settings = {
          combination: q<HTMLSelectElement>('[data-own-combination]').value as CombinationType,
          weights: weights as [number, number],
          ownPartner: q<HTMLSelectElement>('[data-own-partner]').value as LmTask,
          own: { name: f.weights.webkitRelativePath.split('/').slice(-2, -1)[0] || 'picked files', config: await f.config.text(), safetensors: base64(new Uint8Array(await f.weights.arrayBuffer())) },
          root: import.meta.env.BASE_URL,
        };
        const r = await engineClient().run('adapterArithmetic', settings, 'auto').promise;
        out.innerHTML = ownResultHtml(r);
        say('Done.');
      } catch (err) {
        const where = err instanceof RunError && err.setting ? ` (${err.setting})` : '';
        say(`${(err as Error).message}${where}`, 'error');
      } finally {
        run.disabled = false;
      }
    })();
  });
}
