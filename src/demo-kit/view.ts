/**
 * What a demo shows for a result: figure panels, the notebook's printout and, where the
 * notebook prints a table, that table. Each spec's `view` builds one from its result (pure, no
 * DOM): Demo.astro renders it at build time and the island live, through the same markup
 * (islands/markup.ts), so the boxes match.
 */
import type { FigurePanel } from '../charts/figures';

export interface Table {
  caption: string;
  head: string[];
  rows: (string | number)[][];
}
export interface View {
  panels: FigurePanel[];
  /** The notebook's printed lines for this result (monospace). */
  printout: string;
  tables?: Table[];
}
