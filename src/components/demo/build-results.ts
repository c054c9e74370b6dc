/**
 * The notebook's results, computed once per build in Node by the same engine (WASM backend)
 * and experiments the live demos run, so every figure slot has its picture before any
 * JavaScript runs. The promise is cached at module level: one run serves every page.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, runNotebook, type ExperimentName, type FileSource, type NotebookResults, type ResultOf } from '../../../demos/index';

/** The site's files as the build reads them: the repository's public/ folder. */
const publicFiles: FileSource = { read: async (path) => new Uint8Array(readFileSync(join(process.cwd(), 'public', path))) };

let notebook: Promise<NotebookResults> | undefined;

export function notebookResults(): Promise<NotebookResults> {
  notebook ??= (async () => {
    const engine = await createEngine({ backend: 'wasm' });
    try {
      return await runNotebook(engine, { files: publicFiles });
    } finally {
      await engine.dispose();
    }
  })();
  return notebook;
}

/** The build-time result of an experiment (the notebook's settings). */
export async function buildResult<E extends ExperimentName>(experiment: E): Promise<ResultOf<E>> {
  return (await notebookResults())[experiment];
}
