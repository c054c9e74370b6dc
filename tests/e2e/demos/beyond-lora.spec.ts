/**
 * Chapter 10 in the browser: without JavaScript the committed side-by-side run and merging lab are
 * drawn with their numbers; a tiny live run of one variant trains to done and offers its adapter
 * as PEFT saves it; a combination runs in the lab; an adapter folder loaded through the picker is
 * evaluated, merged and combined (the State of the Union task adapter itself: its row must equal
 * the lab's own row for it), and files the engine cannot apply get a message.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { sitePath } from '../support/site';
import { backendOf, guard } from '../support/demo-page';

const page10 = (params: Record<string, string> = {}, backend?: string) => {
  const q = new URLSearchParams(params);
  if (backend) q.set('backend', backend);
  return sitePath('chapters/beyond-lora/') + (q.size ? `?${q}` : '');
};
interface Row { id: string; valBefore: number; valAfter: number; trainableParameters: number }
const variants = JSON.parse(readFileSync('demos/lm/results/variants-run.json', 'utf8')) as { rows: Row[] };
const arithmetic = JSON.parse(readFileSync('demos/lm/results/arithmetic-run.json', 'utf8')) as { rows: { adapter: string; valLoss: number[] }[] };

async function live(page: Page, id: string): Promise<Locator> {
  const s = page.locator(`[data-demo="${id}"]`);
  await s.scrollIntoViewIfNeeded();
  await expect(s).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  return s;
}

test('beyond LoRA without JavaScript: the committed runs and the prose numbers', async ({ browser }, info) => {
  test.skip(backendOf(info) === 'webgpu', 'no engine involved');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(page10());
  const v = page.locator('[data-demo="lora-variants"]');
  for (const row of variants.rows) await expect(v.locator('table')).toContainText(row.valAfter.toFixed(3));
  await expect(v.locator('svg').first()).toBeVisible();
  const a = page.locator('[data-demo="adapter-arithmetic"]');
  for (const row of arithmetic.rows) await expect(a.locator('table')).toContainText(row.valLoss[0]!.toFixed(3));
  // The prose quotes the committed run, not a typed number.
  const dora = variants.rows.find((r) => r.id === 'dora')!;
  await expect(page.locator('[data-beyond-number="variant.dora.valAfter"]').first()).toHaveText(dora.valAfter.toFixed(3));
  await expect(page.locator('.katex').first()).toBeVisible();
  await context.close();
});

test('beyond LoRA: one variant trains live and its adapter downloads as PEFT saves it', async ({ page }, info) => {
  test.skip(backendOf(info) === 'webgpu', 'the engine path is chapter 8’s, checked there on WebGPU');
  const g = guard(page);
  await page.goto(page10({ 'lora-variants.variants': 'dora', 'lora-variants.stepsEach': '10', 'lora-variants.batch': '1' }, 'wasm'));
  const s = await live(page, 'lora-variants');
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  const out = (await s.locator('[data-printout]').textContent()) ?? '';
  expect(out).toContain('DoRA');
  expect(out).toContain('10 steps');
  await s.locator('[data-downloads] summary').click();
  const item = s.locator('[data-downloads-menu] button[data-filename="dora-adapter_config.json"]');
  const [download] = await Promise.all([page.waitForEvent('download'), item.click()]);
  const config = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(config).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16, use_dora: true, target_modules: ['q_proj', 'v_proj'] });
  g.check();
});

test('beyond LoRA: a combination in the lab, and your own adapter through the picker', async ({ page }, info) => {
  test.skip(backendOf(info) === 'webgpu', 'the engine path is chapter 8’s, checked there on WebGPU');
  const g = guard(page);
  await page.goto(page10({ 'adapter-arithmetic.combination': 'cat', 'adapter-arithmetic.sampleLength': '8' }, 'wasm'));
  const s = await live(page, 'adapter-arithmetic');
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  const out = (await s.locator('[data-printout]').textContent()) ?? '';
  expect(out).toContain('cat · weights 1, 1 → r = lora_alpha = 16');
  // cat is the exact weighted sum: only float32 rounding separates it from w₁ΔW₁ + w₂ΔW₂.
  expect(Number(/Σ wᵢ·ΔWᵢ‖ = ([\d.e+-]+)/.exec(out)?.[1])).toBeLessThan(1e-5);

  const own = page.locator('[data-own-adapter]');
  await own.scrollIntoViewIfNeeded();
  const input = own.locator('[data-own-files]');
  // Only the config: the picker says what is missing and keeps the button off.
  await input.setInputFiles(['public/adapters/task-sotu/adapter_config.json']);
  await expect(own.locator('[data-own-status]')).toContainText('adapter_model.safetensors is missing');
  await expect(own.locator('[data-own-run]')).toBeDisabled();
  // An adapter for another base model: the engine's message, and the form stays usable.
  await input.setInputFiles(['demos/peft/fixtures/gpt2-conv1d/adapter_config.json', 'demos/peft/fixtures/gpt2-conv1d/adapter_model.safetensors']);
  await own.locator('[data-own-run]').click();
  await expect(own.locator('[data-own-status]')).toHaveAttribute('data-kind', 'error', { timeout: 120_000 });
  await expect(own.locator('[data-own-status]')).toContainText('(adapter)');
  // The State of the Union task adapter, as a reader would bring it.
  await input.setInputFiles(['public/adapters/task-sotu/adapter_config.json', 'public/adapters/task-sotu/adapter_model.safetensors']);
  await own.locator('[data-own-run]').click();
  await expect(own.locator('[data-own-row="own"]')).toBeVisible({ timeout: 120_000 });
  const cells = async (row: string) => own.locator(`[data-own-row="${row}"] td`).allTextContents();
  expect((await cells('own')).slice(1)).toEqual((await cells('sotu')).slice(1));
  const sotu = arithmetic.rows.find((r) => r.adapter === 'sotu')!;
  expect((await cells('own')).slice(1)).toEqual(sotu.valLoss.map((x) => x.toFixed(3)));
  const printout = (await own.locator('[data-own-printout]').textContent()) ?? '';
  expect(Number(/logits\(unmerged\)\| = ([\d.e+-]+)/.exec(printout)?.[1])).toBeLessThan(1e-4);
  expect(printout).toContain('Combined (cat, weights 1, 1): r = 16');
  g.check();
});
