/**
 * The example adapters the inspector page offers, shipped under public/adapters/ (see its
 * README for how each was made). The page fetches them from the site itself.
 */
export interface ExampleAdapter {
  /** Folder under public/adapters/. */
  folder: string;
  label: string;
}

export interface Example {
  id: string;
  title: string;
  first: ExampleAdapter;
  second?: ExampleAdapter;
}

export const EXAMPLES: readonly Example[] = [
  {
    id: 'r8-vs-r64',
    title: 'Rank 8 vs rank 64, same task and seed',
    first: { folder: 'devil-r8', label: 'rank 8' },
    second: { folder: 'devil-r64', label: 'rank 64' },
  },
  {
    id: 'chapter8-r4',
    title: 'Chapter 8’s rank-4 adapter on all seven modules',
    first: { folder: 'chapter8-r4-all', label: 'rank 4, all modules' },
  },
];

/** The example the page shows before the reader brings a file (and without JavaScript). */
export const DEFAULT_EXAMPLE = 'r8-vs-r64';
