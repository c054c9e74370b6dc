/**
 * Where chapter 8's files are: the one place that names the base model's folder and the texts.
 * Paths are relative to the site's root, which is the repository's `public/` folder (Node
 * scripts and tests join them to `PUBLIC_DIR`). Everything that reads the model or the texts,
 * scripts/ included, imports them from here; the Python companions read `files.json` beside it
 * (the same facts, for code that cannot import TypeScript). No imports: pages read it for free.
 */
import FILES from './files.json';

/** The model's folder name: what a reader's download is called, and PEFT's `base_model_name_or_path`. */
export const MODEL_NAME: string = FILES.modelName;
/** The repository folder the site is served from. */
export const PUBLIC_DIR: string = FILES.publicDir;

/** Chapter 8's adaptation tasks: which text the adapter learns. */
export type LmTask = 'devil' | 'sotu';

/** The committed base model and texts, as paths under the site's root (public/). */
export const LANGUAGE_MODEL_FILES = {
  modelDir: `models/${FILES.modelName}`,
  model: ['config.json', 'model.safetensors', 'vocab.json'] as const,
  /** Every task's texts, in the order the switch compares them. */
  tasks: FILES.tasks as Record<LmTask, { label: string; train: string; val: string; /** The prompt the demo offers for this task (the dictionary's is the default run's). */ prompt: string }>,
  /** Held-out text of the pretraining corpus (Austen, never trained on): what fine-tuning may make the model forget (chapter 9). */
  pretraining: FILES.pretraining as { label: string; val: string },
} as const;

export const LM_TASKS = Object.keys(LANGUAGE_MODEL_FILES.tasks) as LmTask[];
