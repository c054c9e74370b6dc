/**
 * Downloads of a chart: PNG (client only) and CSV (pure).
 */

/**
 * Replaces every var(--name, fallback) in `markup` with resolve(name) or, when that is
 * empty, the fallback (itself resolved; fallbacks may nest and contain parentheses).
 * Pure; used for PNG export and for a self-contained SVG download with the page's colours.
 */
export function inlineCssVariables(markup: string, resolve: (name: string) => string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const start = markup.indexOf('var(', i);
    if (start < 0) return out + markup.slice(i);
    out += markup.slice(i, start);
    // Find the matching ')' of this var(.
    let depth = 0;
    let end = start + 3;
    for (; end < markup.length; end++) {
      const c = markup[end];
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
    }
    const inner = markup.slice(start + 4, end);
    const comma = topLevelComma(inner);
    const name = (comma < 0 ? inner : inner.slice(0, comma)).trim();
    const fallback = comma < 0 ? '' : inner.slice(comma + 1).trim();
    const value = resolve(name).trim();
    out += value || inlineCssVariables(fallback, resolve);
    i = end + 1;
  }
}

/**
 * A chart's SVG as a file that stands alone: every colour resolved to the light theme (the
 * fallback in each var(), which theme.test.ts keeps equal to the light tokens) and the text
 * scale resolved to 1, so that converters without CSS custom properties or calc() — librsvg
 * (rsvg-convert), Inkscape — draw the same picture as a browser.
 */
export function standaloneSvg(svg: string): string {
  const flat = inlineCssVariables(svg, () => '');
  // calc(13px*1) → 13px: the only calc() the charts write is the text scale.
  let plain = flat.replace(/calc\(\s*([\d.]+)px\s*\*\s*1\s*\)/g, '$1px');
  // A file has a size of its own: the viewBox's, instead of the page's responsive width="100%".
  const vb = /viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)"/.exec(plain);
  if (vb) plain = plain.replace(/<svg([^>]*?)\swidth="100%"/, `<svg$1 width="${vb[1]}" height="${vb[2]}"`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${plain}`;
}

function topLevelComma(s: string): number {
  let depth = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) return k;
  }
  return -1;
}

export interface PngOptions {
  /** Element whose computed custom properties (light/dark) give the colours; default <html>. */
  styleSource?: Element;
  /** Background fill; default the page's --color-bg, else white. Use 'transparent' for none. */
  background?: string;
}

/**
 * Renders chart markup to a PNG `width` pixels wide (height from the viewBox aspect ratio),
 * with the page's current colours baked in.
 */
export async function svgToPngBlob(svg: string, width: number, o: PngOptions = {}): Promise<Blob> {
  const source = o.styleSource ?? document.documentElement;
  const cs = getComputedStyle(source);
  let markup = inlineCssVariables(svg, (name) => cs.getPropertyValue(name));
  const vb = /viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)"/.exec(markup);
  const ratio = vb ? Number(vb[2]) / Number(vb[1]) : 0.625;
  const height = Math.round(width * ratio);
  // An <img> needs a pixel size; replace the responsive width="100%".
  markup = markup.replace(/<svg([^>]*?)\swidth="[^"]*"/, `<svg$1 width="${width}" height="${height}"`);
  if (!/^<svg[^>]*\sheight="/.test(markup)) markup = markup.replace('<svg', `<svg width="${width}" height="${height}"`);
  const url = URL.createObjectURL(new Blob([markup], { type: 'image/svg+xml;charset=utf-8' }));
  try {
    const img = new Image();
    img.decoding = 'async';
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('2D canvas is not available');
    const bg = o.background ?? (cs.getPropertyValue('--color-bg').trim() || '#ffffff');
    if (bg !== 'transparent') {
      ctx.fillStyle = bg;
      ctx.fillRect(0, 0, width, height);
    }
    ctx.drawImage(img, 0, 0, width, height);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

/**
 * CSV (RFC 4180) of plain rows: the header is the union of keys in first-seen order; numbers
 * at full precision; text quoted when needed, and a leading = + @ defused so a spreadsheet
 * does not run it as a formula.
 */
export function toCsv(rows: Record<string, number | string>[]): string {
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const r of rows)
    for (const k of Object.keys(r))
      if (!seen.has(k)) {
        seen.add(k);
        keys.push(k);
      }
  const cell = (v: number | string | undefined): string => {
    if (v === undefined) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
    const s = /^[=+@]/.test(v) ? `'${v}` : v;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [keys.map(cell), ...rows.map((r) => keys.map((k) => cell(r[k])))].map((l) => l.join(',')).join('\r\n') + '\r\n';
}
