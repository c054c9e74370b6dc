/**
 * Client-side tooltips for chart markup: one absolutely positioned element per container,
 * shown for any [data-tip] under the pointer or with keyboard focus, hidden on pointerout,
 * focusout and Escape. Event delegation on the container, so it survives the island
 * replacing the chart's innerHTML ten times a second. No d3.
 *
 * Keyboard: each chart (each <svg> with marks) is one tab stop, the usual roving-tabindex
 * pattern: one mark per chart has tabindex 0, the others -1, and the arrow keys (Home, End)
 * move focus, and the tip, between its marks. The charts' markup makes every mark focusable;
 * this keeps only one per chart in the tab order, again after every redraw.
 *
 * Colours come from --tooltip-bg / --tooltip-text (falling back to the axis text colour on
 * the page background), so it follows dark mode.
 */
let counter = 0;

/** Attaches tooltips to every [data-tip] inside `container`; returns a function that detaches them. */
export function attachTooltips(container: HTMLElement): () => void {
  const doc = container.ownerDocument;
  const tip = doc.createElement('div');
  tip.id = `chart-tip-${++counter}`;
  tip.setAttribute('role', 'tooltip');
  tip.className = 'chart-tooltip';
  Object.assign(tip.style, {
    position: 'absolute',
    zIndex: '10',
    pointerEvents: 'none',
    padding: '3px 7px',
    borderRadius: '4px',
    font: '13px/1.3 var(--chart-font, system-ui, sans-serif)',
    whiteSpace: 'nowrap',
    background: 'var(--tooltip-bg, var(--color-text, #222))',
    color: 'var(--tooltip-text, var(--color-bg, #fff))',
    boxShadow: '0 1px 4px rgb(0 0 0 / 0.25)',
    display: 'none',
    // The page makes every child of a panels box a size container (global.css), which would
    // give this shrink-to-fit box no width of its own and clip the text to a sliver.
    containerType: 'normal',
  } satisfies Partial<CSSStyleDeclaration>);
  if (getComputedStyleSafe(container) === 'static') container.style.position = 'relative';
  container.append(tip);
  let current: Element | null = null;

  /** Shows `text` (default the target's data-tip) above `at` (default the target's box). */
  const show = (target: Element, text = target.getAttribute('data-tip'), at?: { x: number; top: number; bottom: number }) => {
    if (!text) return;
    // The island replaces the container's innerHTML on every update, which removes the tip.
    if (tip.parentNode !== container) container.append(tip);
    current = target;
    tip.textContent = text;
    tip.style.display = 'block';
    target.setAttribute('aria-describedby', tip.id);
    // Centre above the mark, kept inside the container horizontally.
    const c = container.getBoundingClientRect();
    const t = target.getBoundingClientRect();
    const box = at ?? { x: t.left - c.left + t.width / 2, top: t.top - c.top, bottom: t.bottom - c.top };
    const w = tip.offsetWidth;
    const h = tip.offsetHeight;
    const left = Math.max(0, Math.min(box.x - w / 2, c.width - w));
    let top = box.top - h - 6;
    if (top < 0 && box.bottom - box.top < c.height / 2) top = box.bottom + 6;
    if (top < 0) top = 0; // a tall hover column: pin to the top
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  };
  const hide = () => {
    current?.removeAttribute('aria-describedby');
    current = null;
    tip.style.display = 'none';
  };
  const tipTarget = (e: Event) => (e.target instanceof Element ? e.target.closest('[data-tip]') : null);

  const onOver = (e: Event) => {
    const t = tipTarget(e);
    if (t && container.contains(t)) show(t);
  };
  const onOut = (e: Event) => {
    const t = tipTarget(e);
    const to = (e as PointerEvent | FocusEvent).relatedTarget;
    if (t && t === current && !(to instanceof Element && t.contains(to))) hide();
  };
  // Heatmaps: one target per matrix carrying all values; the tip follows the cell under
  // the pointer.
  const onMove = (e: PointerEvent) => {
    const t = tipTarget(e);
    const values = t?.getAttribute('data-grid-values');
    if (!t || !values) return;
    const rows = Number(t.getAttribute('data-grid-rows'));
    const cols = Number(t.getAttribute('data-grid-cols'));
    const r = t.getBoundingClientRect();
    const i = Math.min(rows - 1, Math.max(0, Math.floor(((e.clientY - r.top) / r.height) * rows)));
    const j = Math.min(cols - 1, Math.max(0, Math.floor(((e.clientX - r.left) / r.width) * cols)));
    const v = values.split(' ')[i * cols + j] ?? '';
    const c = container.getBoundingClientRect();
    show(t, `${t.getAttribute('data-grid-name') ?? ''}[${i}, ${j}] = ${v.replace(/-/g, '−')}`, {
      x: r.left - c.left + ((j + 0.5) / cols) * r.width,
      top: r.top - c.top + (i / rows) * r.height,
      bottom: r.top - c.top + ((i + 1) / rows) * r.height,
    });
  };
  // Roving tabindex: which mark of each chart (by its position among the panels) holds the tab stop.
  const active = new Map<number, number>();
  const charts = () => [...container.querySelectorAll('svg')].filter((svg) => svg.querySelector('[data-tip]'));
  const marksOf = (svg: Element) => [...svg.querySelectorAll<SVGElement>('[data-tip]')];
  const rove = () => {
    charts().forEach((svg, c) => {
      const marks = marksOf(svg);
      const at = Math.min(active.get(c) ?? 0, marks.length - 1);
      marks.forEach((m, i) => {
        const want = i === at ? '0' : '-1';
        if (m.getAttribute('tabindex') !== want) m.setAttribute('tabindex', want);
      });
    });
  };
  const STEP: Record<string, (i: number, n: number) => number> = {
    ArrowRight: (i, n) => Math.min(i + 1, n - 1),
    ArrowDown: (i, n) => Math.min(i + 1, n - 1),
    ArrowLeft: (i) => Math.max(i - 1, 0),
    ArrowUp: (i) => Math.max(i - 1, 0),
    Home: () => 0,
    End: (_, n) => n - 1,
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && current) hide();
    const step = STEP[e.key];
    const t = tipTarget(e);
    const svg = t?.closest('svg');
    if (!step || !t || !svg) return;
    const marks = marksOf(svg);
    const i = marks.indexOf(t as SVGElement);
    if (i < 0) return;
    e.preventDefault();
    const next = step(i, marks.length);
    active.set(charts().indexOf(svg), next);
    rove();
    marks[next]!.focus();
  };
  // Keep one tab stop per chart however often the charts are redrawn.
  rove();
  const observer = new MutationObserver(rove);
  observer.observe(container, { childList: true, subtree: true });
  // One signal detaches every listener.
  const listening = new AbortController();
  const on = { signal: listening.signal };
  container.addEventListener('pointerover', onOver, on);
  container.addEventListener('pointermove', onMove, on);
  container.addEventListener('focusin', onOver, on);
  container.addEventListener('pointerout', onOut, on);
  container.addEventListener('focusout', onOut, on);
  container.addEventListener('keydown', onKey, on);
  return () => {
    listening.abort();
    observer.disconnect();
    tip.remove();
  };
}

function getComputedStyleSafe(el: HTMLElement): string {
  return el.ownerDocument.defaultView?.getComputedStyle(el).position ?? 'static';
}
