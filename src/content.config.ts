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
    /** Reading order, 0…7, and the prefix of equation numbers (order.n). */
    order: z.number().int().min(0),
    slug: z.string().regex(/^[a-z0-9-]+$/),
  }),
});

export const collections = { chapters };
