/**
 * Binding a demo's build-time controls to its spec: every edit parses every control and runs
 * the spec's cross-field checks over the complete set, so a message always describes what the
 * boxes say now (not the last value that happened to be valid), and values are committed only
 * when all of them pass. Messages sit next to their control (aria-invalid, aria-describedby).
 */
import type { AnySpec, Inactive, Values } from '../demo-kit/spec';
import type { DemoElements } from './dom';
import { formatParam, parseParam, validate } from '../demo-kit/url-state';

type AnyValues = Values<AnySpec['params']>;

export interface ControlsBinding {
  /** Put these values in the controls and clear every message. */
  show(values: AnyValues): void;
  /** A message next to a control that blocks running (a setting the experiment refused), or none. */
  showError(key: string, message: string | undefined): void;
  /**
   * A message next to a control about a value that is not in it (the link's value that could
   * not be used): the control holds a valid value, so nothing is marked invalid or blocked.
   * The next edit clears it.
   */
  showNote(key: string, message: string): void;
  /** Every control's value as its text (what a reader sees), by parameter. */
  texts(): Record<string, string>;
  hasErrors(): boolean;
  enable(): void;
  /** Disable the controls and choices the settings leave nothing to do with, each with its reason; re-enable the rest. */
  setInactive(inactive: Inactive<AnySpec['params']>): void;
}

export interface ControlEvents {
  /** All controls hold valid values; `key` is the one the reader changed. */
  commit(key: string, values: AnyValues): void;
  /** Enter in a field: commit, then run (for demos with a Run button). */
  submit(): void;
}

