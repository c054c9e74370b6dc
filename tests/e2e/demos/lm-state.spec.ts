/**
 * Issue 15, "Chapter 8 state" (#1–#14) and #17's rule on chapter 8, each case as the issue
 * reproduced it, with runs of a few steps so each test takes seconds. Page code, the same on
 * either backend: the wasm project runs them (the webgpu project skips).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { sitePath } from '../support/site';
import { backendOf, guard } from '../support/demo-page';

const ID = 'language-model';
/** Runs of a few steps with short samples: seconds each on WASM. */
const TINY = { steps: '10', batch: '1', sampleLength: '4' };
const MAX_SESSIONS = 24; // demos/runtime.ts

test.beforeEach(({}, info) => test.skip(backendOf(info) === 'webgpu', 'page state, the same on either backend: the wasm project covers it'));

const url = (params: Record<string, string> = {}, raw = '') => {
  const q = new URLSearchParams({ backend: 'wasm' });
  for (const [k, v] of Object.entries(params)) q.set(`${ID}.${k}`, v);
  return sitePath('chapters/language-model/') + `?${q}${raw}`;
};

async function live(page: Page): Promise<Locator> {
  const s = page.locator(`[data-demo="${ID}"]`);
  await s.scrollIntoViewIfNeeded();
  await expect(s).toHaveAttribute('data-island', 'ready', { timeout: 60_000 });
  return s;
}
const field = (s: Locator, key: string) => s.locator(`#${ID}-${key}`);
const note = (s: Locator, key: string) => s.locator(`#${ID}-${key}-error`);
const picker = (s: Locator, v: string) => s.locator(`input[type="radio"][data-input="adapter"][value="${v}"]`);
const printout = async (s: Locator) => (await s.locator('[data-printout]').textContent()) ?? '';
async function set(s: Locator, key: string, value: string) {
  await field(s, key).fill(value);
  await field(s, key).press('Tab');
}
async function runToDone(s: Locator) {
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
}
async function menu(s: Locator): Promise<Locator> {
  await s.locator('[data-downloads] summary').click();
  const m = s.locator('[data-downloads-menu]');
  await expect(m).toHaveAttribute('data-complete', '');
  return m;
}
const engineWorkers = (page: Page) => page.workers().filter((w) => w.url().includes('engine'));

test('#1 Cancel mid-step keeps the engine worker and the adapters kept for switching', async ({ page }) => {
  const g = guard(page);
  const started: string[] = [];
  page.on('worker', (w) => started.push(w.url()));
  await page.goto(url(TINY));
  const s = await live(page);
  await runToDone(s);
  // A long run on the other task, cancelled in the middle of a 10-step graph run (batch 8: over a second each).
  await s.locator('select[data-input="task"]').selectOption('sotu');
  await set(s, 'steps', '300');
  await set(s, 'batch', '8');
  await s.locator('[data-action="run"]').click();
  await expect(s.locator('[data-progress]')).toContainText(/Step [1-9]\d* of 300/, { timeout: 120_000 });
  await s.locator('[data-action="cancel"]').click();
  await expect(s).toHaveAttribute('data-state', 'cancelled');
  await expect(s.locator('[data-printout]')).toContainText("Kept for switching in this page: The Devil's Dictionary adapter (10 steps)");
  // Wait past the old 300 ms limit (and well into a graph run), then train the second task.
  await page.waitForTimeout(1500);
  await set(s, 'steps', '10');
  await set(s, 'batch', '1');
  await runToDone(s);
  // Both tasks' adapters are there: the comparison table, and no second worker loaded the model again.
  await expect(s.locator('[data-tables] table tbody th')).toHaveText(['Base model', "The Devil's Dictionary adapter (10 steps)", 'State of the Union addresses adapter (10 steps)']);
  expect(started.filter((u) => u.includes('engine'))).toHaveLength(1);
  expect(engineWorkers(page)).toHaveLength(1);
  g.check();
});

test('#2 during a run, Download says its files are the previous run and names its adapter', async ({ page }) => {
  const g = guard(page);
  await page.goto(url(TINY));
  const s = await live(page);
  await runToDone(s);
  await s.locator('select[data-input="task"]').selectOption('sotu');
  await set(s, 'rank', '4');
  await set(s, 'steps', '300');
  await s.locator('[data-action="run"]').click();
  await expect(s.locator('[data-progress]')).toContainText(/Step \d+ of 300/, { timeout: 120_000 });
  const m = await menu(s);
  await expect(m.locator('[data-downloads-note]')).toContainText('A run is in progress: these files are the previous run');
  await expect(m.locator('[data-downloads-note]')).toContainText('language-model.steps=10');
  await expect(m.locator('button[data-filename="adapter_config.json"]')).toHaveText("Adapter (PEFT, r = 8, The Devil's Dictionary) · adapter_config.json");
  await s.locator('[data-action="cancel"]').click();
  await expect(s).toHaveAttribute('data-state', 'cancelled');
  g.check();
});

