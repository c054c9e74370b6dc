/**
 * The inspector page's view: an `AdapterInspection` (demos/inspect) → HTML and SVG strings. Pure,
 * so the page renders the shipped example at build time with the very functions the browser uses
 * for a reader's own files.
 */
import type { AdapterInspection, AdapterSummary, ModuleInspection, ModuleSimilarity } from '../../demos/index';
import { adapterGrid, shortKind } from '../charts/adapter-grid';
import { barChart } from '../charts/bar-chart';
import { lineChart } from '../charts/line-chart';
import { esc, formatCount, formatValue } from '../charts/svg';

export interface Labels {
  first: string;
  second?: string;
}

const panel = (svg: string) => `<div class="demo-panel">${svg}</div>`;
const panels = (svgs: string[]) => `<div class="demo-panels" data-panels data-count="${svgs.length}">${svgs.map(panel).join('')}</div>`;
const fmtS = (v: number) => (Number.isInteger(v) ? String(v) : formatValue(v));

/** The grid's rows (layers) and columns (module kinds), in the model's order. */
export function gridOf(s: AdapterSummary): { rows: string[]; cols: string[]; values: number[] } {
  const layers: string[] = [];
  const kinds: string[] = [];
  for (const m of s.modules) {
    if (!layers.includes(m.layer)) layers.push(m.layer);
    if (!kinds.includes(m.kind)) kinds.push(m.kind);
  }
  const values = new Array<number>(layers.length * kinds.length).fill(NaN);
  for (const m of s.modules) values[layers.indexOf(m.layer) * kinds.length + kinds.indexOf(m.kind)] = m.frobenius;
  // `model.layers.3` → `3` when every row shares the prefix (the usual case), else the full path.
  const prefixes = new Set(layers.map((l) => l.replace(/\.?\d+$/, '')));
  const rows = prefixes.size === 1 ? layers.map((l) => /(\d+)$/.exec(l)?.[1] ?? l) : layers;
  return { rows, cols: kinds.map((k) => k || '(whole)'), values };
}

function normGrid(s: AdapterSummary, label: string, max: number): string {
  const g = gridOf(s);
  return adapterGrid({
    title: `‖ΔW‖ (Frobenius norm) per layer and module`,
    subtitle: label,
    desc: `Heat map of the Frobenius norm of s·B·A for each of ${s.modules.length} adapted modules of ${label}, layers as rows and module kinds (${g.cols.map(shortKind).join(', ')}) as columns; darker is larger, up to ${formatValue(max)}.`,
    id: `inspector-grid-${label.replace(/\W+/g, '-')}`,
    ...g,
    name: '‖ΔW‖',
    max,
  });
}

/** One-paragraph summary of what was read. */
export function summaryHtml(r: AdapterInspection, labels: Labels): string {
  const one = (s: AdapterSummary, label: string) => {
    const ranks = [...new Set(s.modules.map((m) => m.rank))].sort((a, b) => a - b);
    const dtypes = [...new Set(s.modules.map((m) => m.dtype))];
    const flags = [s.rslora && 'rsLoRA (s = α/√r)', s.dora && 'DoRA', s.fanInFanOut && 'fan_in_fan_out (Conv1D layout)'].filter(Boolean);
    return (
      `<strong>${esc(label)}</strong>: ${formatCount(s.modules.length)} LoRA modules, rank ${ranks.join(', ')}, ${dtypes.join(', ')}` +
      `${flags.length ? `, ${flags.join(', ')}` : ''}; ${formatValue(s.bytes / 1e6)} MB of tensors` +
      `${s.skipped.length ? `; <a href="#inspector-skipped">${s.skipped.length} tensor${s.skipped.length > 1 ? 's' : ''} not read</a>` : ''}.`
    );
  };
  let out = `<p>${one(r.first, labels.first)}</p>`;
  if (r.second && labels.second) {
    out += `<p>${one(r.second, labels.second)}</p>`;
    out += `<p>${r.similarity.length} module${r.similarity.length === 1 ? '' : 's'} in both${r.onlyInFirst.length ? `; only in ${esc(labels.first)}: ${r.onlyInFirst.map((n) => `<code>${esc(n)}</code>`).join(', ')}` : ''}${r.onlyInSecond.length ? `; only in ${esc(labels.second)}: ${r.onlyInSecond.map((n) => `<code>${esc(n)}</code>`).join(', ')}` : ''}.</p>`;
  }
  return out;
}

