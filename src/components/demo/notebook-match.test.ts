import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compareWithNotebook, notebookMatchText } from './notebook-match';

const reference = ['=== cell 7', 'Verification: separate LoRA vs merged weights', '  Max difference: 3.58e-07', '  Are equal: True', '=== cell 9', 'Rank vs Final Loss:', '  r= 1: loss=0.605660, params=   64 (6.2% of full)', '  r= 2: loss=0.576445, params=  128 (12.5% of full)'].join('\n');

describe('compareWithNotebook', () => {
  it('finds the printout by its words and says digit for digit when every number is the same', () => {
    const m = compareWithNotebook('Rank vs Final Loss:\n  r= 1: loss=0.605660, params=   64 (6.2% of full)\n', reference);
    expect(m).toEqual({ kind: 'identical', numbers: 4 });
    expect(notebookMatchText(m!)).toBe('With the notebook’s settings this printout matches the notebook’s reference run (PyTorch on a CPU) digit for digit (4 printed numbers).');
  });
  it('calls a last-digit difference and a different round-off noise float32 round-off, and names the largest', () => {
    const m = compareWithNotebook('Rank vs Final Loss:\n  r= 1: loss=0.605660, params=   64 (6.2% of full)\n  r= 2: loss=0.576446, params=  128 (12.5% of full)', reference);
    expect(m?.kind).toBe('round-off');
    expect(notebookMatchText(m!)).toBe(
      'With the notebook’s settings this printout reproduces the notebook’s reference run (PyTorch on a CPU) to float32 round-off, not digit for digit: 1 of 8 printed numbers differs in the last digits (r= 2: loss=0.576446 here, 0.576445 in the notebook).',
    );
    const merge = compareWithNotebook('Verification: separate LoRA vs merged weights\n  Max difference: 2.98e-07\n  Are equal: True', reference);
    expect(merge?.kind).toBe('round-off');
  });
  it('says "differs" for a real difference, and nothing for a printout the notebook does not have', () => {
    const m = compareWithNotebook('Rank vs Final Loss:\n  r= 1: loss=0.705660, params=   64 (6.2% of full)', reference);
    expect(m?.kind).toBe('different');
    expect(notebookMatchText(m!)).toMatch(/differs from the notebook’s reference run \(PyTorch on a CPU\): 1 of 4 printed numbers differs \(r= 1: loss=0.705660 here, 0.605660 in the notebook\)/);
    expect(compareWithNotebook('ΔW: 64x64, true rank 4', reference)).toBeUndefined();
    expect(compareWithNotebook('', reference)).toBeUndefined();
  });
  it('gives the notebook’s own value beside the re-run’s where the two runs printed different numbers', () => {
    const rerun = readFileSync('companion/reference_output_cpu.txt', 'utf8');
    const own = readFileSync('companion/notebook_output_cpu.txt', 'utf8');
    const merge = 'Verification: separate LoRA vs merged weights\n  Max difference: 2.98e-07\n  Are equal: True';
    const m = compareWithNotebook(merge, rerun, own)!;
    if (m.kind === 'identical') throw new Error('the merge line should differ from the re-run by round-off');
    expect(m.kind).toBe('round-off');
    expect(m.largest).toEqual({ label: 'Max difference:', here: '2.98e-07', notebook: '3.58e-07', original: '2.38e-07' });
    expect(notebookMatchText(m, 'PyTorch 2.13.0')).toContain('(Max difference: 2.98e-07 here, 2.38e-07 in the notebook’s own run, 3.58e-07 in this project’s re-run of it with PyTorch 2.13.0)');
    // Where both runs printed the same value, the notebook is named once.
    const loss = compareWithNotebook('  r= 2: loss=0.576446, params=  128 (12.5% of full)', rerun, own)!;
    expect(notebookMatchText(loss, 'PyTorch 2.13.0')).toContain('r= 2: loss=0.576446 here, 0.576445 in the notebook)');
  });
  it('reads the committed reference run', () => {
    const text = readFileSync('companion/reference_output_cpu.txt', 'utf8');
    // Every "r= #: loss=#…" line has the same words: the place with the fewest differences wins.
    expect(compareWithNotebook('  r= 2: loss=0.576446, params=  128 (12.5% of full)', text)?.kind).toBe('round-off');
    expect(compareWithNotebook('Rank vs Final Loss:\n  r= 2: loss=0.576446, params=  128 (12.5% of full)', text)?.kind).toBe('different');
  });
});
