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
 * The message an /embed/ page posts to the page that frames it whenever its height changes
 * (EmbedLayout.astro): `{ type: EMBED_HEIGHT_MESSAGE, demo, height }`, height in CSS pixels.
 */
export const EMBED_HEIGHT_MESSAGE = 'lora-live:height';

/**
 * The one line a host page adds once, however many demos it frames: it sets the height of the
 * frame that sent the message, and only for messages from this site's origin.
 */
export function embedListener(origin: string): string {
  if (!/^https?:\/\/[^/]+$/.test(origin)) throw new Error(`An embed origin is scheme://host[:port], not “${origin}”.`);
  return (
    `<script>addEventListener("message",function(e){var d=e.data;if(e.origin!==${JSON.stringify(origin)}||!d||d.type!=="${EMBED_HEIGHT_MESSAGE}"||!(d.height>0))return;` +
    `document.querySelectorAll("iframe").forEach(function(f){if(f.contentWindow===e.source)f.style.height=Math.ceil(d.height)+"px"})})</script>`
  );
}

/**
 * An <iframe> for a host page, then the listener that keeps it as tall as the demo (its
 * `height` is the starting height, for hosts that do not run scripts). `allow` lets the demo copy to the clipboard from inside the
 * frame, and lets a host that is itself cross-origin isolated pass that on (WASM threads); on
 * any other host the demo runs single-threaded, which is all it needs.
 */
export function embedSnippet({ url, title, height }: EmbedSnippet): string {
  if (!/^https?:\/\//.test(url)) throw new Error(`An embed URL must be absolute (http or https), not “${url}”.`);
  if (!Number.isFinite(height) || height <= 0) throw new Error(`An embed height must be a positive number of pixels, not ${height}.`);
  return (
    `<iframe src="${escapeAttr(url)}" title="${escapeAttr(title)}" width="100%" height="${Math.round(height)}" ` +
    `style="border: 0; max-width: 100%;" loading="lazy" allow="clipboard-write; cross-origin-isolated"></iframe>\n` +
    embedListener(new URL(url).origin)
  );
}
