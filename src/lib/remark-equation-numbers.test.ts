import { describe, expect, it } from 'vitest';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import remarkMath from 'remark-math';
import remarkRehype from 'remark-rehype';
import rehypeKatex from 'rehype-katex';
import rehypeStringify from 'rehype-stringify';
import { VFile } from 'vfile';
import remarkEquationNumbers, { labelToId } from './remark-equation-numbers';

/** Markdown → HTML through the same plugin order as astro.config.mjs. */
async function render(markdown: string, opts: { order?: number; frontmatterOrder?: number; katex?: boolean } = {}) {
  const file = new VFile({ value: markdown, path: 'chapter.mdx' });
  if (opts.frontmatterOrder !== undefined) file.data = { astro: { frontmatter: { order: opts.frontmatterOrder } } };
  const processor = unified()
    .use(remarkParse)
    .use(remarkMath)
    .use(remarkEquationNumbers, opts.order === undefined ? {} : { order: opts.order })
    .use(remarkRehype);
  if (opts.katex !== false) processor.use(rehypeKatex);
  return String(await processor.use(rehypeStringify).process(file));
}

const doc = (...blocks: string[]) => blocks.join('\n\n');

describe('remark-equation-numbers', () => {
  it('numbers display equations (order.n) and wraps them in an anchored .equation', async () => {
    const html = await render(doc('$$\nW = W_0 + \\Delta W\n$$', '$$\n\\Delta W = BA\n$$'), { order: 4 });
    expect(html.match(/class="equation"/g)).toHaveLength(2);
    expect(html).toContain('id="eq-4-1"');
    expect(html).toContain('<a class="equation-number" href="#eq-4-1" title="Equation 4.1">(4.1)</a>');
    expect(html).toContain('(4.2)</a>');
    // KaTeX typeset the inner <pre>: no raw TeX left, no error.
    expect(html).toContain('class="katex-display"');
    expect(html).not.toContain('<pre>');
    expect(html).not.toContain('katex-error');
  });

  it('takes the chapter number from the frontmatter (file.data.astro.frontmatter.order)', async () => {
    const html = await render('$$\nx\n$$', { frontmatterOrder: 6 });
    expect(html).toContain('(6.1)');
  });

  it('turns \\label into the anchor id and removes it from the TeX (precomputed hChildren too)', async () => {
    const html = await render('$$\nh = W_0 x + BAx \\label{eq:forward}\n$$', { order: 0, katex: false });
    expect(html).toContain('<div class="equation" id="eq-forward">');
    expect(html).toContain('<code class="language-math math-display">h = W_0 x + BAx</code>');
    expect(html).not.toContain('\\label');
    const typeset = await render('$$\nh = W_0 x + BAx \\label{eq:forward}\n$$', { order: 0 });
    expect(typeset).not.toContain('label');
    expect(typeset).not.toContain('katex-error');
  });

  it('resolves inline $\\eqref{…}$ to a link with the number, also before the equation', async () => {
    const html = await render(
      doc('See $\\eqref{eq:merge}$ and $\\ref{eq:merge}$.', '$$\nW_{\\text{merged}} = W_0 + \\frac{\\alpha}{r} BA \\label{eq:merge}\n$$'),
      { order: 4 },
    );
    expect(html).toContain('<a href="#eq-merge" class="eqref">(4.1)</a>');
    expect(html).toContain('<a href="#eq-merge" class="eqref">4.1</a>');
  });

  it('leaves ordinary inline maths alone', async () => {
    const html = await render('Rank $r \\ll \\min(d, k)$.', { order: 1 });
    expect(html).toContain('class="katex"');
    expect(html).not.toContain('eqref');
  });

  it('skips \\notag equations in the numbering', async () => {
    const html = await render(doc('$$\na\n$$', '$$\nb \\notag\n$$', '$$\nc\n$$'), { order: 2 });
    expect(html).toContain('(2.1)');
    expect(html).toContain('(2.2)');
    expect(html).not.toContain('(2.3)');
    expect(html).toContain('class="equation equation-unnumbered" tabindex="0"');
    expect(html).not.toContain('notag');
  });

  it('finds equations nested in other blocks (lists, quotes) in document order', async () => {
    const html = await render(doc('> $$\n> a\n> $$', '- item\n\n  $$\n  b \\label{eq:b}\n  $$', 'Ref $\\eqref{eq:b}$'), { order: 3 });
    expect(html).toContain('id="eq-3-1"');
    expect(html).toContain('<a href="#eq-b" class="eqref">(3.2)</a>');
  });

  it('fails the build on an unknown label, a duplicate label, or \\eqref mixed with other maths', async () => {
    await expect(render('$\\eqref{eq:nope}$', { order: 0 })).rejects.toThrow(/refers to no \\label/);
    await expect(render(doc('$$\na \\label{eq:x}\n$$', '$$\nb \\label{eq:x}\n$$'), { order: 0 })).rejects.toThrow(/Duplicate/);
    await expect(render(doc('$$\na \\label{eq:x}\n$$', '$x = \\eqref{eq:x}$'), { order: 0 })).rejects.toThrow(/alone/);
    await expect(render('$$\na \\label{eq:x} \\label{eq:y}\n$$', { order: 0 })).rejects.toThrow(/One \\label/);
  });

  it('maps labels to ids', () => {
    expect(labelToId('eq:low-rank')).toBe('eq-low-rank');
    expect(labelToId('eq:W_0 update')).toBe('eq-W_0-update');
    expect(labelToId('merge')).toBe('eq-merge');
  });
});
