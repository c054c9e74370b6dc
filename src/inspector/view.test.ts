import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectAdapters, readPeftAdapter } from '../../demos/index';
import { adapterGrid } from '../charts/adapter-grid';
import { xmlProblem } from '../charts/well-formed';
import { detailHtml, gridOf, gridsHtml, tableHtml } from './view';

const FIX = join(__dirname, '..', '..', 'demos', 'inspect', 'fixtures');
const load = (name: string) => readPeftAdapter(readFileSync(join(FIX, name, 'adapter_config.json'), 'utf8'), new Uint8Array(readFileSync(join(FIX, name, 'adapter_model.safetensors'))));
const svgs = (html: string) => [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);

describe('the inspector view', () => {
  it('lays modules out as layers × kinds, in the model\'s order, blank where a layer lacks a kind', async () => {
    const r = await inspectAdapters(load('pair-r8'));
    const g = gridOf(r.first);
    expect(g.rows).toEqual(['0', '1']);
    expect(g.cols).toEqual(['mlp.gate_proj', 'self_attn.o_proj', 'self_attn.q_proj', 'self_attn.v_proj']);
    const q1 = r.first.modules.find((m) => m.name === 'model.layers.1.self_attn.q_proj')!;
    expect(g.values[1 * 4 + 2]).toBe(q1.frobenius);
    const ad = load('pair-r4');
    ad.modules = ad.modules.filter((m) => m.name !== 'model.layers.1.mlp.gate_proj');
    const gap = gridOf((await inspectAdapters(ad)).first);
    expect(gap.values[1 * gap.cols.length + gap.cols.indexOf('mlp.gate_proj')]).toBeNaN();
  });

  it('draws well-formed SVG for grids, spectra, φ and DoRA magnitudes, and a row per module', async () => {
    const pair = await inspectAdapters(load('pair-r4'), load('pair-r8'));
    const labels = { first: 'r4', second: 'r8' };
    const detail = detailHtml(pair, 'model.layers.0.self_attn.q_proj', labels);
    const dora = await inspectAdapters(load('llama-dora'));
    const doraDetail = detailHtml(dora, dora.first.modules[0]!.name, { first: 'dora' });
    const all = [...svgs(gridsHtml(pair, labels)), ...svgs(detail), ...svgs(doraDetail)];
    expect(all).toHaveLength(2 + 3 + 2);
    for (const s of all) expect(xmlProblem(s)).toBeNull();
    expect(doraDetail).toContain('DoRA magnitude');
    expect(tableHtml(pair, labels, true).match(/<tr data-name=/g)).toHaveLength(pair.first.modules.length);
  });

  it('the grid chart thins numeric column labels and keeps its key inside the panel', () => {
    const svg = adapterGrid({ title: 'φ', desc: 'd', rows: ['1', '2'], cols: Array.from({ length: 64 }, (_, i) => String(i + 1)), values: new Array(128).fill(0.5), name: 'φ', max: 1 });
    expect(xmlProblem(svg)).toBeNull();
    const height = Number(/viewBox="0 0 [\d.]+ ([\d.]+)"/.exec(svg)![1]);
    const ys = [...svg.matchAll(/<text[^>]* y="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.max(...ys)).toBeLessThan(height);
    // 64 columns ~6 units wide: a label every 3rd column at most, not 64 overlapping ones.
    expect((svg.match(/text-anchor="middle">\d+<\/text>/g) ?? []).length).toBeLessThanOrEqual(22);
  });
});
