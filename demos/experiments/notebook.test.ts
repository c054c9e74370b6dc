/**
 * The notebook run top to bottom on the engine reproduces every number printed in
 * tests/fixtures/reference_output_cpu.txt at its printed precision. That file is the notebook's
 * printout as PyTorch produces it, written by the companion scripts (companion/regenerate.py,
 * checked in CI); it is parsed here, never copied: change the printout and this test follows it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../index';
import type { Engine } from '../types';
import { formatNotebook, formatSavings, runNotebook, savingsTable, type NotebookResults } from './index';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const referenceText = readFileSync(path.resolve(repoRoot, 'companion/reference_output_cpu.txt'), 'utf8');

/** The reference's lines, per `=== cell N` block. */
function cells(text: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  let current: string[] | undefined;
  for (const line of text.replace(/\n+$/, '').split('\n')) {
    const header = /^=== cell (\d+)$/.exec(line);
    if (header) out.set(Number(header[1]), (current = []));
    else current?.push(line);
  }
  return out;
}
const reference = cells(referenceText);

/** The captures of the first line of a cell that matches `re` (the test fails if none does). */
function find(cell: number, re: RegExp): string[] {
  for (const line of reference.get(cell) ?? []) {
    const m = re.exec(line);
    if (m) return m.slice(1);
  }
  throw new Error(`cell ${cell}: no line matches ${re}`);
}
function findAll(cell: number, re: RegExp): string[][] {
  return (reference.get(cell) ?? []).flatMap((line) => {
    const m = re.exec(line);
    return m ? [m.slice(1)] : [];
  });
}
const num = Number;

/**
 * Losses printed to 6 decimals: float32 summation order may move the last digit. (The losses
 * are the engine's own; a one-pass float32 sum of the N·d squared errors is off by several
 * 1e-6, summing rows first, as PyTorch's cascade sum effectively does, is within 1e-6.)
 */
const LOSS_TOL = 2e-6;
/** Printed to `decimals` places: within half a unit of the last place, plus float slack. */
const printedTol = (printed: string) => 0.5 * 10 ** -(printed.split('.')[1]?.length ?? 0) + 1e-6;

let engine: Engine;
let r: NotebookResults;

beforeAll(async () => {
  engine = await createEngine({ backend: 'wasm' });
  // Chapter 9's memory demo reads the model's config.json: here from the repository's public/.
  r = await runNotebook(engine, { files: { read: async (p) => new Uint8Array(readFileSync(path.resolve(repoRoot, 'public', p))) } });
}, 600_000);
afterAll(async () => engine?.dispose());

