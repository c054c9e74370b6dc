/**
 * Numbered display equations and `\eqref` cross-references for remark-math + rehype-katex.
 *
 * KaTeX has `\tag` but no `\label`/`\eqref`, so this remark plugin does the bookkeeping before
 * rehype-katex sees the maths (authoring contract: content/README.md):
 *
 * - every display equation (`$$…$$`, an mdast `math` node) gets the number `(order.n)`, where
 *   `order` is the chapter's frontmatter `order` and n counts display equations in the chapter;
 * - `\label{eq:name}` inside it is removed from the TeX and becomes the anchor id `eq-name`
 *   (unlabelled equations get `eq-<order>-<n>`); `\notag` / `\nonumber` opt out of numbering;
 * - an inline `$\eqref{eq:name}$` becomes a link to `#eq-name` that reads “(4.1)”
 *   (`$\ref{eq:name}$` reads “4.1”); a reference to an unknown label fails the build.
 *
 * remark-math precomputes the hast of a math node in `data.hName`/`data.hChildren`
 * (`<pre><code class="language-math math-display">tex</code></pre>`), and that precomputed tree is
 * what reaches rehype-katex, so changing `node.value` alone would not do: we rewrite the node's
 * data to `<div class="equation" id=…><pre><code …>tex</code></pre><a class="equation-number">`.
 * rehype-katex then replaces the inner `<pre>` with the typeset equation and leaves the rest.
 */
import type { Root, Nodes, Parent, Link } from 'mdast';
import type { Element, ElementContent } from 'hast';
import type { VFile } from 'vfile';

export interface EquationNumberOptions {
  /** Chapter number used as prefix; defaults to the file's frontmatter `order`. */
  order?: number;
}

interface Equation {
  id: string;
  /** "4.1", without parentheses. */
  number: string;
}

const LABEL = /\\label\s*\{([^}]*)\}/g;
const NOTAG = /\\(?:notag|nonumber)\b/;
const REF = /^\s*\\(eqref|ref)\s*\{([^}]*)\}\s*$/;
const ANY_REF = /\\(?:eqref|ref)\s*\{/;

/** `eq:low-rank` → `eq-low-rank`; labels without the `eq:` prefix still get an `eq-` id. */
export function labelToId(label: string): string {
  const slug = label
    .trim()
    .replace(/^eq:/, '')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `eq-${slug}`;
}

export default function remarkEquationNumbers(options: EquationNumberOptions = {}) {
  return function transform(tree: Root, file: VFile): void {
    const frontmatter = (file.data as { astro?: { frontmatter?: Record<string, unknown> } }).astro?.frontmatter;
    const order = options.order ?? (typeof frontmatter?.order === 'number' ? frontmatter.order : undefined);
    const prefix = order === undefined ? '' : `${order}.`;
    const labels = new Map<string, Equation>();
    const ids = new Set<string>();
    let count = 0;

    // Pass 1: number display equations in document order and collect labels,
    // so that a reference may come before the equation it points to.
    walk(tree, (node) => {
      if (node.type !== 'math') return;
      let tex = node.value;
      if (ANY_REF.test(tex)) file.fail(`\\eqref/\\ref belongs in inline maths ($…$), not in a display equation`, node);

      const found = [...tex.matchAll(LABEL)].map((m) => (m[1] ?? '').trim());
      if (found.length > 1) file.fail(`One \\label per display equation, found: ${found.join(', ')}`, node);
      tex = tex.replace(LABEL, '');
      const numbered = !NOTAG.test(tex);
      tex = tex.replace(new RegExp(NOTAG.source, 'g'), '').trim();
      const label = found[0];
      if (label !== undefined && !numbered) file.fail(`\\label{${label}} on an equation marked \\notag`, node);

      let eq: Equation | undefined;
      if (numbered) {
        count += 1;
        const number = `${prefix}${count}`;
        const id = label ? labelToId(label) : `eq-${number.replace(/\./g, '-')}`;
        if (label !== undefined && labels.has(label)) file.fail(`Duplicate equation label \\label{${label}}`, node);
        if (ids.has(id)) file.fail(`Two equations would share the anchor #${id}`, node);
        eq = { id, number };
        ids.add(id);
        if (label !== undefined) labels.set(label, eq);
      }
      node.value = tex;
      node.data = { ...node.data, ...displayData(tex, eq) };
    });

    // Pass 2: inline `$\eqref{…}$` → link with the equation's number.
    walk(tree, (node, index, parent) => {
      if (node.type !== 'inlineMath' || !ANY_REF.test(node.value)) return;
      const m = REF.exec(node.value);
      if (!m || !parent || index === undefined) {
        return file.fail(`Write \\eqref{…} alone in its own $…$, found: $${node.value}$`, node);
      }
      const [, kind, label = ''] = m;
      const eq = labels.get(label.trim());
      if (!eq) return file.fail(`\\${kind}{${label}} refers to no \\label in this chapter`, node);
      const text = kind === 'eqref' ? `(${eq.number})` : eq.number;
      const link: Link = {
        type: 'link',
        url: `#${eq.id}`,
        title: null,
        children: [{ type: 'text', value: text }],
        data: { hProperties: { className: ['eqref'] } },
        ...(node.position ? { position: node.position } : {}),
      };
      parent.children.splice(index, 1, link as never);
    });
  };
}

/** The hast that remark-rehype will produce for a display equation. */
function displayData(tex: string, eq: Equation | undefined) {
  const pre: Element = {
    type: 'element',
    tagName: 'pre',
    properties: {},
    children: [
      {
        type: 'element',
        tagName: 'code',
        properties: { className: ['language-math', 'math-display'] },
        children: [{ type: 'text', value: tex }],
      },
    ],
  };
  const children: ElementContent[] = [pre];
  if (eq) {
    children.push({
      type: 'element',
      tagName: 'a',
      properties: { className: ['equation-number'], href: `#${eq.id}`, title: `Equation ${eq.number}` },
      children: [{ type: 'text', value: `(${eq.number})` }],
    });
  }
  return {
    hName: 'div',
    // .equation scrolls sideways when the formula is too wide; the number link makes it
    // keyboard-reachable, an unnumbered one needs tabindex itself (axe: scrollable-region-focusable).
    hProperties: eq ? { className: ['equation'], id: eq.id } : { className: ['equation', 'equation-unnumbered'], tabIndex: 0 },
    hChildren: children,
  };
}

type Visitor = (node: Nodes, index: number | undefined, parent: Parent | undefined) => void;

/** Depth-first, document order; tolerant of MDX JSX nodes (they have `children` too). */
function walk(node: Nodes, visit: Visitor, index?: number, parent?: Parent): void {
  visit(node, index, parent);
  if ('children' in node) {
    const p = node as Parent;
    // Iterate over a copy of the length: pass 2 replaces a node with exactly one node.
    for (let i = 0; i < p.children.length; i++) walk(p.children[i] as Nodes, visit, i, p);
  }
}
