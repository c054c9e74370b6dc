/** Keeping the address bar in step with a demo: its values (and the page's backend choice). */
import type { Backend } from '../../demos/index';
import type { AnySpec, Values } from '../demo-kit/spec';
import { writeBackend, writeState } from '../demo-kit/url-state';

/** Write the demo's values into the URL in place (history.replaceState: no new history entry). */
export function syncUrl(spec: AnySpec, values: Values<AnySpec['params']>, backend?: Backend | 'auto'): string {
  const q = new URLSearchParams(location.search);
  writeState(spec, values, q);
  if (backend !== undefined) writeBackend(backend, q);
  const s = q.toString();
  history.replaceState(history.state, '', `${location.pathname}${s ? `?${s}` : ''}${location.hash}`);
  return location.href;
}
