/**
 * Reading time of a chapter, from its MDX source at build time: the words of its prose at a
 * stated reading speed. Code listings, display equations and JSX tags (the demos) are not
 * words a reader reads at prose speed, so they are left out of the count and the landing page
 * says so; an inline formula counts as one word.
 */

/** Words a minute assumed for technical prose (a typical adult pace is 200–250). */
export const WORDS_PER_MINUTE = 200;

/** The prose words of an MDX body (frontmatter already removed). */
export function proseWords(mdx: string): number {
  const prose = mdx
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, ' ') // code listings
    .replace(/\$\$[\s\S]*?\$\$/g, ' ') // display maths
    .replace(/\$[^$\n]+\$/g, ' formula ') // inline maths: one word
    .replace(/<[^>]*>/g, ' ') // JSX / HTML tags (<Demo … />, <details>)
    .replace(/\]\([^)]*\)/g, ' ') // link targets, keeping the link text
    .replace(/[#*_`|>[\]-]+/g, ' '); // markdown punctuation
  return prose.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/** Whole minutes, at least 1. */
export function readingMinutes(words: number, wordsPerMinute = WORDS_PER_MINUTE): number {
  return Math.max(1, Math.round(words / wordsPerMinute));
}
