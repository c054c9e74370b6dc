/**
 * Where each demo sits: the chapter whose MDX has its `<Demo id="…" caption="…" />`, and that
 * caption. The /embed/<demo>/ pages read it, so an embedded demo carries the same caption and
 * links back to the same chapter as the page it comes from, and no list of demos is kept here.
 */

export interface DemoPlace<C> {
  id: string;
  caption: string;
  chapter: C;
}

/** `<Demo … />` tags in MDX source, outside code fences (a listing may show one). */
export function demoTags(mdx: string): { id: string; caption: string }[] {
  const out: { id: string; caption: string }[] = [];
  const withoutFences = mdx.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of withoutFences.matchAll(/<Demo\b([^>]*?)\/>/g)) {
    const attrs = new Map<string, string>();
    for (const a of m[1]!.matchAll(/([A-Za-z]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|\{)/g)) {
      if (a[2] === undefined && a[3] === undefined) throw new Error(`<Demo ${a[1]}={…}>: write the ${a[1]} as a quoted string, so its embed page can read it.`);
      attrs.set(a[1]!, a[2] ?? a[3]!);
    }
    const id = attrs.get('id');
    if (!id) throw new Error(`A <Demo /> without an id: ${m[0].slice(0, 80)}`);
    out.push({ id, caption: attrs.get('caption') ?? '' });
  }
  return out;
}

/** Every demo placed in a chapter, by id (the first place when a demo appears twice). */
export function demoPlaces<C extends { body?: string }>(chapters: readonly C[]): Map<string, DemoPlace<C>> {
  const places = new Map<string, DemoPlace<C>>();
  for (const chapter of chapters) {
    for (const tag of demoTags(chapter.body ?? '')) {
      if (!places.has(tag.id)) places.set(tag.id, { ...tag, chapter });
    }
  }
  return places;
}
