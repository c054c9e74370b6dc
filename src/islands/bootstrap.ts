/**
 * The only demo script a chapter page references: it waits until a figure slot nears the
 * viewport, then loads that slot's island. Everything heavy (the island, d3, the worker with
 * onnxruntime-web) is a dynamic import, so a chapter read without running a demo loads none of it.
 */
const islands: Record<string, () => Promise<{ mount(slot: HTMLElement): void }>> = {
  lowrank: () => import('./lowrank'),
  implementation: () => import('./implementation'),
  training: () => import('./training'),
  merging: () => import('./merging'),
  rank: () => import('./rank'),
  adapters: () => import('./adapters'),
  savings: () => import('./savings'),
};

const slots = document.querySelectorAll<HTMLElement>('[data-demo]');
if (slots.length && 'IntersectionObserver' in window) {
  const io = new IntersectionObserver(
    (entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        io.unobserve(e.target);
        const slot = e.target as HTMLElement;
        const load = islands[slot.dataset.demo ?? ''];
        if (load)
          load().then(
            (m) => m.mount(slot),
            (err: unknown) => {
              slot.dataset.island = 'failed';
              console.warn('The live demo could not load; the figure shows the notebook’s result.', err);
            },
          );
      }
    },
    // Start loading about a screen ahead, so the demo is live by the time it is read.
    { rootMargin: '100% 0px' },
  );
  slots.forEach((s) => io.observe(s));
}