/** Heat maps of ‖ΔW‖_F (one per adapter, on one colour scale). */
export function gridsHtml(r: AdapterInspection, labels: Labels): string {
  const all = [...r.first.modules, ...(r.second?.modules ?? [])].map((m) => m.frobenius);
  const max = Math.max(0, ...all);
  const svgs = [normGrid(r.first, labels.first, max)];
  if (r.second && labels.second) svgs.push(normGrid(r.second, labels.second, max));
  return panels(svgs);
}

/** The per-module table; with `interactive`, module names are buttons that pick the detail view. */
export function tableHtml(r: AdapterInspection, labels: Labels, interactive: boolean): string {
  const phiOf = new Map(r.similarity.map((s) => [s.name, s]));
  const dora = r.first.dora;
  const row = (m: ModuleInspection) => {
    const s = phiOf.get(m.name);
    const name = interactive ? `<button type="button" class="linklike" data-module="${esc(m.name)}">${esc(m.name)}</button>` : esc(m.name);
    return (
      `<tr data-name="${esc(m.name)}"><th scope="row">${name}</th><td>${m.shape[0]}×${m.shape[1]}</td><td>${m.dtype}</td><td>${m.rank}</td><td>${fmtS(m.alpha)}</td>` +
      `<td>${fmtS(m.scaling)}</td><td data-value="${m.frobenius}">${formatValue(m.frobenius)}</td><td>${formatValue(m.singularValues[0] ?? 0)}</td>` +
      `<td>${m.effectiveRank90}</td><td>${m.effectiveRank99}</td>` +
      (dora ? `<td>${m.magnitude ? `${formatValue(m.magnitude.min)} … ${formatValue(m.magnitude.max)}` : '—'}</td>` : '') +
      (r.second ? `<td>${s ? formatValue(s.phi[s.phi.length - 1]!) : '—'}</td>` : '') +
      `</tr>`
    );
  };
  const head = ['module', 'shape (out×in)', 'dtype', 'r', 'α', 's', '‖ΔW‖ (Frobenius)', 'σ₁', 'eff. rank 90 %', 'eff. rank 99 %', ...(dora ? ['DoRA m (min … max)'] : []), ...(r.second ? ['φ(k, k) vs second'] : [])];
  return (
    `<div class="inspector-table-wrap"><table class="demo-table inspector-table"><caption>${esc(labels.first)}: every adapted module` +
    `${r.second ? `; φ(k, k) with k = min(r₁, r₂), against ${esc(labels.second ?? '')}` : ''}</caption>` +
    `<thead><tr>${head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead><tbody>${r.first.modules.map(row).join('')}</tbody></table></div>`
  );
}

/** What could not be read, by name and reason. */
export function skippedHtml(r: AdapterInspection, labels: Labels): string {
  const list = (s: AdapterSummary, label: string) =>
    s.skipped.length ? `<p>In ${esc(label)}:</p><ul>${s.skipped.map((x) => `<li><code>${esc(x.name)}</code>: ${esc(x.reason)}</li>`).join('')}</ul>` : '';
  const body = list(r.first, labels.first) + (r.second && labels.second ? list(r.second, labels.second) : '');
  return body ? `<h3 id="inspector-skipped">Not read</h3>${body}` : '';
}

function spectrumChart(m: ModuleInspection, other: ModuleInspection | undefined, labels: Labels): string {
  const series: [{ label: string; values: number[] }] | [{ label: string; values: number[] }, { label: string; values: number[] }] = other
    ? [{ label: labels.first, values: m.singularValues }, { label: labels.second ?? 'second', values: other.singularValues }]
    : [{ label: labels.first, values: m.singularValues }];
  return barChart({
    title: `Singular values of s·B·A`,
    subtitle: m.name,
    desc: `The ${m.rank} singular values of ΔW = s·B·A for ${m.name}, largest ${formatValue(m.singularValues[0] ?? 0)}; 90 % of ‖ΔW‖²_F lies in the first ${m.effectiveRank90}, 99 % in the first ${m.effectiveRank99}.`,
    id: 'inspector-spectrum',
    series,
    xLabel: 'i',
    yLabel: 'σᵢ',
    refLines: other ? [] : [{ axis: 'x', value: m.effectiveRank90 + 0.5, label: '90 %', soft: true }, { axis: 'x', value: m.effectiveRank99 + 0.5, label: '99 %', soft: true }],
    tip: (i, v) => v.map((x, k) => `${series[k]?.label}: σ${i} = ${x === undefined ? '—' : formatValue(x)}`).join('; '),
    legend: !!other,
  });
}

