/**
 * Stable heading ids plus a visible "link to this section" icon on h2–h4.
 *
 * Runs as a user rehype plugin, i.e. before Astro's own rehypeHeadingIds, which keeps ids
 * that are already set, so the ids here are also the ones in `render().headings` (the TOC).
 * Ids come from the heading text only (maths typeset by KaTeX is skipped), GitHub-style,
 * so they stay stable as long as the heading's words do.
 */
import type { Root, Element, ElementContent, Nodes } from 'hast';

const HEADINGS = new Set(['h2', 'h3', 'h4']);

export function slugify(text: string): string {
  return text
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s+/g, '-')
    .replace(/-+$/, '');
}

export default function rehypeHeadingAnchors() {
  return function transform(tree: Root): void {
    const taken = new Map<string, number>();
    visitElements(tree, (el) => {
      // Equation anchors are set by remark-equation-numbers; keep headings off them.
      if (typeof el.properties.id === 'string') taken.set(el.properties.id, 1);
    });
    visitElements(tree, (el) => {
      if (!HEADINGS.has(el.tagName)) return;
      let id = typeof el.properties.id === 'string' ? el.properties.id : slugify(textOf(el)) || 'section';
      if (typeof el.properties.id !== 'string') {
        const base = id;
        for (let n = 1; taken.has(id); n++) id = `${base}-${n}`;
        taken.set(id, 1);
        el.properties.id = id;
      }
      el.children.push(anchor(id, textOf(el)));
    });
  };
}

function anchor(id: string, text: string): Element {
  return {
    type: 'element',
    tagName: 'a',
    properties: { className: ['heading-anchor'], href: `#${id}`, ariaLabel: `Link to section: ${text}` },
    children: [
      {
        type: 'element',
        tagName: 'svg',
        properties: { ariaHidden: 'true', focusable: 'false', viewBox: '0 0 16 16', width: '16', height: '16' },
        children: [
          {
            type: 'element',
            tagName: 'path',
            properties: {
              fill: 'currentColor',
              // A chain link, drawn on a 16×16 grid.
              d: 'M7.8 4.6 9.3 3a3 3 0 0 1 4.2 4.2l-2.2 2.2a3 3 0 0 1-4.2 0 .8.8 0 0 1 1.1-1.1 1.4 1.4 0 0 0 2 0l2.2-2.2a1.4 1.4 0 0 0-2-2L8.9 5.7a.8.8 0 0 1-1.1-1.1Zm.4 6.8L6.7 13a3 3 0 0 1-4.2-4.2l2.2-2.2a3 3 0 0 1 4.2 0 .8.8 0 0 1-1.1 1.1 1.4 1.4 0 0 0-2 0L3.6 9.9a1.4 1.4 0 0 0 2 2l1.5-1.6a.8.8 0 0 1 1.1 1.1Z',
            },
            children: [],
          },
        ],
      },
    ],
  };
}

/** Visible heading text, without KaTeX's duplicate MathML/HTML renderings. */
function textOf(node: Nodes): string {
  if (node.type === 'text') return node.value;
  if (node.type === 'element') {
    const cls = node.properties.className;
    if (Array.isArray(cls) && (cls.includes('katex') || cls.includes('heading-anchor'))) return '';
  }
  return 'children' in node ? (node.children as ElementContent[]).map((c) => textOf(c)).join('') : '';
}

function visitElements(node: Nodes, fn: (el: Element) => void): void {
  if (node.type === 'element') fn(node);
  if ('children' in node) for (const child of node.children) visitElements(child as Nodes, fn);
}
