/**
 * The companion scripts served by the site itself (/companion/low_rank.py, and the .ipynb made
 * from it), so the chapter's "Full script" link works offline, from the service worker's cache,
 * like the rest of the site. Written at build time from companion/; one file per script a demo
 * spec names (src/specs/*.ts `python` or `companion`), so nothing here lists demos.
 */
import type { APIRoute, GetStaticPaths } from 'astro';
import { SPECS } from '../../specs/index';

const FILES = import.meta.glob<string>(['../../../companion/*.py', '../../../companion/*.ipynb'], { query: '?raw', import: 'default', eager: true });
const byName = new Map(Object.entries(FILES).map(([p, text]) => [p.slice(p.lastIndexOf('/') + 1), text]));

export const getStaticPaths: GetStaticPaths = () => {
  const names = new Set<string>();
  for (const { spec } of SPECS.values()) {
    const script = spec.python ?? spec.companion;
    if (!script) continue;
    if (!byName.has(script)) throw new Error(`The ${spec.id} spec names companion/${script}, which does not exist.`);
    names.add(script);
    const notebook = script.replace(/\.py$/, '.ipynb');
    if (byName.has(notebook)) names.add(notebook);
  }
  return [...names].sort().map((file) => ({ params: { file } }));
};

export const GET: APIRoute = ({ params }) => {
  const file = params.file!;
  const type = file.endsWith('.ipynb') ? 'application/x-ipynb+json' : 'text/x-python; charset=utf-8';
  return new Response(byName.get(file)!, { headers: { 'Content-Type': type } });
};
