/**
 * The one place that says what this site is: title, authors, year, where it lives.
 * Everything that prints a citation (the "Cite this chapter" block, Highwire meta tags,
 * /chapters.bib, the landing page) reads from here; CITATION.cff mirrors it by hand.
 *
 * Deploying under a path (GitHub Pages project sites): set SITE_URL and BASE_PATH at build
 * time, e.g. `SITE_URL=https://you.github.io BASE_PATH=/lora-live/ npm run build`.
 */

export interface Author {
  /** Given and family name of a person, or `name` alone for a group or organisation. */
  given?: string;
  family?: string;
  name?: string;
}

export const site = {
  title: 'LoRA from Scratch, live',
  /** One line for the landing page, social cards and search results. */
  tagline: 'Low-Rank Adaptation explained from the ground up, with every experiment running live in your browser.',
  authors: [{ name: 'LoRA from Scratch, live contributors' }] as Author[],
  year: 2026,
  /** ISO date of first publication, for citation_publication_date and CFF. */
  published: '2026-01-01',
  /** Origin the site is served from, without a path. */
  url: process.env.SITE_URL ?? 'https://lora-from-scratch.github.io',
  /** Path prefix, with leading and trailing slash ('/' at the root of a domain). */
  base: normaliseBase(process.env.BASE_PATH ?? '/'),
  repository: 'https://github.com/lora-from-scratch/lora-from-scratch-live',
  /** Key prefix for BibTeX entries: `${bibKeyPrefix}-${year}-${slug}`. */
  bibKeyPrefix: 'lorascratch',
  language: 'en',
} as const;

function normaliseBase(base: string): string {
  const trimmed = base.replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}/` : '/';
}

/** An internal href under the configured base: `href('chapters/merging/')`. */
export function href(path = ''): string {
  return site.base + path.replace(/^\/+/, '');
}

/** The absolute URL of an internal path, for canonical links and citations. */
export function absoluteUrl(path = ''): string {
  return new URL(href(path), site.url).href;
}

/** "Given Family" or the group name. */
export function authorName(a: Author): string {
  return a.name ?? [a.given, a.family].filter(Boolean).join(' ');
}
