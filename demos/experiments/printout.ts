/**
 * The notebook's printouts, rendered from results: the same lines its cells print (see
 * tests/fixtures/reference_output_cpu.txt), so the site can show them and tests can compare text.
 * Numbers are formatted as Python's format specs do (`.6f`, `2d`, `>8.2f`, `.2e`, …).
 */
import type { Backend } from '../types';
import type {
  AdaptersResult,
  ImplementationResult,
  MergingResult,
  NotebookResults,
  RankSweepResult,
  SavingsTable,
  TrainingResult,
  TrainingSettings,
} from './types';

// Python-like number formatting --------------------------------------------------------

/**
 * f'{x:.{digits}f}'. Like JavaScript's toFixed, except that an exact tie rounds half to even
 * as Python does (6.25 → '6.2', where toFixed gives '6.3').
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const plain = x.toFixed(digits);
  if (Math.abs(x) >= 1e21) return plain;
  // The exact decimal expansion of the double decides whether x sits exactly halfway.
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 60));
  const dot = exact.indexOf('.');
  const kept = exact.slice(0, digits > 0 ? dot + 1 + digits : dot);
  if (!/^50*$/.test(exact.slice(dot + 1 + digits))) return plain;
  // A tie: toFixed rounds away from zero, which is right when the kept digit is odd.
  if (Number(kept[kept.length - 1]) % 2 === 1) return plain;
  return (x < 0 ? '-' : '') + kept;
}

/** f'{x:.{digits}e}': mantissa and a signed exponent of at least two digits (2.38e-07). */
export function pyExp(x: number, digits: number): string {
  const [mantissa, exponent] = x.toExponential(digits).split('e') as [string, string];
  const sign = exponent.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** f'{n:{width}d}' */
export function pyInt(n: number, width = 0): string {
  return String(Math.trunc(n)).padStart(width);
}

/** f'{x:>{width}.{digits}f}' */
export function pyFixedWidth(x: number, width: number, digits: number): string {
  return pyFixed(x, digits).padStart(width);
}

const shape = (dims: number[]) => `torch.Size([${dims.join(', ')}])`;
const pyBool = (b: boolean) => (b ? 'True' : 'False');

// One function per printing cell ------------------------------------------------------------

/** Cell 1: the device line. The WASM backend runs on the CPU, like the notebook's reference run. */
export function formatDevice(backend: Backend): string {
  return `Using device: ${backend === 'wasm' ? 'cpu' : backend}`;
}

/** §2, cell 3. */
export function formatImplementation(r: ImplementationResult): string {
  const p = r.params;
  return [
    `Input shape: ${shape(r.inputShape)}`,
    `Output shape: ${shape(r.outputShape)}`,
    '',
    'Parameter count:',
    `  Frozen W: ${p.frozen} (NOT trained)`,
    `  LoRA A:   ${p.a}`,
    `  LoRA B:   ${p.b}`,
    `  Total trainable: ${p.trainable}`,
    `  Reduction: ${pyFixed(p.reduction, 1)}x fewer trainable params`,
    '',
    'At initialization (B=0), ΔW is zero:',
    `  ||ΔW|| = ${pyFixed(r.deltaWNormAtInit, 10)}`,
  ].join('\n');
}

/** §3, cell 4: the task. */
export function formatTrainingTask(s: TrainingSettings): string {
  return [
    `Task: learn a rank-${s.targetRank} update to a frozen ${s.dModel}x${s.dModel} weight matrix`,
    `Training data: ${s.nSamples} samples, seq_len=${s.seqLen}, d_model=${s.dModel}`,
  ].join('\n');
}

/** §3, cell 5: the LoRA run, every 20th epoch. */
export function formatLoraTraining(r: TrainingResult): string {
  return [
    ...r.checkpoints.map((c) => `Epoch ${pyInt(c.epoch, 3)}: loss = ${pyFixed(c.loss, 6)}`),
    '',
    `Final loss: ${pyFixed(r.lora.final, 6)}`,
  ].join('\n');
}

/**
 * How much of full fine-tuning's progress LoRA must make to be called "comparable": the notebook's
 * claim is printed only when LoRA's loss fell at least this fraction as far as full fine-tuning's
 * from their common start (B = 0, so both runs begin at W₀'s loss). companion/training.py applies
 * the same rule to its own numbers.
 */
export const COMPARABLE_FRACTION = 0.9;

/**
 * The last line of §3's comparison, decided by the two runs' numbers. The notebook prints "and
 * achieves comparable loss on this low-rank task!" whatever its numbers show; here its words are
 * kept only where they hold, and otherwise the line says what the losses show.
 */
export function comparisonVerdict(lora: readonly number[], full: readonly number[]): string {
  const start = lora[0]!;
  const endLora = lora[lora.length - 1]!;
  const endFull = full[full.length - 1]!;
  if (![start, endLora, endFull].every(Number.isFinite)) return 'but a loss is not finite (the run diverged): nothing to compare on this run';
  const fellLora = start - endLora; // how far each loss fell from the common start
  const fellFull = start - endFull;
  if (endLora <= endFull || (fellFull > 0 && fellLora >= COMPARABLE_FRACTION * fellFull)) return 'and achieves comparable loss on this low-rank task!';
  if (fellFull <= 0) return "but not comparable loss on this run: both losses rose, LoRA's more";
  if (fellLora <= 0) return "but not comparable loss on this run: LoRA's loss did not fall, full fine-tuning's did";
  return `but not comparable loss on this run: LoRA's loss fell ${pyFixed((100 * fellLora) / fellFull, 0)}% as far as full fine-tuning's from the same start`;
}

/**
 * §3, cell 6: LoRA against full fine-tuning. The last line is the notebook's claim where the
 * numbers above it bear it out, and what they show where they do not (comparisonVerdict); a run
 * still in progress has no verdict yet.
 */
export function formatComparison(r: TrainingResult): string {
  const done = r.lora.losses.length === r.settings.epochs && r.full.losses.length === r.settings.epochs;
  return [
    `Full fine-tuning final loss: ${pyFixed(r.full.final, 6)}`,
    `LoRA (rank=${r.settings.rank}) final loss: ${pyFixed(r.lora.final, 6)}`,
    '',
    `LoRA uses ${pyFixed(r.paramRatio, 1)}x fewer trainable parameters`,
    done ? comparisonVerdict(r.lora.losses, r.full.losses) : '(whether the losses are comparable: when both runs have finished)',
  ].join('\n');
}

/** §4, cell 7. */
export function formatMerging(r: MergingResult): string {
  return [
    'Verification: separate LoRA vs merged weights',
    `  Max difference: ${pyExp(r.maxDiff, 2)}`,
    `  Are equal: ${pyBool(r.equal)}`,
    '',
    'Inference cost:',
    '  With LoRA:  2 matmuls (frozen W + adapter B@A@x)',
    '  Merged:     1 matmul (same cost as original model!)',
  ].join('\n');
}

/** §5, cell 9. */
export function formatRankSweep(r: RankSweepResult): string {
  return [
    'Rank vs Final Loss:',
    ...r.rows.map(
      (row) =>
        `  r=${pyInt(row.rank, 2)}: loss=${pyFixed(row.finalLoss, 6)}, params=${pyInt(row.params, 5)} (${pyFixed(row.percentOfFull, 1)}% of full)`,
    ),
  ].join('\n');
}

/** §6, cell 10. */
export function formatAdapters(r: AdaptersResult): string {
  const s = r.settings;
  return [
    'Multi-adapter switching:',
    `  Base model output norm:  ${pyFixed(r.norms.none, 4)}`,
    `  + Task A adapter norm:   ${pyFixed(r.norms.taskA, 4)}`,
    `  + Task B adapter norm:   ${pyFixed(r.norms.taskB, 4)}`,
    '',
    `Adapter storage per task: ${pyFixed(r.storage.adapterKB, 1)} KB (rank=${s.rank}, d_model=${s.dModel}, float32)`,
    `Base model storage:       ${pyFixed(r.storage.baseKB, 1)} KB`,
    '',
    '→ Store one base model + tiny adapters for each task!',
  ].join('\n');
}

/** §6, cell 11: the savings tables. */
export function formatSavings(tables: SavingsTable[]): string {
  const rule = '='.repeat(70);
  const lines = [rule, 'PARAMETER SAVINGS: LoRA at Scale', rule];
  for (const t of tables) {
    lines.push('', `${t.model.name} (d_model=${t.model.dModel}, ${t.model.layers} layers):`);
    lines.push(`  Full fine-tuning (Q,V only): ${pyFixed(t.fullParams / 1e6, 1)}M params`);
    for (const row of t.rows)
      lines.push(
        `  LoRA r=${pyInt(row.rank, 2)}: ${pyFixedWidth(row.loraParams / 1e6, 8, 2)}M params (${pyFixedWidth(row.reduction, 6, 0)}x reduction)`,
      );
  }
  lines.push('', rule);
  return lines.join('\n');
}

/** The whole notebook's output, cell by cell, in the layout of reference_output_cpu.txt. */
export function formatNotebook(r: NotebookResults): string {
  const cells = [
    formatDevice(r.training.info.backend),
    '', // §1 only plots
    formatImplementation(r.implementation),
    formatTrainingTask(r.training.settings),
    formatLoraTraining(r.training),
    formatComparison(r.training),
    formatMerging(r.merging),
    '', // §4's spectra are plotted
    formatRankSweep(r.rankSweep),
    formatAdapters(r.adapters),
    formatSavings(r.savings),
  ];
  return cells.map((text, i) => `=== cell ${i + 1}\n${text ? `${text}\n` : ''}`).join('');
}
