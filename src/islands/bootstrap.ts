/**
 * The only demo script a chapter page references: it waits until a figure slot nears the
 * viewport, then loads the island and that slot's spec (src/specs/<data-spec>.ts). Everything
 * heavy (the island, d3, the worker with onnxruntime-web) is a dynamic import, one chunk per
 * spec, so a chapter read without running a demo loads none of it.
 */
import type { AnySpec } from '../demo-kit/spec';

const specs = import.meta.glob<{ spec: AnySpec }>(['../specs/*.ts', '!../specs/index.ts', '!../specs/*.test.ts']);

function load(slot: HTMLElement): void {
  const spec = specs[`../specs/${slot.dataset.spec ?? ''}.ts`];
  if (!spec) return;
  Promise.all([import('./mount'), spec()]).then(
    ([{ mountDemo }, m]) => mountDemo(slot, m.spec),
    (err: unknown) => {
      slot.dataset.island = 'failed';
      console.warn('The live demo could not load; the figure shows the result computed when the site was built.', err);
    },
  );
}

const slots = document.querySelectorAll<HTMLElement>('[data-demo]');
if (slots.length && 'IntersectionObserver' in window) {
  const io = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        io.unobserve(e.target);
        load(e.target as HTMLElement);
      }
    },
    // Start loading about a screen ahead, so the demo is live by the time it is read.
    { rootMargin: '100% 0px' },
  );
  slots.forEach((s) => io.observe(s));
}