function phiCharts(s: ModuleSimilarity, labels: Labels): string[] {
  const k = s.phi.length;
  const line = lineChart({
    title: 'Subspace similarity φ(i, i)',
    subtitle: s.name,
    desc: `φ(i, i) = ‖V₁ᵢᵀV₂ᵢ‖²_F / i between the top-i right singular vectors of ${labels.first} (r = ${s.ranks[0]}) and ${labels.second} (r = ${s.ranks[1]}) for i = 1 … ${k}; φ(1, 1) = ${formatValue(s.phi[0] ?? 0)}, φ(${k}, ${k}) = ${formatValue(s.phi[k - 1] ?? 0)}.`,
    id: 'inspector-phi-diag',
    series: [{ label: 'φ(i, i)', y: s.phi, x: s.phi.map((_, i) => i + 1) }],
    x: { label: 'i', integer: true, domain: [1, Math.max(k, 2)] },
    y: { label: 'φ', domain: [0, 1] },
    markers: k <= 32,
    tip: (x, y) => `φ(${x}, ${x}) = ${formatValue(y)}`,
    legend: false,
  });
  const count = (n: number) => Array.from({ length: n }, (_, i) => String(i + 1));
  const grid = adapterGrid({
    title: 'φ(i, j), as in Hu et al.\u2019s Figure 3',
    subtitle: s.name,
    desc: `Grid of φ(i, j) for i = 1 … ${s.grid.rows} (top directions of ${labels.first}) and j = 1 … ${s.grid.cols} (of ${labels.second}); 1 where one top subspace contains the other, 0 where they are orthogonal.`,
    id: 'inspector-phi-grid',
    rows: count(s.grid.rows),
    cols: count(s.grid.cols),
    values: s.grid.data,
    name: 'φ',
    max: 1,
    yLabel: `i (${labels.first})`,
    xLabel: `j (${labels.second})`,
  });
  return [line, grid];
}

function magnitudeChart(m: ModuleInspection, label: string): string {
  const v = m.magnitude!.values;
  return lineChart({
    title: 'DoRA magnitude m per output row',
    subtitle: `${m.name} (${label})`,
    desc: `DoRA's learned magnitude for each of the ${v.length} output rows of ${m.name}: from ${formatValue(m.magnitude!.min)} to ${formatValue(m.magnitude!.max)}, mean ${formatValue(m.magnitude!.mean)}.`,
    id: 'inspector-dora',
    series: [{ label: 'm', y: v }],
    x: { label: 'output row', integer: true },
    y: { label: 'm' },
    tip: (x, y) => `m[${x}] = ${formatValue(y)}`,
    legend: false,
  });
}

/** Charts for one module: spectrum (both adapters'), φ when compared, DoRA magnitudes. */
export function detailHtml(r: AdapterInspection, name: string, labels: Labels): string {
  const m = r.first.modules.find((x) => x.name === name) ?? r.second?.modules.find((x) => x.name === name);
  if (!m) return '';
  const inFirst = r.first.modules.includes(m);
  const other = inFirst ? r.second?.modules.find((x) => x.name === name) : undefined;
  const lab: Labels = inFirst ? labels : { first: labels.second ?? 'second' };
  const svgs = [spectrumChart(m, other, lab)];
  const sim = r.similarity.find((s) => s.name === name);
  if (sim) svgs.push(...phiCharts(sim, labels));
  if (m.magnitude) svgs.push(magnitudeChart(m, lab.first));
  if (other?.magnitude) svgs.push(magnitudeChart(other, labels.second ?? 'second'));
  return panels(svgs);
}

/** The modules a reader can pick for the detail view: the first adapter's, then the second's own. */
export function moduleChoices(r: AdapterInspection): string[] {
  return [...r.first.modules.map((m) => m.name), ...r.onlyInSecond];
}
