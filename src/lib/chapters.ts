import { getCollection, type CollectionEntry } from 'astro:content';
import { href } from '../config/site';

export type Chapter = CollectionEntry<'chapters'>;

/** All chapters in reading order (frontmatter `order`). */
export async function getChapters(): Promise<Chapter[]> {
  const chapters = await getCollection('chapters');
  return chapters.sort((a, b) => a.data.order - b.data.order);
}

/** The chapter's page, under the configured base. */
export function chapterHref(chapter: Chapter): string {
  return href(chapterPath(chapter));
}

/** Path of a chapter relative to the base: `chapters/merging/`. */
export function chapterPath(chapter: Chapter): string {
  return `chapters/${chapter.data.slug}/`;
}
