/**
 * How long a run will take, said before the reader presses Run, for a demo that waits for Run
 * and counts its run in steps (chapter 8: Toolbar.astro renders the line where the spec has
 * `autoRun: false` and a `steps` parameter). Nothing is guessed: the time per step is measured
 * in this browser on a run with the same settings (steps, seed and prompt aside: they do not
 * change a step's cost), from its first reported step to its last, so loading the model and
 * building its graphs are left out. Before such a run the line says the time is unknown.
 *
 * It watches the slot's attributes the island keeps (data-state, data-steps, data-settings;
 * src/islands/mount.ts) and reads the controls, so it needs nothing from the island itself.
 * (An edit during a run restarts it, so when a run is done the controls hold its settings.)
 */

interface Timing {
  /** Seconds per step. */
  perStep: number;
  /** How many steps it was measured over. */
  over: number;
}

const STORE = 'lora-live:step-time';
/** Settings that do not change the cost of a step. */
const FREE = /^(steps|seed|prompt)$/;

/** What a step's cost depends on: the controls' values (steps, seed and prompt aside) and where it runs. */
function timingKey(slot: HTMLElement): string {
  const parts: string[] = [];
  for (const input of slot.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-input]')) {
    const k = input.dataset.input ?? '';
    if (FREE.test(k)) continue;
    if (input instanceof HTMLInputElement && (input.type === 'checkbox' || input.type === 'radio')) {
      if (input.checked) parts.push(`${k}=${input.value}`);
    } else parts.push(`${k}=${input.value.trim()}`);
  }
  const backend = slot.querySelector<HTMLElement>('[data-badge]')?.dataset.backend ?? 'auto';
  return `${slot.dataset.demo}|${backend}|${parts.sort().join('&')}`;
}

function load(): Record<string, Timing> {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? '{}') as Record<string, Timing>;
  } catch {
    return {};
  }
}

function save(key: string, t: Timing): void {
  try {
    localStorage.setItem(STORE, JSON.stringify({ ...load(), [key]: t }));
  } catch {
    /* private mode: the estimate lasts for this page only */
  }
}

const duration = (s: number): string => (s < 90 ? `${Math.max(1, Math.round(s))} s` : `${Math.round(s / 60)} min`);

export function wireEstimate(line: HTMLElement): void {
  const slot = line.closest<HTMLElement>('[data-demo]');
  const key = line.dataset.estimate;
  const box = slot?.querySelector<HTMLInputElement>(`[data-input="${key}"]`);
  if (!slot || !box) return;
  const memory = new Map<string, Timing>(Object.entries(load()));
  let first: { t: number; step: number } | undefined;
  let latest: { t: number; step: number } | undefined;

  const planned = (): number | undefined => (/^\d+$/.test(box.value.trim()) ? Number(box.value.trim()) : undefined);

  const render = () => {
    const steps = planned();
    if (slot.dataset.state === 'running') {
      const total = Number((slot.dataset.settings ?? '').match(new RegExp(`${slot.dataset.demo}\\.${key}=(\\d+)`))?.[1] ?? box.defaultValue);
      if (first && latest && latest.step > first.step) {
        const perStep = (latest.t - first.t) / 1000 / (latest.step - first.step);
        line.textContent = `About ${duration(perStep * Math.max(0, total - latest.step))} left at this run’s pace.`;
      } else line.textContent = 'Time left: known once the first steps have run.';
      return;
    }
    if (steps === undefined) {
      line.textContent = '';
      return;
    }
    const t = memory.get(timingKey(slot));
    line.textContent = t
      ? `${steps} steps: about ${duration(t.perStep * steps)} in this browser (${(t.perStep * 1000).toFixed(0)} ms a step, timed on a run with these settings), plus loading the model on the first Run.`
      : `How long ${steps} steps take in this browser is unknown until a run with these settings has timed its first steps; the progress line then shows steps per second.`;
  };

  new MutationObserver(() => {
    const step = Number(slot.dataset.steps ?? 0);
    const now = performance.now();
    if (slot.dataset.state === 'running') {
      // The first reported step starts the clock; every later one moves its end.
      if (step > 0 && (!first || step < first.step)) [first, latest] = [{ t: now, step }, undefined];
      else if (first && step > (latest?.step ?? first.step)) latest = { t: now, step };
    } else {
      if (slot.dataset.state === 'done' && first && latest) {
        // Measured from the first reported step: model loading and graph building are not steps.
        const t = { perStep: (latest.t - first.t) / 1000 / (latest.step - first.step), over: latest.step - first.step };
        const k = timingKey(slot);
        memory.set(k, t);
        save(k, t);
      }
      first = latest = undefined;
    }
    render();
  }).observe(slot, { attributes: true, attributeFilter: ['data-state', 'data-steps', 'data-settings', 'data-island'] });
  slot.addEventListener('change', render);
  slot.addEventListener('input', render);
  render();
}

for (const line of document.querySelectorAll<HTMLElement>('[data-estimate]')) wireEstimate(line);
