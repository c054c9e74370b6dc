/**
 * The toolbar's actions beside Run / Cancel / Reset, declared once: Toolbar.astro renders one
 * button per action that applies to a spec, and the island binds each button to its handler.
 * A new action (export the settings as Python, copy an embed snippet) is one entry here, reading
 * what it needs from the spec and the context; the controller does not change.
 */
import type { AnySpec, Values } from '../specs/index';

export interface ActionContext {
  spec: AnySpec;
  /** The demo's current values (what the controls and the URL say). */
  values(): Values<AnySpec['params']>;
  /** This page's URL with the current settings (the URL is brought up to date first). */
  link(): string;
  /** A line in the demo's status (screen readers hear it). */
  say(text: string): void;
}

export interface ToolbarAction {
  id: string;
  label: string;
  /** Whether a demo gets this button (default: every demo). */
  appliesTo?(spec: AnySpec): boolean;
  run(ctx: ActionContext): void | Promise<void>;
}

export const TOOLBAR_ACTIONS: readonly ToolbarAction[] = [
  {
    id: 'copy-link',
    label: 'Copy link',
    async run(ctx) {
      const url = ctx.link();
      try {
        await navigator.clipboard.writeText(url);
        ctx.say('Link copied: it opens this chapter with these settings.');
      } catch {
        ctx.say(`Copy this link: ${url}`);
      }
    },
  },
];

export const actionsFor = (spec: AnySpec): ToolbarAction[] => TOOLBAR_ACTIONS.filter((a) => a.appliesTo?.(spec) ?? true);
