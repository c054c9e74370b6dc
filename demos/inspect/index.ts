/**
 * The adapter inspector: Hu et al.'s §7 analyses (singular spectra, effective rank, subspace
 * similarity between two adapters) on any PEFT LoRA adapter, in float64, without forming ΔW.
 */
export {
  GRID_MAX, inspectAdapters, inspectionJson, layoutOf, naturalOrder,
  type AdapterInspection, type AdapterSummary, type DoraMagnitude, type InspectOptions, type InspectProgress, type ModuleInspection, type ModuleSimilarity,
} from './inspect';
export { effectiveRank, loraSpectrum, subspaceSimilarity, subspaceSimilarityGrid, type LoraSpectrum, type RowMatrix } from './spectrum';