test('#3 a run that breaks down without a NaN is reported with its step, and offers no adapter', async ({ page }) => {
  const g = guard(page);
  await page.goto(url({ lr: '10', alpha: '10000', rank: '1', targets: 'mlp', steps: '40', sampleLength: '4' }));
  const s = await live(page);
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'error', { timeout: 120_000 });
  await expect(s.locator('[data-error]')).toContainText(/Training broke down at step \d+/);
  await expect(s.locator('[data-status]')).toHaveText('Training stopped.');
  const m = await menu(s);
  await expect(m.locator('[data-downloads-note]')).toContainText('broke down');
  await expect(m.locator('button[data-filename="adapter_config.json"]')).toHaveCount(0);
  await expect(m.locator('button[data-filename="adapter_model.safetensors"]')).toHaveCount(0);
  g.check();
});

test('#4 a prompt with line breaks: the box, the run and the URL agree; a blank prompt is refused', async ({ page }) => {
  const g = guard(page);
  const prompt = 'LOVE, n.\nHATE, n. ';
  await page.goto(url({ ...TINY, prompt }));
  const s = await live(page);
  await expect(field(s, 'prompt')).toHaveValue(prompt);
  await set(s, 'seed', '3'); // an edit elsewhere must not rewrite the prompt
  expect(new URL(page.url()).searchParams.get(`${ID}.prompt`)).toBe(prompt);
  await runToDone(s);
  expect(await printout(s)).toContain(`Base model:\n${prompt}`);
  // A carriage return: read as the line break the box holds, and said.
  await page.goto(url(TINY, `&${ID}.prompt=${encodeURIComponent('A\r\nB')}`));
  const s2 = await live(page);
  await expect(field(s2, 'prompt')).toHaveValue('A\nB');
  await expect(note(s2, 'prompt')).toContainText('carriage returns are read as line breaks');
  // Whitespace only: refused with a message, the notebook's prompt used.
  await page.goto(url({ prompt: '\n' }));
  const s3 = await live(page);
  await expect(note(s3, 'prompt')).toContainText('not a space or a line break');
  await expect(field(s3, 'prompt')).toHaveValue('LOVE, n.  ');
  g.check();
});

test('#5 a 10,000-character targets value is quoted cut', async ({ page }) => {
  await page.goto(url({ targets: 'z'.repeat(10_000) }));
  const s = await live(page);
  await expect(note(s, 'targets')).toContainText('(10,000 characters)');
  expect(((await note(s, 'targets').textContent()) ?? '').length).toBeLessThan(400);
  expect((await note(s, 'targets').boundingBox())!.height).toBeLessThan(150);
});

test('#6 #7 a refused Run leaves the figure as it was and says what to fix, until it is fixed', async ({ page }) => {
  const g = guard(page);
  await page.goto(url(TINY));
  const s = await live(page);
  const before = await printout(s);
  const status = s.locator('[data-status]');
  const shownStatus = (await status.textContent()) ?? '';
  await set(s, 'rank', '129');
  await expect(status).toContainText(/press Run/i);
  await s.locator('[data-action="run"]').click();
  await expect(note(s, 'rank')).toContainText(/from 1 to 128/, { timeout: 120_000 });
  await expect(s).toHaveAttribute('data-state', 'error');
  await expect(status).toContainText('The engine refused a setting');
  // #7: the build-time figure and printout, undimmed; no empty "not trained yet" frame, no "r = 129".
  expect(await printout(s)).toBe(before);
  await expect(s.locator('[data-printout]')).not.toHaveAttribute('data-stale', 'true');
  await expect(s.locator('[data-panels]')).not.toContainText('not trained yet');
  // Run again without fixing: blocked, and said.
  await s.locator('[data-action="run"]').click();
  await expect(s).toHaveAttribute('data-state', 'blocked');
  await expect(status).toHaveText('Fix the highlighted setting to run the demo.');
  // Fixed: the slot says again what the figure shows.
  await set(s, 'rank', '8');
  await expect(s).not.toHaveAttribute('data-state', /.+/);
  await expect(status).toHaveText(shownStatus);
  // The same after a refusal that comes with no targets at all, fixed to another value: "press Run".
  for (const box of await s.locator('input[type="checkbox"][data-input="targets"]').all()) await box.uncheck();
  await s.locator('[data-action="run"]').click();
  await expect(note(s, 'targets')).toContainText(/at least one module/, { timeout: 120_000 });
  await expect(status).toContainText('The engine refused a setting');
  await s.locator('input[type="checkbox"][data-input="targets"][value="k_proj"]').check();
  await expect(status).toContainText(/press Run/i);
  await expect(s).not.toHaveAttribute('data-state', /.+/);
  g.check();
});

