/**
 * Helpers for the demo tests: which chapter holds which demo, small settings for SwiftShader,
 * a page guard that records console errors, failed and off-site requests, and the reference
 * printout of the notebook parsed from companion/reference_output_cpu.txt (written by
 * companion/regenerate.py with PyTorch).
 */
import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sitePath } from './site';

export type DemoId = 'lowrank' | 'implementation' | 'training' | 'merging' | 'rank' | 'adapters' | 'savings';
export type Backend = 'wasm' | 'webgpu';

export const CHAPTER: Record<DemoId, string> = {
  lowrank: 'low-rank',
  implementation: 'implementation',
  training: 'training',
  merging: 'merging',
  rank: 'rank',
  adapters: 'adapters',
  savings: 'adapters',
};
export const DEMOS = Object.keys(CHAPTER) as DemoId[];
/** Demos that run on the engine (savings is arithmetic on the page). */
export const ENGINE_DEMOS = DEMOS.filter((d) => d !== 'savings');

/** Settings small enough for WebGPU in software (SwiftShader). */
export const SMALL: Record<DemoId, Record<string, string>> = {
  lowrank: { size: '16', trueRank: '3' },
  implementation: { dIn: '16', dOut: '12', rank: '2' },
  training: { epochs: '20' },
  merging: { epochs: '10' },
  rank: { ranks: '1,4', epochs: '10' },
  adapters: { rank: '2' },
  savings: { model: 'custom', dModel: '1024', layers: '12', ranks: '8' },
};

export function backendOf(info: TestInfo): Backend {
  return (info.project.metadata as { backend?: Backend }).backend ?? 'wasm';
}

export function demoUrl(demo: DemoId, params: Record<string, string> = {}, backend?: Backend): string {
  const q = new URLSearchParams();
  if (backend) q.set('backend', backend);
  for (const [k, v] of Object.entries(params)) q.set(`${demo}.${k}`, v);
  const s = q.toString();
  return sitePath(`chapters/${CHAPTER[demo]}/`) + (s ? `?${s}` : '');
}

/** Record what must not happen on a page: console errors, page errors, failed or off-site requests. */
export function guard(page: Page): { problems: string[]; check(): void } {
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => {
    // A request cancelled by a navigation or reload (the favicon, say) is not a failure of the site.
    if (r.failure()?.errorText === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  });
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (!['http:', 'https:'].includes(u.protocol)) return;
    if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') problems.push(`off-site request: ${r.url()}`);
  });
  return { problems, check: () => expect(problems).toEqual([]) };
}

export function slot(page: Page, demo: DemoId): Locator {
  return page.locator(`[data-demo="${demo}"]`);
}

/** Bring the demo into view and wait until its island is live (controls enabled). */
export async function live(page: Page, demo: DemoId): Promise<Locator> {
  const s = slot(page, demo);
  await s.scrollIntoViewIfNeeded();
  await expect(s).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  return s;
}

/** Wait for the demo's current run to finish with a result. */
export async function done(s: Locator, timeout = 180_000): Promise<void> {
  await expect(s).toHaveAttribute('data-state', 'done', { timeout });
}

export async function printout(s: Locator): Promise<string> {
  return (await s.locator('[data-printout]').textContent()) ?? '';
}

// The notebook's reference output --------------------------------------------------------

const referencePath = path.resolve(process.cwd(), 'companion/reference_output_cpu.txt');

/** The reference output, cell number → its printed lines. */
export function referenceCells(): Map<number, string> {
  const text = readFileSync(referencePath, 'utf8');
  const cells = new Map<number, string>();
  // split() with a capture group gives [before, n₁, body₁, n₂, body₂, …].
  const parts = text.split(/^=== cell (\d+)\n/m);
  for (let i = 1; i + 1 < parts.length; i += 2) cells.set(Number(parts[i]), parts[i + 1]!.replace(/\n+$/, ''));
  return cells;
}

const NUMBER = /[-+]?\d+(?:\.\d+)?(?:e[-+]\d+)?/gi;

/**
 * Compare printed text with the reference, line by line (blank lines ignored): the words must
 * be identical and every number equal, except that numbers printed with 6 or more decimals may
 * differ by 2e-6 (float32 summation order), and lines matched by `loose` are only checked by
 * the callback.
 */
export function expectSamePrintout(actual: string, reference: string, loose: { match: RegExp; check: (line: string) => void }[] = []): void {
  const lines = (s: string) => s.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
  const a = lines(actual);
  const r = lines(reference);
  expect(a.map((l) => l.replace(NUMBER, '#').replace(/\s+/g, ' '))).toEqual(r.map((l) => l.replace(NUMBER, '#').replace(/\s+/g, ' ')));
  r.forEach((refLine, i) => {
    const line = a[i]!;
    const special = loose.find((x) => x.match.test(refLine));
    if (special) return special.check(line);
    const an = line.match(NUMBER) ?? [];
    const rn = refLine.match(NUMBER) ?? [];
    rn.forEach((ref, j) => {
      const got = an[j]!;
      const decimals = /\.(\d+)/.exec(ref)?.[1]?.length ?? 0;
      // Losses within 2e-6 (issue 3), plus half a unit of the 6th decimal for each side's rounding.
      if (decimals >= 6) expect(Math.abs(Number(got) - Number(ref)), `${line} vs ${refLine}`).toBeLessThanOrEqual(3e-6 + 1e-12);
      else expect(got, `${line} vs ${refLine}`).toBe(ref);
    });
  });
}
