import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

/**
 * One MDX file per notebook section, in content/chapters/ (authoring contract: content/README.md).
 * The frontmatter `slug` becomes the entry id and the URL /chapters/<slug>/.
 * CHAPTERS_DIR points the site at another folder (the site tests' fixture chapters).
 */
export const chaptersDir = process.env.CHAPTERS_DIR ?? './content/chapters';

const chapters = defineCollection({
  loader: glob({ base: chaptersDir, pattern: '**/[^_]*.{md,mdx}' }),
  schema: z.object({
    title: z.string().min(1),
    description: z.string().min(1),
    /** The chapter's number: its place among the numbered chapters and the prefix of equation numbers (order.n). */
    order: z.number().int().min(0),
    /**
     * A closing chapter (the summary) is read after every numbered chapter, whatever their
     * numbers, and is listed without a number; its `order` still prefixes its equations, so a
     * chapter added later (9, 10, …) goes before it without anyone renumbering it.
     */
    closing: z.boolean().default(false),
    slug: z.string().regex(/^[a-z0-9-]+$/),
  }),
});

export const collections = { chapters };