test('#8 "Continue with" during a run does not redraw the previous result', async ({ page }) => {
  const g = guard(page);
  await page.goto(url({ ...TINY, adapter: 'base' }));
  const s = await live(page);
  await runToDone(s);
  await set(s, 'steps', '300');
  await set(s, 'batch', '8'); // over a second per 10 steps: the run is still going while we look
  await s.locator('[data-action="run"]').click();
  await expect(s.locator('[data-progress]')).toContainText(/Step \d+ of 300/, { timeout: 120_000 });
  // The choices a run in progress cannot show are disabled, with the reason.
  await expect(picker(s, 'base')).toBeDisabled();
  await expect(s.locator(`#${ID}-adapter-inactive`)).toContainText('apply to a finished run');
  // "This run's model" is a change (the link chose the base): it must not bring back the previous result.
  await picker(s, 'run').check();
  await expect(s).toHaveAttribute('data-state', 'running');
  // The printout stays the previous result's, dimmed; the chart keeps drawing the run.
  await expect(s.locator('[data-printout]')).toHaveAttribute('data-stale', 'true');
  await page.waitForTimeout(300);
  await expect(s.locator('[data-panels]')).not.toContainText('after 10 of 10 steps');
  await expect(s.locator('[data-panels] svg desc').first()).toContainText(/of 300 steps/);
  await s.locator('[data-action="cancel"]').click();
  await expect(s).toHaveAttribute('data-state', 'cancelled');
  g.check();
});

test('#9 #10 switching after LoRA on both tasks and a full fine-tuning run; full fine-tuning disables LoRA\'s controls', async ({ page }) => {
  const g = guard(page);
  await page.goto(url(TINY));
  const s = await live(page);
  // Before any run: nothing to switch to, said, and disabled.
  for (const v of ['base', 'devil', 'sotu']) await expect(picker(s, v)).toBeDisabled();
  await expect(s.locator(`#${ID}-adapter-inactive`)).toContainText('Switching needs LoRA runs on two tasks');
  await runToDone(s);
  await expect(s.locator(`#${ID}-adapter-inactive`)).toContainText("kept so far: The Devil's Dictionary, 10 steps");
  await s.locator('select[data-input="task"]').selectOption('sotu');
  await runToDone(s);
  await expect(picker(s, 'devil')).toBeEnabled();
  // #10: full fine-tuning, by the method select: its own learning rate, LoRA's controls disabled with the reason.
  await s.locator('select[data-input="method"]').selectOption('full');
  await expect(field(s, 'lr')).toHaveValue('0.001');
  for (const k of ['rank', 'alpha', 'scalingRule']) await expect(field(s, k)).toBeDisabled();
  for (const box of await s.locator('input[type="checkbox"][data-input="targets"]').all()) await expect(box).toBeDisabled();
  // The reason said once, under the first of them; the others point to it.
  await expect(s.locator(`#${ID}-targets-inactive`)).toContainText('LoRA only');
  await expect(s.locator(`#${ID}-rank-inactive`)).toBeHidden();
  await expect(field(s, 'rank')).toHaveAttribute('aria-describedby', new RegExp(`${ID}-targets-inactive`));
  await expect(s.locator('label:has(input[data-input="adapter"][value="run"])')).toHaveText("This run's model");
  await runToDone(s);
  const panels = s.locator('[data-panels]');
  await expect(panels).toContainText('Loss while every weight trains');
  await expect(panels).toContainText('Fine-tuned, step 10');
  await expect(panels).not.toContainText('adapters train');
  // #9: after the full run, the kept adapters still switch.
  await picker(s, 'devil').check();
  await expect(s.locator('[data-printout]')).toContainText("The Devil's Dictionary adapter:");
  await expect(s.locator('[data-printout]')).not.toContainText('Switching needs');
  await expect(s.locator('[data-tables] table tbody th')).toHaveCount(3);
  // Back to LoRA: its learning rate back, its controls usable.
  await s.locator('select[data-input="method"]').selectOption('lora');
  await expect(field(s, 'lr')).toHaveValue('0.003');
  await expect(field(s, 'rank')).toBeEnabled();
  g.check();
});

