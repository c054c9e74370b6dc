/**
 * Chapter 8's demo in the browser: it waits for Run (the model loads only then), trains live to
 * the end on this project's backend (a tiny config on SwiftShader), downloads the adapter as
 * PEFT files, Cancel stops it, bad input gets words next to its control (form checks and the
 * engine's own), and without JavaScript the committed default run is drawn.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { sitePath } from '../support/site';
import { backendOf, guard } from '../support/demo-page';

const ID = 'language-model';
const url = (params: Record<string, string> = {}, backend?: string) => {
  const q = new URLSearchParams();
  if (backend) q.set('backend', backend);
  for (const [k, v] of Object.entries(params)) q.set(`${ID}.${k}`, v);
  return sitePath('chapters/language-model/') + (q.size ? `?${q}` : '');
};
const defaultRun = JSON.parse(readFileSync('demos/lm/results/default-run.json', 'utf8')) as { frame: { adaptedSample: string; baseSample: string } };

async function live(page: Page): Promise<Locator> {
  const s = page.locator(`[data-demo="${ID}"]`);
  await s.scrollIntoViewIfNeeded();
  await expect(s).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  return s;
}

test('language model: waits for Run, then trains live to done and offers the PEFT adapter', async ({ page }, info) => {
  const backend = backendOf(info);
  const g = guard(page);
  const models: string[] = [];
  page.on('request', (r) => r.url().includes('/models/') && models.push(r.url()));
  // SwiftShader runs every sampled character as a forward pass in software: keep them few.
  const small = backend === 'webgpu' ? { steps: '10', batch: '1', sampleLength: '4' } : { steps: '20', batch: '2', sampleLength: '40' };
  await page.goto(url(small, backend));
  const s = await live(page);
  await expect(s.locator('[data-status]')).toContainText('Press Run');
  expect(models).toEqual([]); // nothing heavy until the reader asks
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  expect(models.some((u) => u.endsWith('/models/austen-char-llama/model.safetensors'))).toBe(true);
  await expect(s.locator('[data-badge]')).toHaveText(backend === 'webgpu' ? 'your GPU (WebGPU)' : 'your CPU (WebAssembly)');
  const out = (await s.locator('[data-printout]').textContent()) ?? '';
  expect(out).toContain(`step ${small.steps} of ${small.steps}`);
  expect(out).toMatch(/tokens\/s on (WebGPU|WebAssembly)/);
  // Chapter 4's check on the real model: merging changes the logits by rounding only.
  const diff = Number(/max \|logits\(merged\) − logits\(with adapter\)\| = ([\d.e+-]+)/.exec(out)?.[1]);
  expect(diff).toBeLessThan(1e-4);
  await expect(s.locator('[data-panels] svg')).toHaveCount(2);
  await expect(s.locator('[data-summary]')).toContainText(`after ${small.steps} of ${small.steps} steps`);
  // The adapter as PEFT saves it.
  await s.locator('[data-downloads] summary').click();
  const item = s.locator('[data-downloads-menu] button[data-filename="adapter_config.json"]');
  const [download] = await Promise.all([page.waitForEvent('download'), item.click()]);
  const config = JSON.parse(readFileSync((await download.path())!, 'utf8'));
  expect(config).toMatchObject({ peft_type: 'LORA', r: 8, lora_alpha: 16, target_modules: ['q_proj', 'v_proj'], task_type: 'CAUSAL_LM', use_rslora: false });
  await expect(s.locator('[data-downloads-menu] button[data-filename="adapter_model.safetensors"]')).toHaveCount(1);
  await expect(s.locator('[data-downloads-menu] button[data-filename="model.safetensors"]')).toHaveCount(1);
  g.check();
});

test('language model: full fine-tuning reports every weight trained and its memory', async ({ page }, info) => {
  test.skip(backendOf(info) === 'webgpu', 'the same page code as on WASM; SwiftShader is too slow for every weight');
  const g = guard(page);
  await page.goto(url({ method: 'full', lr: '0.001', steps: '10', batch: '1', sampleLength: '8' }, 'wasm'));
  const s = await live(page);
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  const out = (await s.locator('[data-printout]').textContent()) ?? '';
  expect(out).toContain('Full fine-tuning of every weight');
  expect(out).toContain('813,184 trained parameters');
  expect(out).toMatch(/training state .*: 13\.01 MB in float32/);
  expect(out).not.toContain('merged into');
  await s.locator('[data-downloads] summary').click();
  await expect(s.locator('[data-downloads-menu] button[data-filename="model.safetensors"]')).toHaveCount(1);
  await expect(s.locator('[data-downloads-menu] button[data-filename="adapter_config.json"]')).toHaveCount(0);
  g.check();
});

test('language model: adapters trained on two tasks in one page switch on the same frozen base', async ({ page }, info) => {
  test.skip(backendOf(info) === 'webgpu', 'the switch is the same page code on both backends; SwiftShader is too slow for two runs');
  const g = guard(page);
  // A prompt of the reader's own: it stays when the task changes (a task's own prompt would follow it).
  await page.goto(url({ steps: '10', batch: '2', sampleLength: '24', prompt: 'WAR, n. ' }, 'wasm'));
  const s = await live(page);
  const printout = async () => (await s.locator('[data-printout]').textContent()) ?? '';
  const picker = (v: string) => s.locator(`input[type="radio"][data-input="adapter"][value="${v}"]`);
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  // One task trained: nothing to switch to yet; the choices are disabled and the picker says why.
  await expect(s.locator('[data-tables] table')).toHaveCount(0);
  await expect(picker('sotu')).toBeDisabled();
  await expect(s.locator('#language-model-adapter-inactive')).toContainText('Switching needs LoRA runs on two tasks');
  await s.locator('select[data-input="task"]').selectOption('sotu');
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 240_000 });
  const table = s.locator('[data-tables] table');
  await expect(table.locator('thead th')).toHaveText(['Weights', "The Devil's Dictionary", 'State of the Union addresses']);
  await expect(table.locator('tbody th')).toHaveText(['Base model', "The Devil's Dictionary adapter (10 steps)", 'State of the Union addresses adapter (10 steps)']);
  for (const cell of await table.locator('tbody td').allTextContents()) expect(Number(cell)).toBeGreaterThan(0);
  const after = await printout();
  expect(after).toContain('State of the Union addresses · LoRA');
  const sample = (out: string, title: string) => out.split(`${title}:\n`)[1]?.split('\n')[0] ?? '';
  const base = sample(after, 'Base model');
  const own = sample(after, 'Adapted (step 10)');
  // Switching redraws from the kept result: no run starts, and each choice shows its own continuation.
  await picker('devil').check();
  await expect(s.locator('[data-printout]')).toContainText("The Devil's Dictionary adapter:");
  const devil = sample(await printout(), "The Devil's Dictionary adapter");
  expect(devil.length).toBeGreaterThan(0);
  await expect(s).toHaveAttribute('data-state', 'done');
  await picker('base').check();
  await expect(s.locator('[data-panels] svg').nth(1)).not.toContainText('Adapted');
  const both = (await printout()).split('Base model:\n').slice(1).map((t) => t.split('\n')[0]);
  expect(both).toEqual([base, base]); // left and right: the base, as before training
  await picker('sotu').check();
  expect(sample(await printout(), 'State of the Union addresses adapter')).toBe(own);
  expect(base.length).toBeGreaterThan(0);
  g.check();
});

test('language model: Cancel stops a run and keeps what was drawn', async ({ page }, info) => {
  const backend = backendOf(info);
  const g = guard(page);
  await page.goto(url(backend === 'webgpu' ? { steps: '200', batch: '1', sampleLength: '4' } : { steps: '300' }, backend));
  const s = await live(page);
  await s.locator('[data-action="run"]').click();
  await expect(s.locator('[data-progress]')).toContainText(/Step \d+ of/, { timeout: 120_000 });
  await s.locator('[data-action="cancel"]').click();
  await expect(s).toHaveAttribute('data-state', 'cancelled', { timeout: 60_000 });
  await expect(s.locator('[data-status]')).toContainText('Cancelled');
  await expect(s.locator('[data-action="run"]')).toBeEnabled();
  g.check();
});

test('language model: bad input gets words next to its control', async ({ page }) => {
  const g = guard(page);
  await page.goto(url({ steps: '10', batch: '1' }, 'wasm'));
  const s = await live(page);
  const error = (key: string) => s.locator(`#${ID}-${key}-error`);
  const field = (key: string) => s.locator(`#${ID}-${key}`);
  // What the controls know: ranges and numbers.
  const typed: [string, string, RegExp][] = [
    ['rank', '0', /whole number from 1/],
    ['lr', '0', /greater than 0/],
    ['lr', 'Infinity', /not a number/],
    ['steps', '6000', /from 1 to 5000/],
    ['batch', '65', /from 1 to 64/],
  ];
  for (const [key, bad, message] of typed) {
    const before = await field(key).inputValue();
    await field(key).fill(bad);
    await field(key).press('Tab');
    await expect(error(key)).toContainText(message);
    await expect(field(key)).toHaveAttribute('aria-invalid', 'true');
    await field(key).fill(before);
    await field(key).press('Tab');
    await expect(error(key)).toBeHidden();
  }
  // What only the engine knows, from its typed errors: each is a run it refuses.
  const refused = async (key: string, message: RegExp) => {
    await s.locator('[data-action="run"]').click();
    await expect(error(key)).toContainText(message, { timeout: 120_000 });
    await expect(s).toHaveAttribute('data-state', 'error');
  };
  for (const box of await s.locator(`input[type="checkbox"][data-input="targets"]`).all()) await box.uncheck();
  await refused('targets', /at least one module/);
  await s.locator(`input[type="checkbox"][data-input="targets"][value="q_proj"]`).check();
  await field('rank').fill('200');
  await field('rank').press('Tab');
  await refused('rank', /from 1 to 128/);
  await field('rank').fill('8');
  await field('rank').press('Tab');
  await field('prompt').fill('Ωmega, n. café');
  await field('prompt').press('Tab');
  await refused('prompt', /"Ω", "é"/);
  g.check();
});

test.describe('language model without JavaScript', () => {
  test.use({ javaScriptEnabled: false });
  test('the committed default run is drawn', async ({ page }) => {
    await page.goto(url());
    const s = page.locator(`[data-demo="${ID}"]`);
    await expect(s.locator('[data-panels] .demo-panel svg')).toHaveCount(2);
    await expect(s.locator('[data-printout]')).toContainText(defaultRun.frame.adaptedSample.split('\n')[0]!);
    await expect(s.locator(`#${ID}-rank`)).toHaveValue('8');
    // The chapter's numbers were computed at build time, none left as a placeholder.
    await expect(page.locator('[data-lm-number="parameters"]').first()).toHaveText(/^\d{3},\d{3}$/);
  });
});