describe('runNotebook reproduces reference_output_cpu.txt', () => {
  it('parses the reference file', () => {
    expect([...reference.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('§2 cell 3: shapes, parameter counts, reduction, ‖ΔW‖ at init', () => {
    const [inShape] = find(3, /^Input shape: torch\.Size\(\[(.*)\]\)$/);
    const [outShape] = find(3, /^Output shape: torch\.Size\(\[(.*)\]\)$/);
    expect(r.implementation.inputShape).toEqual(inShape!.split(', ').map(num));
    expect(r.implementation.outputShape).toEqual(outShape!.split(', ').map(num));
    const p = r.implementation.params;
    expect(p.frozen).toBe(num(find(3, /Frozen W: (\d+)/)[0]));
    expect(p.a).toBe(num(find(3, /LoRA A:\s+(\d+)/)[0]));
    expect(p.b).toBe(num(find(3, /LoRA B:\s+(\d+)/)[0]));
    expect(p.trainable).toBe(num(find(3, /Total trainable: (\d+)/)[0]));
    const [reduction] = find(3, /Reduction: ([\d.]+)x/);
    expect(Math.abs(p.reduction - num(reduction))).toBeLessThanOrEqual(printedTol(reduction!));
    const [norm] = find(3, /\|\|ΔW\|\| = ([\d.]+)/);
    expect(Math.abs(r.implementation.deltaWNormAtInit - num(norm))).toBeLessThanOrEqual(printedTol(norm!));
  });

  it('§3 cell 4: the task', () => {
    const [rank, d1, d2] = find(4, /rank-(\d+) update to a frozen (\d+)x(\d+)/).map(num);
    const [n, seq, d] = find(4, /(\d+) samples, seq_len=(\d+), d_model=(\d+)/).map(num);
    expect(r.training.settings).toMatchObject({ targetRank: rank, dModel: d, nSamples: n, seqLen: seq });
    expect([d1, d2]).toEqual([d, d]);
  });

  it('§3 cell 5: the LoRA loss every 20 epochs and the final loss (±2e-6)', () => {
    const printed = findAll(5, /^Epoch\s+(\d+): loss = ([\d.]+)$/).map(([e, l]) => ({ epoch: num(e), loss: num(l) }));
    expect(printed.length).toBeGreaterThan(0);
    expect(r.training.checkpoints.map((c) => c.epoch)).toEqual(printed.map((c) => c.epoch));
    printed.forEach((c, i) => expect(Math.abs(r.training.checkpoints[i]!.loss - c.loss), `epoch ${c.epoch}`).toBeLessThanOrEqual(LOSS_TOL));
    const [final] = find(5, /^Final loss: ([\d.]+)$/);
    expect(Math.abs(r.training.lora.final - num(final))).toBeLessThanOrEqual(LOSS_TOL);
  });

  it('§3 cell 6: full fine-tuning vs LoRA final losses and the parameter ratio', () => {
    const [full] = find(6, /^Full fine-tuning final loss: ([\d.]+)$/);
    const [rank, lora] = find(6, /^LoRA \(rank=(\d+)\) final loss: ([\d.]+)$/);
    const [ratio] = find(6, /^LoRA uses ([\d.]+)x fewer/);
    expect(Math.abs(r.training.full.final - num(full))).toBeLessThanOrEqual(LOSS_TOL);
    expect(Math.abs(r.training.lora.final - num(lora))).toBeLessThanOrEqual(LOSS_TOL);
    expect(r.training.settings.rank).toBe(num(rank));
    expect(Math.abs(r.training.paramRatio - num(ratio))).toBeLessThanOrEqual(printedTol(ratio!));
  });

  it('§4 cell 7: merged and separate outputs agree as allclose(atol=1e-5) does', () => {
    const [equal] = find(7, /Are equal: (True|False)/);
    expect(String(r.merging.equal)).toBe(equal === 'True' ? 'true' : 'false');
    expect(r.merging.maxDiff).toBeLessThan(1e-5);
    // The learned ΔW has the adapter's rank: σ_{r+1} is float32 noise next to σ_r.
    const sv = r.merging.spectrumLora;
    expect(sv[r.merging.rank]! / sv[r.merging.rank - 1]!).toBeLessThan(1e-4);
  });

  it('§5 cell 9: final loss (±2e-6), parameters and share of full per rank', () => {
    const printed = findAll(9, /^\s+r=\s*(\d+): loss=([\d.]+), params=\s*(\d+) \(([\d.]+)% of full\)$/);
    expect(r.rankSweep.rows.map((row) => row.rank)).toEqual(printed.map(([rank]) => num(rank)));
    printed.forEach(([rank, loss, params, pct], i) => {
      const row = r.rankSweep.rows[i]!;
      expect(Math.abs(row.finalLoss - num(loss)), `r=${rank}`).toBeLessThanOrEqual(LOSS_TOL);
      expect(row.params).toBe(num(params));
      expect(Math.abs(row.percentOfFull - num(pct))).toBeLessThanOrEqual(printedTol(pct!));
    });
  });

  it('§6 cell 10: output norms (4 decimals) and storage', () => {
    const norms = {
      none: find(10, /Base model output norm:\s+([\d.]+)/)[0]!,
      taskA: find(10, /Task A adapter norm:\s+([\d.]+)/)[0]!,
      taskB: find(10, /Task B adapter norm:\s+([\d.]+)/)[0]!,
    };
    for (const [k, printed] of Object.entries(norms) as [keyof typeof norms, string][])
      expect(Math.abs(r.adapters.norms[k] - num(printed)), k).toBeLessThanOrEqual(printedTol(printed));
    const [adapterKB, rank, d] = find(10, /storage per task: ([\d.]+) KB \(rank=(\d+), d_model=(\d+)/);
    const [baseKB] = find(10, /Base model storage:\s+([\d.]+) KB/);
    expect(r.adapters.settings).toMatchObject({ rank: num(rank), dModel: num(d) });
    expect(Math.abs(r.adapters.storage.adapterKB - num(adapterKB))).toBeLessThanOrEqual(printedTol(adapterKB!));
    expect(Math.abs(r.adapters.storage.baseKB - num(baseKB))).toBeLessThanOrEqual(printedTol(baseKB!));
  });

  it('§1 (plotted, not printed): ΔW has the true rank; 99% of its energy in that many values', () => {
    const { singularValues: sv, relErrors, energy, rankFor99, settings } = r.lowRank;
    expect(sv).toHaveLength(Math.min(settings.d, settings.k));
    expect(rankFor99).toBe(settings.trueRank);
    expect(sv[settings.trueRank]! / sv[settings.trueRank - 1]!).toBeLessThan(0.05);
    expect(relErrors[settings.trueRank - 1]!).toBeLessThan(0.1);
    expect(relErrors[relErrors.length - 1]!).toBeLessThan(1e-5);
    expect(energy[energy.length - 1]).toBeCloseTo(1, 6);
  });

  it('every result is plain JSON (what a build-time run embeds is what a live run returns)', () => {
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('§6 cell 11: the savings tables, exactly as formatted', () => {
    expect(formatSavings(savingsTable()).split('\n')).toEqual(reference.get(11));
  });

  it('the printout matches the reference line by line (numbers to their printed precision)', () => {
    const ours = cells(formatNotebook(r));
    expect([...ours.keys()]).toEqual([...reference.keys()]);
    const NUMBER = /-?\d+(?:\.\d+)?(?:e[+-]\d+)?/g;
    for (const [cell, refLines] of reference) {
      const lines = ours.get(cell)!;
      expect(lines.length, `cell ${cell}`).toBe(refLines.length);
      refLines.forEach((refLine, i) => {
        const line = lines[i]!;
        if (line === refLine) return;
        const where = `cell ${cell}, line ${i + 1}: "${line}" vs "${refLine}"`;
        expect(line.replace(NUMBER, '#'), where).toBe(refLine.replace(NUMBER, '#'));
        const a = line.match(NUMBER)!;
        const b = refLine.match(NUMBER)!;
        b.forEach((printed, j) => {
          if (printed.includes('e')) return; // the max difference is rounding noise, checked above
          // Both are rounded to the printed places; a value on a rounding boundary may differ by one unit.
          const unit = 10 ** -(printed.split('.')[1]?.length ?? 0);
          expect(Math.abs(num(a[j]) - num(printed)), where).toBeLessThanOrEqual(Math.max(unit, LOSS_TOL) + 1e-9);
        });
      });
    }
  });
});
