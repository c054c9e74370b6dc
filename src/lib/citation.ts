/**
 * Citation text for a chapter or for the whole site: BibTeX, APA and Highwire meta tags,
 * all rendered at build time from src/config/site.ts. Pure functions (no Astro imports)
 * so the endpoint, the pages and the unit tests share them.
 */
import { site, authorName, type Author } from '../config/site';

export interface CitationTarget {
  /** Chapter title, or the site title when citing the whole site. */
  title: string;
  /** Absolute URL of the page. */
  url: string;
  /** Chapter number (frontmatter order); null for a chapter without one (the summary); undefined for the whole site. */
  chapter?: number | null;
  slug?: string;
}

/** Escape BibTeX's special characters in a field value. */
export function bibEscape(text: string): string {
  return text.replace(/\\/g, '\\textbackslash{}').replace(/([&%$#_{}])/g, '\\$1').replace(/~/g, '\\textasciitilde{}');
}

function bibAuthor(a: Author): string {
  // A group name is braced so BibTeX does not split it into given/family parts.
  if (a.name) return `{${bibEscape(a.name)}}`;
  return `${bibEscape(a.family ?? '')}, ${bibEscape(a.given ?? '')}`;
}

export function bibKey(target: CitationTarget): string {
  return `${site.bibKeyPrefix}${site.year}${target.slug ? target.slug.replace(/[^a-z0-9]/gi, '') : 'site'}`;
}

/**
 * One BibTeX entry. Every entry is `@misc`, the one type that the standard styles (plain,
 * unsrt, alpha, abbrv) print with its `howpublished`, where the URL goes; natbib's and
 * biblatex's styles print `url` and `urldate` as well. A chapter says which site it belongs
 * to in `howpublished` too, since `@misc` has no `booktitle`. `urldate` is the day this
 * version of the site was built: the earliest day a reader can have seen it.
 */
export function bibtex(target: CitationTarget, built: Date = buildDate()): string {
  const part =
    target.chapter === undefined ? '' : `${target.chapter === null ? 'Closing chapter' : `Chapter ${target.chapter}`} of \\emph{${bibEscape(site.title)}}, `;
  const fields: [string, string][] = [
    ['author', site.authors.map(bibAuthor).join(' and ')],
    ['title', `{${bibEscape(target.title)}}`],
    ['howpublished', `${part}\\url{${target.url}}`],
    ['publisher', bibEscape(site.publisher)],
    ['year', String(site.year)],
    ['url', target.url],
    ['urldate', built.toISOString().slice(0, 10)],
    ['note', bibQuotes(bibEscape(sourceNote()))],
  ];
  const width = Math.max(...fields.map(([k]) => k.length));
  const body = fields.map(([k, v]) => `  ${k.padEnd(width)} = {${v}}`).join(',\n');
  return `@misc{${bibKey(target)},\n${body}\n}`;
}

/** The build's date: SOURCE_DATE_EPOCH (seconds) for a reproducible build, else today. */
export function buildDate(): Date {
  const epoch = Number(typeof process === 'undefined' ? NaN : process.env.SOURCE_DATE_EPOCH);
  return Number.isFinite(epoch) ? new Date(epoch * 1000) : new Date();
}

/** Curly quotes the way (La)TeX writes them: “…” → ``…'', which every engine and encoding typesets. */
export function bibQuotes(text: string): string {
  return text.replace(/“/g, '``').replace(/”/g, "''").replace(/‘/g, '`').replace(/’/g, "'");
}

/**
 * What the work is based on and how it is licensed, in one sentence: the BibTeX `note`, the
 * `dc.source`/`dc.rights` meta tags and the cite block all say it the same way.
 */
export function sourceNote(): string {
  const src = site.source;
  return (
    `Based on the notebook “${src.title}” (${src.notebook}, github.com/${src.repository}) by ` +
    `${src.authors.map(authorName).join(', ')}. Text and figures licensed under ${site.licence.content.short}; code under the ${site.licence.code.name}.`
  );
}

/** APA 7 reference to the source notebook, as plain text with the italic part marked. */
export function sourceApa(): { before: string; italic: string; after: string } {
  const src = site.source;
  const who = apaAuthors(src.authors);
  return {
    before: `${who}${who.endsWith('.') ? '' : '.'} (n.d.). `,
    italic: src.title,
    after: ` [Jupyter notebook ${src.notebook}]. GitHub. ${src.url}`,
  };
}

/** APA 7 author list: "Family, G., & Family, G." or the group name. */
function apaAuthors(authors: readonly Author[]): string {
  const names = authors.map((a) =>
    a.name ? a.name : `${a.family}, ${(a.given ?? '').split(/\s+/).filter(Boolean).map((g) => `${g[0]}.`).join(' ')}`,
  );
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')}, & ${names[names.length - 1]}`;
}

/** APA 7 reference as plain text; `italic` marks the part set in italics. */
export function apa(target: CitationTarget): { before: string; italic: string; after: string } {
  const who = apaAuthors(site.authors);
  const lead = `${who}${who.endsWith('.') ? '' : '.'} (${site.year}). `;
  if (target.chapter === undefined) return { before: lead, italic: site.title, after: `. ${target.url}` };
  return { before: `${lead}${target.title}. In `, italic: site.title, after: `. ${target.url}` };
}

export function apaText(target: CitationTarget): string {
  const { before, italic, after } = apa(target);
  return before + italic + after;
}

/** Highwire Press tags (Google Scholar, Zotero): name/content pairs. */
export function highwireMeta(target: CitationTarget): { name: string; content: string }[] {
  const tags = [
    { name: 'citation_title', content: target.title },
    ...site.authors.map((a) => ({ name: 'citation_author', content: authorName(a) })),
    { name: 'citation_publication_date', content: site.published.replace(/-/g, '/') },
    { name: 'citation_public_url', content: target.url },
    { name: 'citation_fulltext_html_url', content: target.url },
    { name: 'citation_language', content: site.language },
    // Dublin Core: the licence of the text and figures, and the work they are based on.
    { name: 'dc.rights', content: `${site.licence.content.name} (${site.licence.content.short}), ${site.licence.content.url}` },
    { name: 'dc.source', content: site.source.url },
  ];
  if (target.chapter !== undefined) tags.push({ name: 'citation_inbook_title', content: site.title });
  return tags;
}

export { authorName };
