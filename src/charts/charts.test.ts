import { describe, expect, it } from 'vitest';
import { barChart } from './bar-chart';
import { heatmapChart } from './heatmap';
import { lineChart } from './line-chart';
import { implementationFigure, lowRankFigure, mergingFigure, rankFigure, trainingFigure, type FigurePanel } from './figures';
import { num, esc, formatValue, formatLoss } from './svg';
import {
  implementationFixture,
  lowRankFixture,
  mergingFixture,
  randomMatrix,
  rankSweepFixture,
  trainingFixture,
  trainingSettings,
} from '../test-support/chart-fixtures';
import { xmlProblem } from './well-formed';

const count = (s: string, needle: string) => s.split(needle).length - 1;

/** What every chart must satisfy. */
function expectGoodSvg(svg: string) {
  expect(xmlProblem(svg)).toBeNull();
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toMatch(/role="img"/);
  expect(svg).toMatch(/viewBox="0 0 480 \d+"/);
  expect(svg).toMatch(/width="100%"/);
  expect(svg).not.toMatch(/<svg[^>]*height=/);
  const id = /<svg[^>]*\sid="([^"]+)"/.exec(svg)?.[1];
  expect(id).toBeTruthy();
  expect(svg).toContain(`aria-labelledby="${id}-t ${id}-d"`);
  expect(svg).toContain(`<title id="${id}-t">`);
  expect(svg).toContain(`<desc id="${id}-d">`);
  // Colours only through the custom properties (in the scoped <style>), never literal in marks.
  const marks = svg.replace(/<style>[^]*?<\/style>/, '');
  expect(marks).not.toMatch(/#[0-9a-f]{3,6}\b|rgb\(/i);
  expect(svg).toMatch(/var\(--axis-text, #[0-9a-f]{6}\)/);
}

function expectGoodPanels(panels: FigurePanel[]) {
  for (const p of panels) {
    expectGoodSvg(p.svg);
    expect(p.summary.length).toBeGreaterThan(20);
    expect(p.summary).not.toMatch(/NaN|undefined/);
  }
}

describe('svg primitives', () => {
  it('formats coordinates short and never as NaN', () => {
    expect(num(1.23456)).toBe('1.23');
    expect(num(-0.001)).toBe('0');
    expect(num(NaN)).toBe('0');
    expect(esc('a<b & "c"')).toBe('a&lt;b &amp; &quot;c&quot;');
  });
  it('formats values the way tips read', () => {
    expect(formatLoss(0.6114739)).toBe('0.611474');
    expect(formatValue(0.000123)).toBe('1.23e−4');
    expect(formatValue(0.00123)).toBe('0.00123');
    expect(formatValue(0.0123)).toBe('0.0123');
    expect(formatValue(-0.176)).toBe('−0.176');
  });
});

describe('lowRankFigure', () => {
  const panels = lowRankFigure(lowRankFixture());
  it('draws three valid panels', () => {
    expect(panels).toHaveLength(3);
    expectGoodPanels(panels);
  });
  it('has one focusable bar per singular value and the true-rank line between σ₄ and σ₅', () => {
    const bars = panels[0]!.svg;
    expect(count(bars, 'class="hb"')).toBe(64);
    expect(count(bars, 'tabindex="0"')).toBe(64);
    expect(bars).toContain('data-tip="σ₅ = 0.0155"');
    // x = x0 + (4.5 − 0.5)/64 · (462 − x0); plot spans y 52…254 (x0: the y axis's place).
    const x0 = plotLeft(bars);
    expect(bars).toContain(`class="rf" d="M${rounded(x0 + (4 / 64) * (462 - x0))} 52V254"`);
    expect(bars).toContain('true rank = 4');
  });
  it('puts the reconstruction error on a log axis and the 99 % line on the energy panel', () => {
    expect(panels[1]!.svg).toContain('10⁻⁶');
    expect(panels[2]!.svg).toContain('99 %');
    expect(panels[0]!.summary).toMatch(/first 4 are between 0\.452 and 0\.712/);
  });
  it('renders with no data', () => {
    const empty = { ...lowRankFixture(), singularValues: [], relErrors: [], energy: [], rankFor99: 0 };
    expectGoodPanels(lowRankFigure(empty));
  });
});

describe('lineChart', () => {
  const base = { title: 'T', desc: 'd', x: { label: 'x' } } as const;
  it('places values on a log y scale by decade', () => {
    const svg = lineChart({ ...base, series: [{ label: 's', y: [1e-3, 1e-2, 1e-1, 1] }], y: { label: 'y', log: true } });
    expectGoodSvg(svg);
    // y range 264 (bottom, no subtitle: 300 − 46 = 254? no: top 36) → plot y from 36 to 254;
    // 0.01 is one third of the way up from 1e-3 to 1: 254 − 218/3 = 181.33.
    expect(svg).toMatch(/d="M\S+,254L\S+,181\.33L\S+,108\.67L\S+,36"/);
    expect(svg).toContain('10⁻³');
  });
  it('skips values a log axis cannot show and never writes NaN', () => {
    const svg = lineChart({ ...base, series: [{ label: 's', y: [1, NaN, 0, -1, Infinity, 0.5] }], y: { label: 'y', log: true } });
    expectGoodSvg(svg);
  });
  it('draws horizontal and vertical reference lines where asked', () => {
    const svg = lineChart({
      ...base,
      series: [{ label: 's', x: [0, 10], y: [0, 1] }],
      x: { label: 'x', domain: [0, 10] },
      y: { label: 'y', domain: [0, 1] },
      refLines: [
        { axis: 'x', value: 5, label: 'five' },
        { axis: 'y', value: 0.5, label: 'half', soft: true },
      ],
    });
    // x: x0 + 0.5 · (462 − x0); y: 254 − 0.5 · 218 = 145.
    const x0 = plotLeft(svg);
    expect(svg).toContain(`class="rf" d="M${rounded(x0 + 0.5 * (462 - x0))} 36V254"`);
    expect(svg).toContain(`class="rf soft" d="M${x0} 145H462"`);
    expect(svg).toContain('>five</text>');
    expect(svg).toContain('>half</text>');
  });
  it('keeps at most ~25 focusable points per long series', () => {
    const y = Array.from({ length: 1000 }, (_, i) => 1 / (i + 1));
    const svg = lineChart({ ...base, series: [{ label: 'a', y }, { label: 'b', y }], y: { label: 'y', log: true } });
    expect(count(svg, 'tabindex="0"')).toBeLessThanOrEqual(2 * 26);
    expect(count(svg, 'tabindex="0"')).toBeGreaterThanOrEqual(40);
  });
});

describe('trainingFigure', () => {
  const full = trainingFixture();
  it('draws both loss curves with a legend and dash patterns', () => {
    const [p] = trainingFigure(full);
    expectGoodPanels([p!]);
    expect(count(p!.svg, 'class="ln s1"')).toBe(2); // curve + legend swatch
    expect(count(p!.svg, 'class="ln s2"')).toBe(2);
    expect(p!.svg).toContain('stroke-dasharray="7 4"');
    expect(p!.svg).toContain('Full fine-tuning (1,024 params)');
    expect(p!.svg).toContain('data-tip="LoRA r = 4, epoch 0: loss 0.623921"');
    expect(p!.summary).toContain('0.595727');
  });
  it('keeps the x axis fixed while the curves grow', () => {
    const xAxis = (svg: string) => /<path class="ax" d="M64 254H462[^"]*"/.exec(svg)?.[0];
    const partial = trainingFigure({ settings: trainingSettings, lora: { losses: full.lora.losses.slice(0, 7) }, full: { losses: full.full.losses.slice(0, 7) } });
    expect(xAxis(partial[0]!.svg)).toBe(xAxis(trainingFigure(full)[0]!.svg));
    expect(partial[0]!.summary).toContain('after 7 of 100 epochs');
  });
  it('renders before the first epoch and after a divergence', () => {
    expectGoodPanels(trainingFigure({ settings: trainingSettings, lora: { losses: [] }, full: { losses: [] } }));
    const diverged = trainingFigure({ settings: trainingSettings, lora: { losses: [0.6, 3, Infinity, NaN] }, full: { losses: [0.6] } });
    expectGoodPanels(diverged);
  });
});

describe('implementationFigure', () => {
  it('draws W₀, B, A and ΔW to scale, zeros at initialisation', () => {
    const [p] = implementationFigure(implementationFixture());
    expectGoodPanels([p!]);
    expect(count(p!.svg, 'class="hb"')).toBe(4);
    expect(p!.svg).toContain('data-tip="B (64×4): all zeros"');
    expect(p!.summary).toContain('no-op');
    expect(p!.svg.length).toBeLessThan(60_000);
  });
});

describe('heatmapChart', () => {
  it('uses the diverging classes with opacity and stays compact at 64×64', () => {
    const m = randomMatrix(64, 64, 1, 5);
    const svg = heatmapChart({ title: 'W', desc: 'd', matrix: m, name: 'W', xLabel: 'in', yLabel: 'out' });
    expectGoodSvg(svg);
    expect(svg).toMatch(/<path class="sp" stroke-opacity="[\d.]+" d="M/);
    expect(svg).toMatch(/<path class="sn" stroke-opacity="[\d.]+" d="M/);
    expect(svg).toContain('var(--div-pos, #');
    expect(svg).toContain('var(--div-neg, #');
    expect(svg.length).toBeLessThan(45_000);
  });
  it('draws a wide matrix (4 × 32) across the panel with rows that fit their labels, the key below, and no empty band', () => {
    const m = randomMatrix(4, 32, 1, 7);
    const svg = heatmapChart({ title: 'h', subtitle: 's', desc: 'd', matrix: m, name: 'h', xLabel: 'Output dim', yLabel: 'Token' });
    expectGoodSvg(svg);
    const height = Number(/viewBox="0 0 480 ([\d.]+)"/.exec(svg)?.[1]);
    expect(height).toBeLessThan(300);
    const cells = /class="hb" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(svg)!.slice(1).map(Number);
    expect(cells[2]).toBeGreaterThan(300); // most of the 480 width, not a strip beside the key
    // Every row labelled, 22 units or more apart, and the empty space above and below is small.
    const rowLabels = [...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" dy="0.35em" text-anchor="end">(\d+)<\/text>/g)];
    expect(rowLabels.map((r) => r[2])).toEqual(['0', '1', '2', '3']);
    expect(Number(rowLabels[1]![1]) - Number(rowLabels[0]![1])).toBeGreaterThanOrEqual(22);
    expect(height - cells[3]!).toBeLessThan(160);
  });
  it('labels both ends of the colour key alike', () => {
    const svg = heatmapChart({ title: 'W', desc: 'd', matrix: { rows: 1, cols: 2, data: [0.0494031, -0.01] }, name: 'W', xLabel: 'in', yLabel: 'out' });
    expect(svg).toContain('>−0.0494</text>');
    expect(svg).toContain('>0.0494</text>');
  });
  it('carries cell values for pointer tips on small matrices', () => {
    const m = { rows: 2, cols: 2, data: [1, -0.5, 0, 1e-5] };
    const svg = heatmapChart({ title: 'W', desc: 'd', matrix: m, name: 'W', xLabel: 'in', yLabel: 'out' });
    expect(svg).toContain('data-grid-values="1 -0.5 0 1.00e-5"');
  });
});

describe('mergingFigure', () => {
  const panels = mergingFigure(mergingFixture());
  it('draws the ΔW heatmap, its spectrum with the rank boundary, and full vs LoRA spectra', () => {
    expect(panels).toHaveLength(3);
    expectGoodPanels(panels);
    expect(panels[0]!.svg).toContain('data-grid-rows="32"');
    expect(count(panels[1]!.svg, 'class="hb"')).toBe(20);
    // x0 + (4.5 − 0.5)/20 · (462 − x0)
    const x0 = plotLeft(panels[1]!.svg);
    expect(panels[1]!.svg).toContain(`class="rf" d="M${rounded(x0 + (4 / 20) * (462 - x0))} 52V254"`);
    expect(panels[1]!.svg).toContain('exactly rank 4');
    expect(panels[2]!.svg).toContain('class="f1" d="M');
    expect(panels[2]!.svg).toContain('class="f2 s2"');
    expect(panels[2]!.svg).toContain('LoRA ΔW (r = 4)');
  });
});

describe('rankFigure', () => {
  it('draws loss vs rank and vs parameters with the reference lines', () => {
    const panels = rankFigure(rankSweepFixture());
    expect(panels).toHaveLength(2);
    expectGoodPanels(panels);
    expect(count(panels[0]!.svg, 'tabindex="0"')).toBe(6);
    expect(panels[0]!.svg).toContain('true rank of target = 4');
    expect(panels[1]!.svg).toContain('full FT (1,024 params)');
    expect(panels[0]!.summary).toContain('Lowest at r = 2');
  });
  it('renders with only the rows finished so far, on the same axes', () => {
    const axes = (svg: string) => /<path class="ax" d="M64 254H462[^"]*"/.exec(svg)?.[0];
    const some = rankFigure(rankSweepFixture(2));
    expectGoodPanels(some);
    expect(count(some[0]!.svg, 'tabindex="0"')).toBe(2);
    expect(axes(some[0]!.svg)).toBe(axes(rankFigure(rankSweepFixture())[0]!.svg));
    expect(some[0]!.summary).toContain('2 of 6 ranks finished');
    expectGoodPanels(rankFigure(rankSweepFixture(0)));
  });
});

describe('barChart', () => {
  it('renders empty and single-bar data', () => {
    expectGoodSvg(barChart({ title: 'x', desc: 'd', series: [{ label: 'a', values: [] }], xLabel: 'i', yLabel: 'v' }));
    expectGoodSvg(barChart({ title: 'x', desc: 'd', series: [{ label: 'a', values: [0.5] }], xLabel: 'i', yLabel: 'v' }));
  });
});

describe('xmlProblem', () => {
  it('catches malformed markup', () => {
    expect(xmlProblem('<svg><g></svg>')).not.toBeNull();
    expect(xmlProblem('<svg a="1" a="2"/>')).not.toBeNull();
    expect(xmlProblem('<svg>a & b</svg>')).not.toBeNull();
    expect(xmlProblem('<svg><text>a &amp; b</text></svg>')).toBeNull();
  });
});

/** The plot's left edge: where the y axis's line starts (`class="ax" d="M<x0> <top>V…`). */
function plotLeft(svg: string): number {
  const m = /class="ax" d="M([\d.]+) [\d.]+V/.exec(svg);
  if (!m) throw new Error('no y axis');
  return Number(m[1]);
}

/** A coordinate as the charts write it (svg.ts num: at most 2 decimals). */
function rounded(v: number): string {
  return String(Math.round(v * 100) / 100);
}
