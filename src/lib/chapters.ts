import { getCollection, type CollectionEntry } from 'astro:content';
import { href } from '../config/site';

export type Chapter = CollectionEntry<'chapters'>;

/**
 * All chapters in reading order: the numbered chapters by `order`, then the closing ones
 * (frontmatter `closing: true`, the summary). "Summary last" is this rule, not a number.
 */
export async function getChapters(): Promise<Chapter[]> {
  return readingOrder(await getCollection('chapters'));
}

export function readingOrder<C extends { data: { order: number; closing: boolean } }>(chapters: readonly C[]): C[] {
  return [...chapters].sort((a, b) => Number(a.data.closing) - Number(b.data.closing) || a.data.order - b.data.order);
}

/** The chapter's number as shown in lists and headings; null for a closing chapter (no number). */
export function chapterNumber(chapter: Chapter): number | null {
  return chapter.data.closing ? null : chapter.data.order;
}

/** "Chapter 3", or "Closing chapter" for the summary: the kicker above a title. */
export function chapterKicker(chapter: Chapter): string {
  const n = chapterNumber(chapter);
  return n === null ? 'Closing chapter' : `Chapter ${n}`;
}

/** The chapter's page, under the configured base. */
export function chapterHref(chapter: Chapter): string {
  return href(chapterPath(chapter));
}

/** Path of a chapter relative to the base: `chapters/merging/`. */
export function chapterPath(chapter: Chapter): string {
  return `chapters/${chapter.data.slug}/`;
}
