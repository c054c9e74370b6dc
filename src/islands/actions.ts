/**
 * The toolbar's actions beside Run / Cancel / Reset, declared once: Toolbar.astro renders one
 * button per action that applies to a spec, and the island binds each button to its handler.
 * A new action is one entry here, reading what it needs from the spec and the context; the
 * controller does not change.
 */
import { embedPath, embedSnippet } from '../lib/embed';
import type { AnySpec, Values } from '../demo-kit/spec';
import { save } from './downloads';
import { writeState } from '../demo-kit/url-state';

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

/** The embed page of a demo with its current settings, absolute (this site's origin and base path). */
export function embedUrl(spec: AnySpec, values: Values<AnySpec['params']>): string {
  const base = import.meta.env.BASE_URL.replace(/\/?$/, '/');
  const url = new URL(`${base}${embedPath(spec.id)}`, location.origin);
  url.search = writeState(spec, values).toString();
  return url.href;
}

/**
 * The iframe's height: what the figure takes on this page now, plus the embed page's lines
 * around it (chapter link, citation), so a host column of a similar width shows no scrollbar.
 */
function embedHeight(spec: AnySpec): number {
  const h = document.getElementById(`demo-${spec.id}`)?.getBoundingClientRect().height ?? 0;
  return h > 0 ? Math.ceil((h + 160) / 10) * 10 : 760;
}

/** The iframe's accessible name: the chapter's title (the h1 of a chapter or embed page). */
function embedTitle(): string {
  const chapter = document.querySelector('h1')?.textContent?.replace(/\s+/g, ' ').trim();
  return chapter ? `Live demo: ${chapter}` : 'Live demo';
}

async function copyOrShow(ctx: ActionContext, text: string, copied: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    ctx.say(copied);
  } catch {
    ctx.say(`Copy this ${what}: ${text}`);
  }
}

export const TOOLBAR_ACTIONS: readonly ToolbarAction[] = [
  {
    id: 'copy-link',
    label: 'Copy link',
    run: (ctx) => copyOrShow(ctx, ctx.link(), 'Link copied: it opens this chapter with these settings.', 'link'),
  },
  {
    id: 'export-python',
    label: 'Export as Python',
    appliesTo: (spec) => !!spec.python,
    async run(ctx) {
      try {
        // Loaded on the first click: the scripts' text stays out of the chapter's JavaScript.
        const { pythonFileName, pythonScript } = await import('../python/export');
        const text = pythonScript(ctx.spec, ctx.values());
        const file = pythonFileName(ctx.spec);
        save(new Blob([text], { type: 'text/x-python' }), file);
        ctx.say(`Saved ${file}: run it with PyTorch (python ${file}) to print this demo’s numbers for these settings.`);
      } catch (e) {
        ctx.say(`Could not export the script: ${e instanceof Error ? e.message : String(e)}`);
      }
    },
  },
  {
    id: 'copy-embed',
    label: 'Copy embed code',
    run(ctx) {
      const code = embedSnippet({ url: embedUrl(ctx.spec, ctx.values()), title: embedTitle(), height: embedHeight(ctx.spec) });
      return copyOrShow(ctx, code, 'Embed code copied: paste the <iframe> into a course page; it opens this demo with these settings.', 'embed code');
    },
  },
];

export const actionsFor = (spec: AnySpec): ToolbarAction[] => TOOLBAR_ACTIONS.filter((a) => a.appliesTo?.(spec) ?? true);
