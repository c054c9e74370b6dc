/**
 * A demo's Download menu, built each time it opens from what the demo shows now: every panel
 * as SVG and PNG, its data as CSV, the whole result as JSON, the trained adapter (JSON and
 * .safetensors with PEFT names) where there is one, and the .onnx graphs the demo ran.
 */
import type { Backend, ExperimentName } from '../../demos/index';
import { standaloneSvg, svgToPngBlob, toCsv } from '../charts/downloads';
import { engineClient } from './engine-client';
import { jsonBlob as json, type DownloadSource } from '../demo-kit/downloads';
import type { View } from '../demo-kit/view';

interface MenuContext {
  /** The demo id: file names start with lora-<id>-. */
  demo: string;
  experiment: ExperimentName;
  usesEngine: boolean;
  /** What is shown; `note` says what the files are when that is not plain (a run that stopped). */
  current: () => { view: View; result: unknown; isBuild: boolean; backend?: Backend; note?: string };
  extra: () => DownloadSource[];
}

export function save(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const titleOf = (svg: string) => /<title[^>]*>([^<]*)<\/title>/.exec(svg)?.[1]?.replace(/&amp;/g, '&') ?? 'figure';
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'figure';

export function setupDownloads(slot: HTMLElement, ctx: MenuContext): void {
  const details = slot.querySelector<HTMLDetailsElement>('[data-downloads]');
  const menu = slot.querySelector<HTMLElement>('[data-downloads-menu]');
  if (!details || !menu) return;

  const item = (src: DownloadSource) => {
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'demo-button';
    b.textContent = src.label;
    b.dataset.filename = src.filename;
    b.addEventListener('click', async () => {
      try {
        save(await src.make(), src.filename);
      } catch (e) {
        b.textContent = `${src.label} — failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    });
    li.append(b);
    return li;
  };

  const build = async () => {
    const { view, result, isBuild, backend, note } = ctx.current();
    const sources: DownloadSource[] = [];
    view.panels.forEach((p, i) => {
      const name = `lora-${ctx.demo}-${i + 1}-${slug(titleOf(p.svg))}`;
      sources.push({ label: `${titleOf(p.svg)} · SVG`, filename: `${name}.svg`, make: () => new Blob([standaloneSvg(p.svg)], { type: 'image/svg+xml' }) });
      sources.push({
        label: `${titleOf(p.svg)} · PNG`,
        filename: `${name}.png`,
        make: () => svgToPngBlob(p.svg, 1440, { background: getComputedStyle(document.documentElement).getPropertyValue('--color-bg').trim() || '#ffffff' }),
      });
      if (p.rows.length) sources.push({ label: `${titleOf(p.svg)} · data CSV`, filename: `${name}.csv`, make: () => new Blob([toCsv(p.rows)], { type: 'text/csv' }) });
    });
    for (const [i, t] of (view.tables ?? []).entries()) {
      const rows = t.rows.map((r) => Object.fromEntries(t.head.map((h, j) => [h, r[j] ?? ''])));
      sources.push({ label: `Table ${i + 1} · CSV`, filename: `lora-${ctx.demo}-table-${i + 1}.csv`, make: () => new Blob([toCsv(rows)], { type: 'text/csv' }) });
    }
    sources.push({ label: 'Result · JSON', filename: `lora-${ctx.demo}-result.json`, make: () => json(result) });
    sources.push(...ctx.extra());
    menu.replaceChildren(...sources.map(item));
    if (note) {
      const li = document.createElement('li');
      li.className = 'demo-muted';
      li.dataset.downloadsNote = '';
      li.textContent = note;
      menu.prepend(li);
    }
    if (ctx.usesEngine) {
      if (isBuild || !backend) {
        const li = document.createElement('li');
        li.innerHTML = '<span class="demo-muted">The .onnx graphs are listed after a live run.</span>';
        menu.append(li);
        return;
      }
      const experiment = ctx.experiment;
      let names: string[];
      try {
        ({ names } = await engineClient().graphs(experiment, backend));
      } catch (e) {
        const li = document.createElement('li');
        li.className = 'demo-muted';
        li.textContent = `The .onnx graphs are unavailable: ${e instanceof Error ? e.message : String(e)}`;
        menu.append(li);
        return;
      }
      for (const name of names) {
        menu.append(
          item({
            label: `Graph ${name} · .onnx (open in Netron)`,
            filename: `${slug(name)}.onnx`,
            make: async () => {
              const r = await engineClient().graphs(experiment, backend, name);
              if (!r.bytes) throw new Error('the engine no longer has this graph');
              return new Blob([r.bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
            },
          }),
        );
      }
    }
  };

  details.addEventListener('toggle', () => {
    if (!details.open) return;
    // The .onnx graphs are listed after the engine answers: `data-complete` says the list is whole.
    menu.removeAttribute('data-complete');
    void build().finally(() => menu.setAttribute('data-complete', ''));
  });
  // Escape closes the menu and returns focus to its button; so does leaving it (Tab past
  // the last item, a click elsewhere), so it never covers the controls under it.
  details.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && details.open) {
      ev.preventDefault();
      details.open = false;
      details.querySelector('summary')?.focus();
    }
  });
  details.addEventListener('focusout', (ev) => {
    const to = ev.relatedTarget;
    // (No relatedTarget: the window lost focus, e.g. to a save dialog; keep the menu.)
    if (details.open && to instanceof Node && !details.contains(to)) details.open = false;
  });
  document.addEventListener('pointerdown', (ev) => {
    if (details.open && !(ev.target instanceof Node && details.contains(ev.target))) details.open = false;
  });
}
