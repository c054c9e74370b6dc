/**
 * The adapter inspector page (/inspector/): the numbers it shows for the shipped example pair,
 * computed live in its worker, equal `npm run adapter:inspect`'s for the same files; the same for
 * a folder picked through the file input; bad input gets a message; the page works without
 * JavaScript from its build-time table. Screenshots (desktop, 375 px) go to test-results/.
 */
import { execFileSync } from 'node:child_process';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { sitePath } from '../support/site';

interface CliModule { name: string; shape: [number, number]; rank: number; scaling: number; singular_values: number[]; frobenius: number }
interface CliJson { modules: CliModule[]; similarity: { name: string; phi: number[] }[]; compared?: { modules: CliModule[] } }

/** The CLI's last line for these folders (run once per argument list). */
const cliCache = new Map<string, CliJson>();
function cli(...args: string[]): CliJson {
  const key = args.join(' ');
  if (!cliCache.has(key)) {
    const out = execFileSync('npx', ['tsx', 'scripts/adapters/inspect.ts', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    cliCache.set(key, JSON.parse(out.trim().split('\n').pop()!) as CliJson);
  }
  return cliCache.get(key)!;
}

/** Same engine, same operations: equal to rounding in the last bits at most. */
function expectSame(page: CliJson, want: CliJson): void {
  const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
  const modules = (got: CliModule[], exp: CliModule[]) => {
    expect(got.map((m) => m.name)).toEqual(exp.map((m) => m.name));
    got.forEach((m, i) => {
      const w = exp[i]!;
      expect([m.shape, m.rank]).toEqual([w.shape, w.rank]);
      close(m.scaling, w.scaling);
      close(m.frobenius, w.frobenius);
      expect(m.singular_values).toHaveLength(w.singular_values.length);
      m.singular_values.forEach((v, k) => close(v, w.singular_values[k]!));
    });
  };
  modules(page.modules, want.modules);
  if (want.compared) modules(page.compared!.modules, want.compared.modules);
  expect(page.similarity.map((s) => s.name)).toEqual(want.similarity.map((s) => s.name));
  page.similarity.forEach((s, i) => s.phi.forEach((p, k) => close(p, want.similarity[i]!.phi[k]!)));
}

const shownJson = async (page: Page) => JSON.parse((await page.locator('[data-inspection-json]').textContent()) ?? '') as CliJson;

test.describe('adapter inspector', () => {
  test('the example pair, inspected live in the worker, shows the CLI’s numbers', async ({ page }) => {
    await page.goto(sitePath('inspector/'));
    await expect(page.locator('[data-inspector-form]')).toHaveAttribute('data-ready', 'true');
    const want = cli('public/adapters/devil-r8', '--compare', 'public/adapters/devil-r64');
    // The build-time render of the same pair, before anything runs.
    expectSame(await shownJson(page), want);

    await page.getByRole('button', { name: 'Rank 8 vs rank 64, same task and seed' }).click();
    await expect(page.locator('[data-result]')).toHaveAttribute('data-state', 'done');
    await expect(page.locator('[data-progress-text]')).toContainText('Done: 16 modules');
    expectSame(await shownJson(page), want);
    // What the reader sees: every table row's ‖ΔW‖_F is the CLI's frobenius.
    const rows = page.locator('.inspector-table tbody tr');
    await expect(rows).toHaveCount(want.modules.length);
    for (const [i, m] of want.modules.entries()) {
      const v = Number(await rows.nth(i).locator('td[data-value]').getAttribute('data-value'));
      expect(Math.abs(v - m.frobenius)).toBeLessThanOrEqual(1e-12 * m.frobenius);
    }
    // The φ figures for the module picked by its name in the table.
    const name = want.similarity[1]!.name;
    await page.locator(`button[data-module="${name}"]`).click();
    await expect(page.locator('[data-module-select]')).toHaveValue(name);
    await expect(page.locator('[data-detail] svg')).toHaveCount(3);
    await expect(page.locator('[data-detail]')).toContainText('φ(i, j)');

    await page.setViewportSize({ width: 1280, height: 1800 });
    await page.screenshot({ path: test.info().outputPath('inspector-desktop.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    await page.screenshot({ path: test.info().outputPath('inspector-375.png'), fullPage: true });
    // Nothing wider than the phone's screen but the table, which scrolls in its own box.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test('a folder picked through the file input gives the CLI’s numbers; missing files are named', async ({ page }) => {
    await page.goto(sitePath('inspector/'));
    await expect(page.locator('[data-inspector-form]')).toHaveAttribute('data-ready', 'true');
    const input = page.locator('input[data-files="first"]');
    await input.setInputFiles(['public/adapters/chapter8-r4-all/adapter_config.json']);
    await page.getByRole('button', { name: 'Inspect' }).click();
    await expect(page.locator('[data-error]')).toContainText('adapter_model.safetensors is missing');

    await input.setInputFiles(['public/adapters/chapter8-r4-all/adapter_config.json', 'public/adapters/chapter8-r4-all/adapter_model.safetensors']);
    await page.getByRole('button', { name: 'Inspect' }).click();
    await expect(page.locator('[data-result]')).toHaveAttribute('data-state', 'done');
    await expect(page.locator('[data-result]')).toHaveAttribute('data-source', 'files');
    await expect(page.locator('[data-error]')).toBeHidden();
    expectSame(await shownJson(page), cli('public/adapters/chapter8-r4-all'));
    await expect(page.locator('.inspector-table tbody tr')).toHaveCount(28);
  });

  test('an adapter that is not LoRA is refused by its PEFT type, and the page stays usable', async ({ page }) => {
    await page.goto(sitePath('inspector/'));
    await expect(page.locator('[data-inspector-form]')).toHaveAttribute('data-ready', 'true');
    await page.locator('input[data-files="first"]').setInputFiles(['demos/inspect/fixtures/ia3/adapter_config.json', 'demos/inspect/fixtures/ia3/adapter_model.safetensors']);
    await page.getByRole('button', { name: 'Inspect' }).click();
    await expect(page.locator('[data-error]')).toContainText('"IA3"; only LoRA adapters');
    await expect(page.getByRole('button', { name: 'Inspect' })).toBeEnabled();
  });

  test('without JavaScript: the explanation and the build-time table of the example pair', async ({ browser }) => {
    const ctx = await browser.newContext({ javaScriptEnabled: false });
    const page = await ctx.newPage();
    await page.goto(sitePath('inspector/'));
    await expect(page.locator('noscript')).toHaveCount(1);
    const want = cli('public/adapters/devil-r8', '--compare', 'public/adapters/devil-r64');
    const rows = page.locator('.inspector-table tbody tr');
    await expect(rows).toHaveCount(want.modules.length);
    const v = Number(await rows.first().locator('td[data-value]').getAttribute('data-value'));
    expect(Math.abs(v - want.modules[0]!.frobenius)).toBeLessThanOrEqual(1e-12 * want.modules[0]!.frobenius);
    await expect(page.locator('[data-grids] svg')).toHaveCount(2);
    await ctx.close();
  });

  test('Cancel stops a run at once and keeps the previous result on screen', async ({ page, context }) => {
    // Hold the rank-64 file back so that the run is still going when Cancel is pressed.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await context.route('**/adapters/devil-r64/adapter_model.safetensors', async (route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await page.goto(sitePath('inspector/'));
    await expect(page.locator('[data-inspector-form]')).toHaveAttribute('data-ready', 'true');
    const before = await page.locator('[data-inspection-json]').textContent();
    await page.getByRole('button', { name: 'Rank 8 vs rank 64, same task and seed' }).click();
    await expect(page.locator('[data-result]')).toHaveAttribute('data-state', 'running');
    await expect(page.locator('[data-progress] progress')).toBeVisible();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.locator('[data-result]')).toHaveAttribute('data-state', 'cancelled');
    await expect(page.locator('[data-progress-text]')).toContainText('Cancelled');
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeHidden();
    release();
    // The terminated worker never answers: the example drawn at build time stays.
    await page.waitForTimeout(1000);
    expect(await page.locator('[data-inspection-json]').textContent()).toBe(before);
    await expect(page.locator('[data-result]')).toHaveAttribute('data-state', 'cancelled');
    // And the page runs again afterwards.
    await context.unroute('**/adapters/devil-r64/adapter_model.safetensors');
    await page.getByRole('button', { name: 'Chapter 8’s rank-4 adapter on all seven modules' }).click();
    await expect(page.locator('[data-result]')).toHaveAttribute('data-state', 'done');
    await expect(page.locator('.inspector-table tbody tr')).toHaveCount(28);
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`axe finds no violations (${scheme}) with the example drawn`, async ({ page }) => {
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(sitePath('inspector/'));
      await expect(page.locator('[data-inspector-form]')).toHaveAttribute('data-ready', 'true');
      const results = await new AxeBuilder({ page }).analyze();
      expect(results.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`)).toEqual([]);
    });
  }

  test('linked from the landing page and from chapters 5 and 8', async ({ page }) => {
    for (const path of ['', 'chapters/rank/', 'chapters/language-model/']) {
      await page.goto(sitePath(path));
      await expect(page.locator(`main a[href$="inspector/"]`).first()).toBeVisible();
    }
  });
});
