/**
 * The one place that says what this site is: title, authors, year, where it lives.
 * Everything that prints a citation (the "Cite this chapter" block, Highwire meta tags,
 * /chapters.bib, the landing page, the footer) reads from here; CITATION.cff, LICENSE and
 * README.md mirror it by hand.
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
  /** Who publishes the site, for citations (BibTeX `publisher`): the authors, self-published on the web. */
  publisher: 'LoRA from Scratch, live contributors',
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
  /** The notebook this site teaches, credited on the landing page, in every citation and in CITATION.cff. */
  source: {
    title: 'LoRA: Low-Rank Adaptation from Scratch',
    notebook: 'lora_fine_tuning.ipynb',
    /** GitHub owner/name of the repository that holds the notebook. */
    repository: 'adiel2012/deep-learning-abc',
    authors: [{ name: 'adiel2012' }] as Author[],
    url: 'https://github.com/adiel2012/deep-learning-abc/blob/main/lora_fine_tuning.ipynb',
  },
  /** The code (LICENSE) and the prose and figures are licensed separately. */
  licence: {
    code: { id: 'MIT', name: 'MIT License', url: 'https://opensource.org/licenses/MIT' },
    content: {
      id: 'CC-BY-4.0',
      name: 'Creative Commons Attribution 4.0 International',
      short: 'CC BY 4.0',
      url: 'https://creativecommons.org/licenses/by/4.0/',
    },
  },
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

/** A file of this site's repository on GitHub (the companion scripts, LICENSE): `repositoryFile('companion/rank.py')`. */
export function repositoryFile(path: string): string {
  return `${site.repository}/blob/main/${path.replace(/^\/+/, '')}`;
}

/**
 * A notebook of this site's repository opened in Google Colab, which loads it from GitHub:
 * `colabNotebook('companion/rank.ipynb')`. Built from `site.repository`, so a fork links its own.
 */
export function colabNotebook(path: string): string {
  const repo = new URL(site.repository).pathname.replace(/^\/+|\/+$/g, '');
  return `https://colab.research.google.com/github/${repo}/blob/main/${path.replace(/^\/+/, '')}`;
}

/** One line naming the source notebook and its author(s), for the footer, the landing page and citations. */
export function sourceCredit(): string {
  const s = site.source;
  return `${s.title}, notebook ${s.notebook} by ${s.authors.map(authorName).join(', ')} (github.com/${s.repository})`;
}

/** "Given Family" or the group name. */
export function authorName(a: Author): string {
  return a.name ?? [a.given, a.family].filter(Boolean).join(' ');
}
