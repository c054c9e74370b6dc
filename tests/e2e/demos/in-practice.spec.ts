/**
 * Chapter 9 in the browser: without JavaScript every demo shows the committed study (or, for
 * memory, the build-time walk of the graph); a training demo waits for Run and then re-runs a tiny
 * point live and draws it beside the study; the memory demo recomputes as the reader edits.
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { sitePath } from '../support/site';
import { backendOf, guard } from '../support/demo-page';

const PAGE = 'chapters/in-practice/';
const DEMOS = ['practice-targets', 'practice-lr', 'practice-rank', 'practice-forgetting', 'practice-memory', 'practice-evaluation'];
const run = JSON.parse(readFileSync('demos/lm/results/practice.json', 'utf8')) as { base: { task: { loss: number } }; points: Record<string, { task: { loss: number } }> };

const url = (id: string, params: Record<string, string>, backend: string) => {
  const q = new URLSearchParams({ backend });
  for (const [k, v] of Object.entries(params)) q.set(`${id}.${k}`, v);
  return `${sitePath(PAGE)}?${q}`;
};
async function live(page: Page, id: string) {
  const s = page.locator(`[data-demo="${id}"]`);
  await s.scrollIntoViewIfNeeded();
  await expect(s).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  return s;
}

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('every chapter-9 demo shows its committed figure and numbers', async ({ page }) => {
    await page.goto(sitePath(PAGE));
    for (const id of DEMOS) {
      const s = page.locator(`[data-demo="${id}"]`);
      await expect(s.locator('[data-panels] svg').first(), id).toBeVisible();
    }
    // The study's own numbers, from the committed file, in the figure's text.
    const targets = (await page.locator('[data-demo="practice-targets"] [data-printout]').textContent()) ?? '';
    expect(targets).toContain(`Base model: held-out ${run.base.task.loss.toFixed(3)}`);
    expect(targets).toContain(run.points['attn-r8']!.task.loss.toFixed(3));
    await expect(page.locator('[data-demo="practice-evaluation"] [data-panels] svg')).toHaveCount(2);
    await expect(page.locator('[data-demo="practice-memory"] table')).toContainText('QLoRA');
    // Every number of the prose resolved at build time.
    expect(await page.locator('[data-practice-number]').count()).toBeGreaterThan(30);
  });
});

test('a training demo waits for Run, then trains a tiny point live and draws it beside the study', async ({ page }, info) => {
  test.skip(backendOf(info) !== 'wasm', 'the same page code on either backend; SwiftShader is too slow for a training point');
  const g = guard(page);
  const models: string[] = [];
  page.on('request', (r) => r.url().includes('/models/') && models.push(r.url()));
  await page.goto(url('practice-targets', { steps: '10', batch: '1', valWindows: '2', rank: '2' }, 'wasm'));
  const s = await live(page, 'practice-targets');
  await expect(s.locator('[data-status]')).toContainText('Press Run');
  expect(models).toEqual([]);
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  const out = (await s.locator('[data-printout]').textContent()) ?? '';
  expect(out).toContain('Your run: The Devil\'s Dictionary · LoRA q, v · r = 2');
  expect(out).toMatch(/held-out loss \d\.\d{3} ± \d\.\d{3} on the task/);
  await expect(s.locator('[data-panels] svg').first()).toContainText('your run');
  g.check();
});

test('the memory demo recomputes from the graph as the reader edits', async ({ page }, info) => {
  test.skip(backendOf(info) !== 'wasm', 'pure graph building: no backend involved');
  const g = guard(page);
  await page.goto(url('practice-memory', {}, 'wasm'));
  const s = await live(page, 'practice-memory');
  const table = s.locator('table');
  await expect(table).toContainText('QLoRA');
  const before = await table.textContent();
  await page.goto(url('practice-memory', { bigContext: '1024' }, 'wasm'));
  const t = (await live(page, 'practice-memory')).locator('table');
  await expect(t).not.toHaveText(before ?? '');
  await expect(t).toContainText('7B (LLaMA)');
  g.check();
});
