/**
 * SVG markup primitives shared by every chart: escaping, attributes, coordinates, and the
 * outer <svg> document with its accessible name and scoped colour rules.
 *
 * Charts are strings, not DOM nodes, so the same code renders at build time (Node, no DOM)
 * and live in the browser (the island assigns innerHTML).
 */
import { format } from 'd3';

/** Escapes text for element content and attribute values. */
export function esc(text: string | number): string {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * A coordinate as short markup: two decimals (1/100 of a viewBox unit is far below a device
 * pixel at any size we draw), no trailing zeros. Non-finite input becomes 0 so a stray NaN
 * can never reach the markup; callers filter undrawable data before this.
 */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '0';
  const r = Math.round(x * 100) / 100;
  return String(Object.is(r, -0) ? 0 : r);
}

export type AttrValue = string | number | boolean | undefined | null;

/** ` a="1" b="x"`: numbers through num(), strings escaped, false/null/undefined dropped. */
export function attrs(a: Record<string, AttrValue>): string {
  let out = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    const value = v === true ? '' : typeof v === 'number' ? num(v) : esc(v);
    out += ` ${k}="${value}"`;
  }
  return out;
}

/** One element; self-closing when it has no children. */
export function el(tag: string, a: Record<string, AttrValue>, children = ''): string {
  return children === '' ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${children}</${tag}>`;
}

/** `<text>` with escaped content. */
export function text(a: Record<string, AttrValue>, content: string | number): string {
  return `<text${attrs(a)}>${esc(content)}</text>`;
}

// Number formats for what readers read (tips, labels, summaries) -----------------------

const f6 = format('.6f');
const g3 = format('.3g');
const e2 = format('.2e');

/** Losses as the notebook prints them: 0.611474. */
export const formatLoss = (v: number): string => (Number.isFinite(v) ? f6(v) : String(v));

/** Other magnitudes: 3 significant digits, scientific below 1e-3 (σ₆₄ = 1.23e−5), minus signs as U+2212 throughout (d3 leaves the exponent's ASCII). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  return (Math.abs(v) < 1e-3 ? e2(v) : g3(v)).replace(/-/g, '−');
}

/** Integers with thin grouping: 1,024. */
export const formatCount = format(',d');

// Identity -------------------------------------------------------------------------------

/**
 * A deterministic id from a chart's title (and anything else that distinguishes it), so
 * build-time and live renders of the same figure agree and aria-labelledby stays valid.
 */
export function chartId(...parts: string[]): string {
  const key = parts.join('|');
  let h = 2166136261; // FNV-1a
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  const slug = (parts[0] ?? 'chart')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 24);
  return `chart-${slug || 'x'}-${(h >>> 0).toString(36)}`;
}

/** A rough text width in viewBox units for the 11.5–12 px chart font (for layout only). */
export const textWidth = (s: string, px = 13): number => [...s].length * px * 0.56;
