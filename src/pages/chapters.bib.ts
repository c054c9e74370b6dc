import type { APIRoute } from 'astro';
import { getChapters, chapterNumber, chapterPath } from '../lib/chapters';
import { bibtex } from '../lib/citation';
import { absoluteUrl, site } from '../config/site';

/** /chapters.bib: one BibTeX entry per chapter plus one for the whole site. */
export const GET: APIRoute = async () => {
  const chapters = await getChapters();
  const entries = [
    bibtex({ title: site.title, url: absoluteUrl('') }),
    ...chapters.map((c) => bibtex({ title: c.data.title, chapter: chapterNumber(c), slug: c.data.slug, url: absoluteUrl(chapterPath(c)) })),
  ];
  const header = `% ${site.title}: BibTeX for the site and each chapter.\n% ${absoluteUrl('chapters.bib')}\n\n`;
  return new Response(header + entries.join('\n\n') + '\n', {
    headers: { 'Content-Type': 'application/x-bibtex; charset=utf-8' },
  });
};