export function bindControls(el: DemoElements, spec: AnySpec, current: () => AnyValues, on: ControlEvents): ControlsBinding {
  const { slot, fieldset } = el;
  const params = spec.params;
  const keys = Object.keys(params);
  const errors = new Map<string, string>();

  const inputsOf = (key: string) => [...slot.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(`[data-input="${key}"]`)];
  // Radio buttons and check boxes: one input per option, the value is which are checked.
  const isRadio = (i: Element): i is HTMLInputElement => i instanceof HTMLInputElement && (i.type === 'radio' || i.type === 'checkbox');

  const showError = (key: string, message: string | undefined) => {
    if (message) errors.set(key, message);
    else errors.delete(key);
    const box = slot.querySelector<HTMLElement>(`#${spec.id}-${key}-error`);
    if (box) {
      box.textContent = message ?? '';
      box.hidden = !message;
      delete box.dataset.note;
    }
    for (const i of inputsOf(key)) {
      if (isRadio(i)) continue;
      if (message) i.setAttribute('aria-invalid', 'true');
      else i.removeAttribute('aria-invalid');
    }
  };
  const setControl = (key: string, v: unknown) => {
    for (const i of inputsOf(key)) {
      if (isRadio(i)) i.checked = Array.isArray(v) ? v.includes(i.value) : i.value === v;
      else i.value = formatParam(params[key]!, v as never);
    }
  };
  const rawOf = (key: string): string => {
    const ins = inputsOf(key);
    if (params[key]!.kind === 'set') return ins.filter((i) => isRadio(i) && i.checked).map((i) => i.value).join(',');
    return (ins.find((i) => isRadio(i) && i.checked) ?? ins[0])?.value ?? '';
  };

  /** Parse every control; then the cross-field checks over the complete set. */
  const check = (): { values?: AnyValues; messages: Record<string, string> } => {
    const messages: Record<string, string> = {};
    const next: Record<string, unknown> = { ...current() };
    for (const k of keys) {
      const r = parseParam(params[k]!, rawOf(k));
      if (r.ok) next[k] = r.value;
      else messages[k] = r.message;
    }
    if (Object.keys(messages).length) return { messages };
    const cross = validate(spec, next as AnyValues) as Record<string, string>;
    return Object.keys(cross).length ? { messages: cross } : { values: next as AnyValues, messages };
  };

  const same = (a: AnyValues, b: AnyValues) =>
    keys.every((k) => formatParam(params[k]!, (a as Record<string, unknown>)[k] as never) === formatParam(params[k]!, (b as Record<string, unknown>)[k] as never));
  const onEdit = (key: string, commit: boolean): boolean => {
    const { values, messages } = check();
    // Errors follow what the boxes say now; a note about the link stays until a real edit.
    for (const k of keys) if (messages[k] || errors.has(k)) showError(k, messages[k]);
    if (!values || !commit) return false;
    // Nothing new (the same value retyped, or both Enter and leaving the field): no rerun.
    if (same(values, current())) return false;
    for (const k of keys) showError(k, undefined);
    on.commit(key, values);
    return true;
  };

  const keyOf = (ev: Event) => (ev.target as HTMLElement).dataset.input;
  // Typing shows messages at once; a number is committed when the field is left (change),
  // a choice as soon as it is made.
  fieldset.addEventListener('input', (ev) => {
    const key = keyOf(ev);
    if (key) onEdit(key, params[key]!.kind === 'enum' || params[key]!.kind === 'set');
  });
  fieldset.addEventListener('change', (ev) => {
    const key = keyOf(ev);
    if (key) onEdit(key, true);
  });
  // 'change' is not enough: after Enter commits 64 and the reader types back the value the
  // field had when it got focus, leaving it fires no change event (the value "did not change"),
  // and the box would say 8 while the run and URL say 64. Leaving a field always commits it.
  fieldset.addEventListener('focusout', (ev) => {
    const key = keyOf(ev);
    if (key && params[key]!.kind !== 'enum') onEdit(key, true);
  });
  fieldset.addEventListener('keydown', (ev) => {
    const key = keyOf(ev);
    if (ev.key !== 'Enter' || !key) return;
    // In a text box Enter is a line break (a prompt may hold several); Ctrl/⌘+Enter runs.
    if (ev.target instanceof HTMLTextAreaElement && !(ev.ctrlKey || ev.metaKey)) return;
    ev.preventDefault();
    onEdit(key, true);
    if (errors.size === 0) on.submit();
  });

  return {
    show(values) {
      for (const k of keys) {
        setControl(k, (values as Record<string, unknown>)[k]);
        showError(k, undefined);
      }
    },
    showError,
    showNote(key, message) {
      const box = slot.querySelector<HTMLElement>(`#${spec.id}-${key}-error`);
      if (!box) return;
      box.textContent = message;
      box.hidden = false;
      box.dataset.note = 'true';
    },
    texts: () => Object.fromEntries(keys.map((k) => [k, rawOf(k)])),
    hasErrors: () => errors.size > 0,
    enable() {
      fieldset.disabled = false;
    },
    setInactive(inactive) {
      // One reason is said once: controls disabled for the same reason point to the first one's note.
      const noteOf = new Map<string, string>();
      for (const k of keys) {
        const whole = inactive.controls?.[k];
        const some = inactive.options?.[k];
        const field = slot.querySelector<HTMLElement>(`[data-param="${k}"]`);
        for (const i of inputsOf(k)) {
          const off = whole !== undefined || (isRadio(i) && !!some?.values.includes(i.value));
          i.disabled = off;
          const label = isRadio(i) ? i.closest('label') : null;
          if (label) label.toggleAttribute('data-inactive', off);
        }
        field?.toggleAttribute('data-inactive', whole !== undefined);
        const reason = whole ?? (some && some.values.length ? some.why : undefined);
        const id = `${spec.id}-${k}-inactive`;
        const shared = reason !== undefined ? noteOf.get(reason) : undefined;
        if (reason !== undefined && !shared) noteOf.set(reason, id);
        // The reason in a line of its own under the control, read with it (aria-describedby).
        let note = slot.querySelector<HTMLElement>(`#${id}`);
        if (!note && reason !== undefined && !shared && field) {
          note = document.createElement('small');
          note.id = id;
          note.className = 'demo-help';
          note.dataset.inactiveNote = '';
          field.append(note);
        }
        if (note) {
          note.textContent = shared ? '' : (reason ?? '');
          note.hidden = !!shared || reason === undefined;
        }
        const describedBy = reason === undefined ? undefined : (shared ?? id);
        for (const i of field instanceof HTMLFieldSetElement ? [field] : inputsOf(k)) {
          const ids = (i.getAttribute('aria-describedby') ?? '').split(' ').filter((x) => x && !x.endsWith('-inactive'));
          if (describedBy) ids.push(describedBy);
          i.setAttribute('aria-describedby', ids.join(' '));
        }
      }
    },
  };
}
