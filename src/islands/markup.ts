/**
 * A View as HTML strings: the same function fills a slot at build time (Demo.astro, set:html)
 * and live (the islands, innerHTML), so both produce identical boxes.
 */
import { esc } from '../charts/svg';
import type { View } from '../demo-kit/view';

export function panelsHtml(view: View): string {
  return view.panels.map((p, i) => `<div class="demo-panel" data-panel="${i}">${panelInner(p)}</div>`).join('');
}

/** A panel box's content: the drawing, and its HTML version where it has one (FigurePanel.html). */
export const panelInner = (p: View['panels'][number]): string => p.svg + (p.html ?? '');

export function tablesHtml(view: View): string {
  return (view.tables ?? [])
    .map(
      (t) =>
        `<table class="demo-table"><caption>${esc(t.caption)}</caption>` +
        `<thead><tr>${t.head.map((h) => `<th scope="col">${esc(h)}</th>`).join('')}</tr></thead>` +
        `<tbody>${t.rows.map((r) => `<tr>${r.map((c, j) => (j === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('')}</tbody></table>`,
    )
    .join('');
}

/** The text summary for screen readers: every panel's summary, once each. */
export function summaryText(view: View): string {
  return [...new Set(view.panels.map((p) => p.summary))].join(' ');
}
