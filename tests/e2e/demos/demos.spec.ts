/**
 * The live demos, on this project's backend ('wasm', or 'webgpu' on SwiftShader with small
 * settings): each runs to completion and shows its numbers (on WASM with the notebook's
 * settings: the reference output's numbers), URL state round-trips, bad input is reported
 * next to its control, Cancel stops a long run, divergence stops with a message, no console
 * errors or failed/off-site requests, no axe violations, and without JavaScript every slot
 * shows its build-time figure.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import {
  CHAPTER,
  DEMOS,
  SMALL,
  backendOf,
  demoUrl,
  done,
  expectSamePrintout,
  guard,
  live,
  printout,
  referenceCells,
  slot,
  type DemoId,
} from '../support/demo-page';

/** The reference cells each demo's printout reproduces (§1 only plots). */
const CELLS: Partial<Record<DemoId, number[]>> = {
  implementation: [3],
  training: [4, 5, 6],
  merging: [7],
  rank: [9],
  adapters: [10],
  savings: [11],
};

test.describe('each demo runs live and shows its numbers', () => {
  for (const demo of DEMOS) {
    test(demo, async ({ page }, info) => {
      const backend = backendOf(info);
      const g = guard(page);
      // WASM runs the notebook's settings; SwiftShader gets small ones.
      await page.goto(backend === 'wasm' ? demoUrl(demo, {}, 'wasm') : demoUrl(demo, SMALL[demo], 'webgpu'));
      const s = await live(page, demo);
      await done(s);
      if (demo !== 'savings') await expect(s.locator('[data-badge]')).toHaveText(backend === 'webgpu' ? 'your GPU (WebGPU)' : 'your CPU (WebAssembly)');
      await expect(s.locator('[data-status]')).toContainText('Done on');
      if (demo !== 'savings') expect(await s.locator('[data-panels] svg').count()).toBeGreaterThan(0);
      const text = await printout(s);
      expect(text.trim().length).toBeGreaterThan(0);
      const cells = CELLS[demo];
      if (backend === 'wasm' && cells) {
        const ref = referenceCells();
        expectSamePrintout(
          text,
          cells.map((c) => ref.get(c) ?? '').join('\n'),
          // The merge check's difference is float32 round-off: below allclose's 1e-5, not a fixed value.
          [{ match: /Max difference/, check: (line) => expect(Number(/([-+\d.e]+)\s*$/.exec(line)?.[1])).toBeLessThan(1e-5) }],
        );
      }
      if (backend === 'wasm' && demo === 'lowrank') await expect(s.locator('[data-printout]')).toContainText('99% of the energy with r = 4');
      g.check();
    });
  }
});

test('URL state round-trips: the controls show it, Run uses it, edits write it back', async ({ page }, info) => {
  const backend = backendOf(info);
  const g = guard(page);
  const params = { rank: '2', epochs: '20', optimizer: 'adam', scalingRule: 'sqrt', seed: '7', lr: '0.02' };
  await page.goto(demoUrl('training', params, backend));
  const s = await live(page, 'training');
  await expect(s.locator('#training-rank')).toHaveValue('2');
  await expect(s.locator('#training-epochs')).toHaveValue('20');
  await expect(s.locator('#training-lr')).toHaveValue('0.02');
  await expect(s.locator('#training-seed')).toHaveValue('7');
  await expect(s.locator('#training-optimizer')).toHaveValue('adam');
  await expect(s.locator('#training-scalingRule')).toHaveValue('alpha/sqrt(r)');
  await done(s);
  const text = await printout(s);
  expect(text).toContain('LoRA (rank=2) final loss');
  expect(text).toContain('Epoch   0:');
  expect(text).not.toContain('Epoch  20:'); // 20 epochs: only epoch 0 is a checkpoint
  await expect(s.locator('[data-summary]')).toContainText('LoRA rank 2');
  // Edit a control: the URL follows, and a reload restores it.
  await s.locator('#training-rank').fill('3');
  await s.locator('#training-rank').press('Tab');
  await expect.poll(() => new URL(page.url()).searchParams.get('training.rank')).toBe('3');
  expect(new URL(page.url()).searchParams.get('training.optimizer')).toBe('adam');
  await page.reload();
  const again = await live(page, 'training');
  await expect(again.locator('#training-rank')).toHaveValue('3');
  await done(again);
  expect(await printout(again)).toContain('LoRA (rank=3) final loss');
  // The savings calculator round-trips too (no engine).
  await page.goto(demoUrl('savings', { model: 'custom', dModel: '1024', layers: '12', ranks: '2,8' }));
  const sv = await live(page, 'savings');
  await expect(sv.locator('#savings-model')).toHaveValue('custom');
  await expect(sv.locator('#savings-ranks')).toHaveValue('2, 8');
  await done(sv);
  await expect(sv.locator('[data-printout]')).toContainText('Custom model (d_model=1024, 12 layers)');
  g.check();
});

