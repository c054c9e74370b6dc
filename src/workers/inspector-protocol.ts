/** Messages between the inspector page and its worker (src/workers/inspector.worker.ts). */
import type { AdapterInspection } from '../../demos/index';

/** An adapter folder: two files the reader picked, or an example folder on this site. */
export type AdapterSource =
  | { kind: 'files'; label: string; config: File; weights: File }
  | { kind: 'url'; label: string; url: string };

export interface ToInspector {
  first: AdapterSource;
  second?: AdapterSource;
}

export type FromInspector =
  | { type: 'progress'; done: number; total: number; name: string }
  | { type: 'result'; inspection: AdapterInspection }
  | { type: 'error'; message: string };
