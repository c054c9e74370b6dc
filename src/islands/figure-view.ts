/**
 * The figure of a demo as a view with update methods (tensorflow/playground's model): `update`
 * is a live frame of a run in progress and only replaces the panels' marks, at most once per
 * animation frame; `show` draws a whole result (panels, tables, summary, printout).
 */
import { attachTooltips } from '../charts/tooltip';
import type { DemoElements } from './dom';
import { panelInner, panelsHtml, summaryText, tablesHtml } from './markup';
import type { View } from '../demo-kit/view';

export class FigureView {
  private detachTips: () => void;
  private frame = 0;
  private pending: View | undefined;
  private draws = 0;

  constructor(private readonly el: DemoElements) {
    this.detachTips = attachTooltips(el.panels);
  }

  /** Panels only: the same number of panels keeps each panel's box and swaps its SVG. */
  private drawPanels(view: View): void {
    const { slot, panels } = this.el;
    slot.dataset.draws = String(++this.draws); // for bench/page.ts: redraws per second
    const boxes = [...panels.querySelectorAll<HTMLElement>(':scope > .demo-panel')];
    if (boxes.length === view.panels.length) {
      view.panels.forEach((p, i) => (boxes[i]!.innerHTML = panelInner(p)));
    } else {
      this.detachTips();
      panels.innerHTML = panelsHtml(view);
      panels.dataset.count = String(view.panels.length);
      this.detachTips = attachTooltips(panels);
    }
  }

  /** A live frame: throttled to one redraw per animation frame (progress arrives ~20 times a second). */
  update(view: View): void {
    this.pending = view;
    this.frame ||= requestAnimationFrame(() => {
      this.frame = 0;
      if (this.pending) this.drawPanels(this.pending);
      this.pending = undefined;
    });
  }

  /** Draw a live frame still waiting for its animation frame now (a run ended: keep what it reached). */
  flush(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    if (this.pending) this.drawPanels(this.pending);
    this.pending = undefined;
  }

  /** Drop a live frame still waiting, so it cannot paint over a newer view. */
  drop(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.pending = undefined;
  }

  /** A whole result. */
  show(view: View): void {
    this.drop();
    this.drawPanels(view);
    const { tables, summary, printout } = this.el;
    tables.innerHTML = tablesHtml(view);
    summary.textContent = summaryText(view);
    printout.querySelector('code')!.textContent = view.printout;
    printout.hidden = !view.printout;
    delete printout.dataset.stale;
  }

  /** The printout belongs to the previous result until a run gives a new one. */
  markStale(): void {
    this.el.printout.dataset.stale = 'true';
  }
}
