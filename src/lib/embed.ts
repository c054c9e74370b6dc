/**
 * Embedding one demo in another page: the /embed/<demo>/ path and the <iframe> snippet the
 * toolbar's "Copy embed code" puts on the clipboard. Pure functions, shared by the pages, the
 * toolbar action and the unit tests.
 */

/** The embed page of a demo, relative to the site's base: `embed/training/`. */
export function embedPath(demo: string): string {
  return `embed/${encodeURIComponent(demo)}/`;
}

export interface EmbedSnippet {
  /** Absolute URL of the embed page, with the demo's settings in the query. */
  url: string;
  /** The iframe's accessible name. */
  title: string;
  /** CSS pixels; the width is 100% of the host's column. */
  height: number;
}

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * An <iframe> for a host page. `allow` lets the demo copy to the clipboard from inside the
 * frame, and lets a host that is itself cross-origin isolated pass that on (WASM threads); on
 * any other host the demo runs single-threaded, which is all it needs.
 */
export function embedSnippet({ url, title, height }: EmbedSnippet): string {
  if (!/^https?:\/\//.test(url)) throw new Error(`An embed URL must be absolute (http or https), not “${url}”.`);
  if (!Number.isFinite(height) || height <= 0) throw new Error(`An embed height must be a positive number of pixels, not ${height}.`);
  return (
    `<iframe src="${escapeAttr(url)}" title="${escapeAttr(title)}" width="100%" height="${Math.round(height)}" ` +
    `style="border: 0; max-width: 100%;" loading="lazy" allow="clipboard-write; cross-origin-isolated"></iframe>`
  );
}