test('#11 switching the task brings its own prompt; a prompt the reader wrote stays', async ({ page }) => {
  await page.goto(url());
  const s = await live(page);
  await s.locator('select[data-input="task"]').selectOption('sotu');
  await expect(field(s, 'prompt')).toHaveValue('Fellow-Citizens of the Senate and House of Representatives:\n');
  await s.locator('select[data-input="task"]').selectOption('devil');
  await expect(field(s, 'prompt')).toHaveValue('LOVE, n.  ');
  await set(s, 'prompt', 'WAR, n. ');
  await s.locator('select[data-input="task"]').selectOption('sotu');
  await expect(field(s, 'prompt')).toHaveValue('WAR, n. ');
});

// #12 (offline before chapter 8 ever ran) is tests/e2e/site/offline.spec.ts's: the service worker's side answers it.

test('#13 the engine keeps a bounded number of sessions, whatever ranks are run', async ({ page }) => {
  test.setTimeout(240_000);
  const g = guard(page);
  await page.goto(url({ ...TINY, sampleLength: '2' }));
  const s = await live(page);
  const counts: number[] = [];
  for (const rank of [1, 2, 3, 5, 6, 7, 9, 10, 11, 12]) {
    await set(s, 'rank', String(rank));
    await runToDone(s);
    counts.push(Number(await s.getAttribute('data-sessions')));
  }
  console.log(`sessions after each rank: ${counts.join(', ')}`);
  // Each new rank builds new sessions, so an unbounded cache would keep growing; this one stops.
  expect(counts[1]).toBeGreaterThan(counts[0]!);
  expect(Math.max(...counts)).toBe(MAX_SESSIONS);
  expect(counts.at(-1)).toBe(MAX_SESSIONS);
  g.check();
});

test('#14 duplicated keys, numbers the page cannot hold and a long paste are said, never taken silently', async ({ page }) => {
  const g = guard(page);
  await page.goto(url({}, `&${ID}.rank=4&${ID}.rank=16&${ID}.seed=1e-400`));
  const s = await live(page);
  await expect(field(s, 'rank')).toHaveValue('16');
  await expect(note(s, 'rank')).toContainText('Rank r is given 2 times (“4”, “16”); the last is read.');
  await expect(note(s, 'seed')).toContainText('Seed must be a whole number from 0 to 4294967295, not “1e-400”');
  await expect(field(s, 'seed')).toHaveValue('0');
  await set(s, 'seed', '9007199254740993');
  await expect(note(s, 'seed')).toContainText('from 0 to 4294967295, not “9007199254740993”');
  await set(s, 'seed', '0');
  // A 10,000-character paste stays whole in the box and is refused with its length.
  await field(s, 'prompt').focus();
  await field(s, 'prompt').fill('');
  await page.keyboard.insertText('a'.repeat(10_000));
  await field(s, 'prompt').press('Tab');
  expect((await field(s, 'prompt').inputValue()).length).toBe(10_000);
  await expect(note(s, 'prompt')).toContainText('at most 200 characters, not 10,000');
  expect(new URL(page.url()).searchParams.get(`${ID}.prompt`)).toBeNull(); // nothing committed
  g.check();
});

test('#17 a preset fills the controls and waits for Run; the time a run takes is said under Run', async ({ page }) => {
  const g = guard(page);
  await page.goto(url());
  const s = await live(page);
  await s.locator('[data-preset="full"]').click();
  await expect(field(s, 'method')).toHaveValue('full');
  await expect(field(s, 'lr')).toHaveValue('0.001'); // the same learning rate as by the method select
  await expect(s.locator('[data-status]')).toContainText('Press Run to train with these');
  await expect(s.locator('[data-estimate]')).toContainText('300 steps');
  await page.waitForTimeout(1000);
  await expect(s).not.toHaveAttribute('data-running', 'true');
  await expect(s).not.toHaveAttribute('data-state', /.+/); // nothing started
  await expect(s.locator('[data-progress]')).toHaveText('');
  g.check();
});
