/**
 * The outer <svg> of every chart panel: viewBox sized for one panel, responsive width,
 * accessible name (title) and description, visible title and subtitle, scoped style.
 */
import { attrs, chartId, esc, text } from './svg';
import { chartStyle } from './theme';

/** One panel's drawing size in viewBox units; the markup scales to its container's width. */
export const PANEL = { width: 480, height: 300 } as const;

/**
 * Chart text sizes in viewBox units at scale 1 (the sizes of theme.ts's chartStyle). A panel
 * drawn narrower than PANEL.width shrinks its text with it: at 375 px a 480-unit panel is
 * ~320 px wide and 13-unit tick labels render at ~8.7 px. So every size is multiplied by
 * --chart-text-scale, which the page sets per panel width with container queries
 * (global.css, "Chart text on narrow panels"); outside the site (a downloaded SVG) the
 * property is unset and the sizes stay as drawn.
 */
export const TEXT_SIZES = { text: 13, title: 15, subtitle: 12, axisLabel: 13.5, refLabel: 12 } as const;

/**
 * The largest --chart-text-scale the site sets (global.css, a 230-px panel; a 375-px phone
 * gets 1.4). Text grows in place while the drawing does not, so whatever sits beside text
 * (the y-axis title beside the tick labels, the legend's box) is laid out for text this much
 * larger: nothing collides at any panel width. A unit test checks it against global.css.
 */
export const MAX_TEXT_SCALE = 1.77;

function textScaleStyle(id: string): string {
  const s = `#${id}`;
  const k = 'var(--chart-text-scale,1)';
  const size = (px: number) => `font-size:calc(${px}px*${k})`;
  return (
    `${s} text{${size(TEXT_SIZES.text)}}` +
    `${s} .t{${size(TEXT_SIZES.title)}}` +
    `${s} .st{${size(TEXT_SIZES.subtitle)}}` +
    `${s} .al{${size(TEXT_SIZES.axisLabel)}}` +
    `${s} text.rft{${size(TEXT_SIZES.refLabel)}}`
  );
}

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** Space for title + subtitle above, tick labels and axis labels below and left. */
export function defaultMargins(hasSubtitle: boolean): Margins {
  return { top: hasSubtitle ? 52 : 36, right: 18, bottom: 46, left: 64 };
}

export interface FrameOptions {
  title: string;
  subtitle?: string;
  /** Plain-text description for assistive technology (the figure's summary). */
  desc: string;
  /** Overrides the id derived from the title. */
  id?: string;
  width?: number;
  height?: number;
}

export interface Frame {
  id: string;
  width: number;
  height: number;
  /** Wraps chart body markup into the complete <svg> document. */
  wrap(body: string): string;
}

export function frame(o: FrameOptions): Frame {
  const width = o.width ?? PANEL.width;
  const height = o.height ?? PANEL.height;
  const id = o.id ?? chartId(o.title, o.subtitle ?? '');
  const head =
    `<title id="${id}-t">${esc(o.title)}${o.subtitle ? esc(` (${o.subtitle})`) : ''}</title>` +
    `<desc id="${id}-d">${esc(o.desc)}</desc>` +
    `<style>${chartStyle(id)}${textScaleStyle(id)}</style>` +
    text({ class: 't', x: width / 2, y: 18, 'text-anchor': 'middle' }, o.title) +
    (o.subtitle ? text({ class: 'st', x: width / 2, y: 35, 'text-anchor': 'middle' }, o.subtitle) : '');
  return {
    id,
    width,
    height,
    wrap: (body) =>
      `<svg${attrs({
        xmlns: 'http://www.w3.org/2000/svg',
        id,
        class: 'chart',
        viewBox: `0 0 ${width} ${height}`,
        width: '100%',
        role: 'img',
        'aria-labelledby': `${id}-t ${id}-d`,
        preserveAspectRatio: 'xMidYMid meet',
      })}>${head}${body}</svg>`,
  };
}
