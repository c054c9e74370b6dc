/**
 * A file a demo offers in its Download menu, made when it is clicked. Specs declare their extra
 * files (the trained adapter) with these; the island's menu (islands/downloads.ts) lists them
 * beside the figures, data and result it makes itself.
 */
import { loraSafetensors, type LoraAdapter } from '../../demos/index';

export interface DownloadSource {
  label: string;
  filename: string;
  make: () => Promise<Blob> | Blob;
}

/** A value as an indented JSON file. */
export const jsonBlob = (x: unknown): Blob => new Blob([JSON.stringify(x, null, 1)], { type: 'application/json' });

/** The adapter downloads for a result that carries one. */
export function adapterDownloads(demo: string, adapter: LoraAdapter | undefined): DownloadSource[] {
  if (!adapter) return [];
  const base = `lora-${demo}-adapter-r${adapter.rank}`;
  return [
    {
      label: 'Trained adapter (A, B, α, r) · JSON',
      filename: `${base}.json`,
      make: () => jsonBlob({ r: adapter.rank, alpha: adapter.alpha, scaling: adapter.scaling, scalingRule: adapter.scalingRule, A: adapter.a, B: adapter.b }),
    },
    {
      label: 'Trained adapter · .safetensors (PEFT names)',
      filename: `${base}.safetensors`,
      make: () => new Blob([loraSafetensors(adapter) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }),
    },
  ];
}

