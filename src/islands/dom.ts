/**
 * The parts of a figure slot the island works with, found once. Demo.astro renders them at
 * build time (data-* hooks); the island never creates the slot's structure itself.
 */
const $ = <T extends Element>(root: ParentNode, sel: string) => root.querySelector<T>(sel);

export interface DemoElements {
  slot: HTMLElement;
  fieldset: HTMLFieldSetElement;
  status: HTMLElement;
  progress: HTMLElement;
  error: HTMLElement;
  panels: HTMLElement;
  tables: HTMLElement;
  summary: HTMLElement;
  printout: HTMLElement;
  badge: HTMLElement | null;
  badgeWhy: HTMLElement | null;
  backendSelect: HTMLSelectElement | null;
  /** The toolbar's buttons by `data-action` (run, cancel, reset, copy-link, …). */
  action(id: string): HTMLButtonElement | null;
  presets: HTMLButtonElement[];
  /** The result embedded at build time (the notebook's settings). */
  buildResult: unknown;
}

export function demoElements(slot: HTMLElement): DemoElements {
  const need = <T extends Element>(sel: string): T => {
    const e = $<T>(slot, sel);
    if (!e) throw new Error(`The demo slot has no ${sel}: Demo.astro and the island disagree.`);
    return e;
  };
  return {
    slot,
    fieldset: need('[data-controls]'),
    status: need('[data-status]'),
    progress: need('[data-progress]'),
    error: need('[data-error]'),
    panels: need('[data-panels]'),
    tables: need('[data-tables]'),
    summary: need('[data-summary]'),
    printout: need('[data-printout]'),
    badge: $(slot, '[data-badge]'),
    badgeWhy: $(slot, '[data-badge-why]'),
    backendSelect: $(slot, '[data-backend]'),
    action: (id) => $<HTMLButtonElement>(slot, `[data-action="${id}"]`),
    presets: [...slot.querySelectorAll<HTMLButtonElement>('[data-preset]')],
    buildResult: JSON.parse($<HTMLScriptElement>(slot, 'script[data-result]')?.textContent ?? 'null') as unknown,
  };
}
