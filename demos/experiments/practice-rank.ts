/**
 * Chapter 9, "Rank and α": one point trained and measured with the reader's settings (the
 * committed study beside it is demos/lm/results/practice.json; see ./practice.ts).
 */
import type { Engine } from '../types';
import { DEFAULTS } from './defaults';
import { practicePoint } from './practice';
import type { ExperimentOptions, PracticeProgress, PracticeResult, PracticeSettings } from './types';

export function practiceRank(engine: Engine, settings: Partial<PracticeSettings> = {}, opts: ExperimentOptions<PracticeProgress> = {}): Promise<PracticeResult> {
  return practicePoint(engine, settings, DEFAULTS.practiceRank, opts);
}
