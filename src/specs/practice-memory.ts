/**
 * §9 "Memory as it really is": what one training step holds, read off the engine's training
 * graph for the chosen targets, rank, batch and context, LoRA beside full fine-tuning, on this
 * chapter's model and on chapter 6's 7B model (with QLoRA's NF4 base as one more row). Pure
 * graph building, no training: it recomputes as the reader edits.
 */
import { DEFAULTS, LLAMA_7B, type PracticeMemoryResult } from '../../demos/index';
import { bytesLabel, memoryPanels, methodName } from '../charts/practice';
import type { View } from '../demo-kit/view';
import { int } from '../demo-kit/params';
import { defineDemo } from '../demo-kit/spec';
import { targetsOf, targetsParam } from './parts/language-model';

const D = DEFAULTS.practiceMemory;

const params = {
  targets: targetsParam('LoRA target modules', D.targets),
  rank: int('Rank r', D.rank, 1, 128),
  batch: int('Batch (this chapter’s model)', D.batch, 1, 64),
  // The model's own context is checked by the experiment (it reads config.json).
  context: int('Context (this chapter’s model)', D.context, 2, 4096, 'Characters, at most the model’s context'),
  bigBatch: int('Batch (7B)', D.bigBatch, 1, 64),
  bigContext: int('Context (7B)', D.bigContext, 2, LLAMA_7B.maxPositions, `Tokens, at most ${LLAMA_7B.maxPositions.toLocaleString('en')}`),
};

export function memoryView(r: PracticeMemoryResult): View {
  const panels = memoryPanels(r);
  const kinds = ['frozen', 'trainable', 'activations', 'gradients', 'optimizer'] as const;
  return {
    panels,
    printout: panels.map((p) => p.summary).join('\n'),
    tables: [
      {
        caption: 'Bytes one training step holds (float32; QLoRA: the frozen decoder weights in NF4, 4 bits plus one float32 absmax per 64 values)',
        head: ['Model', 'Method', 'Frozen weights', 'Trained weights', 'Activations kept', 'Gradients', 'Adam state', 'Total'],
        rows: r.rows.map((row) => [row.model, methodName(row.method), ...kinds.map((k) => bytesLabel(row.memory[k])), bytesLabel(row.total)]),
      },
    ],
  };
}

export const spec = defineDemo({
  id: 'practice-memory',
  experiment: 'practiceMemory',
  defaultsFrom: 'chapter',
  params,
  presets: [{ id: 'all', label: 'Every linear layer', values: { targets: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'mlp'] } }],
  settings: (v) => ({ ...v, targets: targetsOf(v.targets), root: import.meta.env.BASE_URL }),
  view: (r) => memoryView(r),
  runButtons: false,
});
