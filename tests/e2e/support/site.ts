/**
 * What the site tests know about the site without asking it: the chapter sources (parsed
 * here, independently of Astro), the built dist/ folder and the base path.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const chaptersDir = resolve(process.env.CHAPTERS_DIR ?? 'content/chapters');
export const distDir = resolve(process.env.SITE_OUT_DIR ?? 'dist');
const rawBase = (process.env.BASE_PATH ?? '/').replace(/^\/+|\/+$/g, '');
/** The site's base path with slashes: '/' or '/lora-live/'. */
export const base = rawBase ? `/${rawBase}/` : '/';

/** A site path under the base: `sitePath('chapters/merging/')`. */
export function sitePath(path = ''): string {
  return base + path.replace(/^\/+/, '');
}

export interface ChapterSource {
  file: string;
  title: string;
  description: string;
  order: number;
  /** `closing: true`: read after every numbered chapter, listed without a number (the summary). */
  closing: boolean;
  slug: string;
  /** `$$…$$` blocks in the source (outside code fences). */
  displayEquations: number;
  /** Of those, the ones not marked \notag / \nonumber. */
  numberedEquations: number;
  /** Labels given with \label{…} in display maths. */
  labels: string[];
  /** The ids of its `<Demo id="…" />` slots (each has an /embed/<id>/ page). */
  demos: string[];
}

function frontmatterField(fm: string, key: string): string | undefined {
  const m = new RegExp(`^${key}:\\s*(.*?)\\s*(?:#.*)?$`, 'm').exec(fm);
  if (!m?.[1]) return undefined;
  return m[1].replace(/^(['"])(.*)\1$/, '$2');
}

/** Counts display equations the way remark-math sees them: `$$` fences on their own lines. */
export function countDisplayMath(body: string): { display: number; numbered: number; labels: string[] } {
  let display = 0;
  let numbered = 0;
  const labels: string[] = [];
  let fence: string | null = null; // inside ``` or ~~~ code
  let math: string[] | null = null; // inside $$ … $$
  const close = () => {
    const tex = (math ?? []).join('\n');
    if (!/\\(?:notag|nonumber)\b/.test(tex)) numbered += 1;
    for (const m of tex.matchAll(/\\label\s*\{([^}]*)\}/g)) labels.push((m[1] ?? '').trim());
    math = null;
  };
  for (const raw of body.split('\n')) {
    const line = raw.trim().replace(/^>\s?/, '');
    if (math === null) {
      const codeFence = /^(`{3,}|~{3,})/.exec(line);
      if (fence) {
        if (codeFence && line.startsWith(fence)) fence = null;
        continue;
      }
      if (codeFence?.[1]) {
        fence = codeFence[1];
        continue;
      }
      if (line.startsWith('$$')) {
        display += 1;
        const rest = line.slice(2);
        // `$$ … $$` written on one line: counted as display (as the author meant it);
        // if remark-math renders it inline the page count will not match.
        if (rest.includes('$$')) {
          math = [rest.slice(0, rest.indexOf('$$'))];
          close();
        } else math = [rest];
      }
    } else if (line.endsWith('$$')) {
      math.push(line.slice(0, -2));
      close();
    } else {
      math.push(line);
    }
  }
  return { display, numbered, labels };
}

export function readChapters(): ChapterSource[] {
  if (!existsSync(chaptersDir)) throw new Error(`No chapters folder at ${chaptersDir}`);
  const files = readdirSync(chaptersDir).filter((f) => /^[^_].*\.mdx?$/.test(f)).sort();
  if (files.length === 0) throw new Error(`No chapters in ${chaptersDir}`);
  return files
    .map((file) => {
      const source = readFileSync(join(chaptersDir, file), 'utf8');
      const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n([\s\S]*)$/.exec(source);
      if (!m) throw new Error(`${file}: no frontmatter`);
      const [, fm = '', body = ''] = m;
      const order = Number(frontmatterField(fm, 'order'));
      const counts = countDisplayMath(body);
      return {
        file,
        title: frontmatterField(fm, 'title') ?? '',
        description: frontmatterField(fm, 'description') ?? '',
        order,
        closing: frontmatterField(fm, 'closing') === 'true',
        slug: frontmatterField(fm, 'slug') ?? '',
        displayEquations: counts.display,
        numberedEquations: counts.numbered,
        labels: counts.labels,
        demos: [...body.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').matchAll(/<Demo\b[^>]*?\bid="([^"]+)"/g)].map((m) => m[1]!),
      };
    })
    .sort((a, b) => Number(a.closing) - Number(b.closing) || a.order - b.order);
}

/** The /embed/<demo>/ page of every demo placed in a chapter. */
export function embedPages(): string[] {
  return [...new Set(readChapters().flatMap((c) => c.demos))].map((id) => sitePath(`embed/${id}/`));
}

/** Every page of the site a reader can land on (embed pages included: a course page frames them). */
export function sitePages(): string[] {
  return [sitePath(''), ...readChapters().map((c) => sitePath(`chapters/${c.slug}/`)), ...embedPages(), sitePath('404.html')];
}
