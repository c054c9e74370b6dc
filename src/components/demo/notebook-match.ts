/**
 * How a demo's printout for the notebook's settings compares with the notebook's own printout
 * (the reference run, companion/reference_output_cpu.txt, written by the PyTorch
 * companion): digit for digit, or only to float32 round-off (the engine and PyTorch sum in
 * different orders, so a loss can differ in its 6th decimal and a round-off-sized difference
 * is itself a different round-off), or not at all. Computed at build time, so the page says
 * what is true of this build instead of claiming "the notebook's result".
 *
 * No table of demos: the printout's lines are looked up in the reference by their words (the
 * text with every number blanked), as one contiguous run of lines.
 */

export interface NumberDifference {
  /** The text before the number on its line ("r= 2: loss="). */
  label: string;
  here: string;
  /** The value in the reference run (the notebook re-run by this project's companion). */
  notebook: string;
  /**
   * The value the notebook printed in its own run (companion/notebook_output_cpu.txt), where
   * that printout has these lines; it can differ from the re-run's by round-off (2.38e-07 vs 3.58e-07).
   */
  original?: string;
}

export type NotebookMatch =
  | { kind: 'identical'; numbers: number }
  | { kind: 'round-off' | 'different'; numbers: number; differences: NumberDifference[]; largest: NumberDifference };

const NUMBER = /[-+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?/gi;
const lines = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^=== cell \d+$/.test(l));
const words = (line: string) => line.replace(NUMBER, '#').replace(/\s+/g, ' ').trim();

/**
 * Float32 round-off: within 1e-5 of each other relative to their size (a loss of 0.576446 vs
 * 0.576445), or both below 1e-5 (a max |difference| of 2.98e-07 vs 3.58e-07, noise itself).
 */
function roundOff(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(a), Math.abs(b));
}

type Diff = NumberDifference & { rel: number; off: boolean };

/** The numbers of the printout against the reference lines from `start` on. */
function diffAt(ours: string[], ref: string[], start: number): { numbers: number; differences: Diff[] } {
  let numbers = 0;
  const differences: Diff[] = [];
  ours.forEach((line, j) => {
    const b = [...ref[start + j]!.matchAll(NUMBER)];
    [...line.matchAll(NUMBER)].forEach((m, k) => {
      numbers += 1;
      const here = m[0];
      const notebook = b[k]![0];
      const x = Number(here);
      const y = Number(notebook);
      if (x === y) return; // as printed: 1e-05 and 0.00001 are one value
      differences.push({ label: line.slice(0, m.index).trim(), here, notebook, rel: Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y)), off: roundOff(x, y) });
    });
  });
  return { numbers, differences };
}

/**
 * Where the printout's lines appear in the reference (the same words, line for line; of several
 * such places, the one with the fewest differing numbers), or undefined when they do not.
 */
export function compareWithNotebook(printout: string, reference: string, original?: string): NotebookMatch | undefined {
  const m = compareAt(printout, reference);
  if (!m || m.kind === 'identical' || original === undefined) return m;
  // The notebook's own printout, where it has these lines: its value of the number shown.
  const o = compareAt(printout, original);
  if (!o) return m;
  const own = (d: NumberDifference): string => (o.kind === 'identical' ? d.here : (o.differences.find((e) => e.label === d.label && e.here === d.here)?.notebook ?? d.here));
  return { ...m, largest: { ...m.largest, original: own(m.largest) } };
}

function compareAt(printout: string, reference: string): NotebookMatch | undefined {
  const ours = lines(printout);
  const ref = lines(reference);
  if (ours.length === 0) return undefined;
  const want = ours.map(words);
  const refWords = ref.map(words);
  let best: { numbers: number; differences: Diff[] } | undefined;
  for (let i = 0; i + ours.length <= ref.length; i++) {
    if (!want.every((w, j) => refWords[i + j] === w)) continue;
    const d = diffAt(ours, ref, i);
    if (!best || d.differences.length < best.differences.length) best = d;
  }
  if (!best) return undefined;
  const { numbers, differences } = best;
  if (differences.length === 0) return { kind: 'identical', numbers };
  const strip = ({ label, here, notebook }: NumberDifference): NumberDifference => ({ label, here, notebook });
  const allOff = differences.every((d) => d.off);
  const largest = allOff ? differences.reduce((m, d) => (d.rel > m.rel ? d : m)) : differences.find((d) => !d.off)!;
  return { kind: allOff ? 'round-off' : 'different', numbers, differences: differences.map(strip), largest: strip(largest) };
}

/**
 * One sentence for under the printout. `rerun` names the PyTorch that wrote the reference run
 * ("PyTorch 2.13.0", from companion/requirements.txt's pin); where the notebook's own run printed
 * another value than the re-run, both are given, each labelled.
 */
export function notebookMatchText(m: NotebookMatch, rerun = 'PyTorch'): string {
  const run = `the notebook’s reference run (${rerun} on a CPU)`;
  if (m.kind === 'identical') return `With the notebook’s settings this printout matches ${run} digit for digit (${m.numbers} printed numbers).`;
  const n = m.differences.length;
  const differ = n === 1 ? 'differs' : 'differ';
  const { label } = m.largest;
  const { here, notebook, original } = m.largest;
  const where =
    original !== undefined && original !== notebook
      ? `${original} in the notebook’s own run, ${notebook} in this project’s re-run of it with ${rerun}`
      : `${notebook} in the notebook`;
  const ex = `${label}${label && !label.endsWith('=') ? ' ' : ''}${here} here, ${where}`;
  if (m.kind === 'round-off') {
    return (
      `With the notebook’s settings this printout reproduces ${run} to float32 round-off, not digit for digit: ` +
      `${n} of ${m.numbers} printed numbers ${differ} in the last digits (${ex}).`
    );
  }
  return `With the notebook’s settings this printout differs from ${run}: ${n} of ${m.numbers} printed numbers ${differ} (${ex}).`;
}