test.describe('bad input shows a message next to its control and the demo stays usable', () => {
  for (const demo of DEMOS) {
    test(demo, async ({ page }, info) => {
      const backend = backendOf(info);
      const g = guard(page);
      await page.goto(demoUrl(demo, SMALL[demo], backend));
      const s = await live(page, demo);
      const inputs = s.locator('input[type="text"][data-input]');
      const n = await inputs.count();
      expect(n).toBeGreaterThan(0);
      for (let i = 0; i < n; i++) {
        const input = inputs.nth(i);
        const key = await input.getAttribute('data-input');
        const before = await input.inputValue();
        await input.fill('abc');
        await input.press('Tab');
        await expect(input).toHaveAttribute('aria-invalid', 'true');
        const error = s.locator(`#${demo}-${key}-error`);
        await expect(error).toBeVisible();
        await expect(error).not.toHaveText('');
        expect(await input.getAttribute('aria-describedby')).toContain(`${demo}-${key}-error`);
        await input.fill(before);
        await input.press('Tab');
        await expect(input).not.toHaveAttribute('aria-invalid', 'true');
        await expect(error).toBeHidden();
      }
      // An out-of-range value the table catches by range, with the allowed range in words.
      if (demo !== 'savings') {
        const seed = s.locator(`#${demo}-seed`);
        await seed.fill('-1');
        await seed.press('Tab');
        await expect(s.locator(`#${demo}-seed-error`)).toContainText('whole number from 0');
        await seed.fill('42');
        await seed.press('Tab');
      }
      await done(s);
      g.check();
    });
  }

  test('the URL can carry bad values too: the default is used and the message shown', async ({ page }, info) => {
    const g = guard(page);
    await page.goto(demoUrl('lowrank', { size: '8', trueRank: '12' }, backendOf(info)));
    const s = await live(page, 'lowrank');
    await expect(s.locator('#lowrank-trueRank-error')).toContainText('cannot exceed');
    await expect(s.locator('#lowrank-trueRank-error')).toContainText('true rank');
    // The box holds the value that runs (the notebook's), so it is not marked invalid, and it runs.
    await expect(s.locator('#lowrank-trueRank')).not.toHaveAttribute('aria-invalid', 'true');
    await expect(s.locator('#lowrank-size')).toHaveValue('8');
    await done(s);
    g.check();
  });
});

test('a diverging run stops with a message and the chart keeps what it drew', async ({ page }, info) => {
  const g = guard(page);
  await page.goto(demoUrl('training', { lr: '10', epochs: '60' }, backendOf(info)));
  const s = await live(page, 'training');
  await expect(s).toHaveAttribute('data-state', 'error', { timeout: 120_000 });
  await expect(s.locator('[data-error]')).toContainText('Training diverged');
  await expect(s.locator('[data-error]')).toContainText('smaller learning rate');
  expect(await s.locator('[data-panels] svg path').count()).toBeGreaterThan(0);
  // Still usable: fix the rate and run again.
  await s.locator('#training-lr').fill('0.01');
  await s.locator('#training-lr').press('Enter');
  await done(s);
  await expect(s.locator('[data-error]')).toBeHidden();
  g.check();
});

test('Cancel stops a long run', async ({ page }, info) => {
  const g = guard(page);
  await page.goto(demoUrl('training', { epochs: '5000', optimizer: 'adam' }, backendOf(info)));
  const s = await live(page, 'training');
  // The live run starts by itself; wait until it is training, then cancel it.
  await expect(s.locator('[data-progress]')).toContainText('epoch', { timeout: 120_000 });
  await s.locator('[data-action="cancel"]').click();
  await expect(s).toHaveAttribute('data-state', 'cancelled', { timeout: 30_000 });
  await expect(s.locator('[data-status]')).toContainText('Cancelled');
  await expect(s.locator('[data-action="run"]')).toBeEnabled();
  await expect(s.locator('[data-action="cancel"]')).toBeDisabled();
  g.check();
});

test.describe('axe finds no violations with the demos rendered', () => {
  for (const chapter of [...new Set(Object.values(CHAPTER))]) {
    test(chapter, async ({ page }, info) => {
      const g = guard(page);
      const demos = DEMOS.filter((d) => CHAPTER[d] === chapter);
      const q = new URLSearchParams({ backend: backendOf(info) });
      for (const d of demos) for (const [k, v] of Object.entries(SMALL[d])) q.set(`${d}.${k}`, v);
      await page.goto(`${demoUrl(demos[0]!)}?${q}`);
      for (const d of demos) await done(await live(page, d));
      const { violations } = await new AxeBuilder({ page }).include('[data-demo]').analyze();
      expect(violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
      g.check();
    });
  }
});

test.describe('without JavaScript every slot shows its build-time figure', () => {
  test.use({ javaScriptEnabled: false });
  for (const demo of DEMOS) {
    test(demo, async ({ page }) => {
      await page.goto(demoUrl(demo));
      const s = slot(page, demo);
      if (demo === 'savings') await expect(s.locator('table.demo-table')).toHaveCount(3);
      else expect(await s.locator('[data-panels] .demo-panel svg').count()).toBeGreaterThan(0);
      if (CELLS[demo]) expect((await printout(s)).trim().length).toBeGreaterThan(0);
      // The controls are there, showing the notebook's values, but inactive.
      await expect(s.locator('[data-input]').first()).toBeDisabled();
      await expect(s.locator('noscript')).toHaveCount(1);
    });
  }
});

test('the engine demos load the engine only near the viewport, once per page', async ({ page }, info) => {
  const g = guard(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(demoUrl('adapters', SMALL.adapters, backendOf(info)));
  // The adapters demo is below the fold on this chapter: nothing heavy yet.
  const heavy = () => requests.filter((u) => /engine\.worker|ort[.-].*\.(wasm|m?js)/.test(u));
  if (!(await slot(page, 'adapters').isVisible()) || (await slot(page, 'adapters').boundingBox())!.y > 2 * page.viewportSize()!.height) {
    expect(heavy()).toEqual([]);
  }
  await done(await live(page, 'adapters'));
  await done(await live(page, 'savings'));
  expect(heavy().filter((u) => u.includes('engine.worker'))).toHaveLength(1);
  const binaries = heavy().filter((u) => /\.wasm(\?|$)/.test(u));
  expect(binaries, 'one onnxruntime-web binary').toHaveLength(1);
  // Without WebGPU the WebGPU build (asyncify / jsep) is never downloaded.
  if (backendOf(info) === 'wasm') expect(binaries[0]).not.toMatch(/asyncify|jsep/);
  g.check();
});
