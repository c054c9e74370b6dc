/**
 * State the spec-driven controller keeps straight: cross-field checks run over every field on
 * each edit (a stale message never survives, a conflicting value never runs), and a run that
 * was reset is never drawn again.
 */
import { expect, test } from '@playwright/test';
import { backendOf, demoUrl, done, guard, live } from '../support/demo-page';

test('§1: a size below the true rank is refused, not run, and fixing the other field commits both', async ({ page }, info) => {
  const g = guard(page);
  await page.goto(demoUrl('lowrank', {}, backendOf(info)));
  const s = await live(page, 'lowrank');
  await done(s);
  const size = s.locator('#lowrank-size');
  const trueRank = s.locator('#lowrank-trueRank');
  // Size 3 with true rank 4: the message is on the true rank, and nothing runs (no NaN "Done").
  await size.fill('3');
  await size.press('Tab');
  await expect(s.locator('#lowrank-trueRank-error')).toContainText('cannot exceed');
  await page.waitForTimeout(600); // past the rerun delay
  await expect(s.locator('[data-printout]')).not.toContainText('NaN');
  expect(new URL(page.url()).searchParams.get('lowrank.size')).toBeNull();
  // True rank 100 is refused at size 64 …
  await size.fill('64');
  await size.press('Tab');
  await done(s);
  await trueRank.fill('100');
  await trueRank.press('Tab');
  await expect(s.locator('#lowrank-trueRank-error')).toContainText('cannot exceed');
  // … and size 128 makes it valid: the message goes and the run uses what the box says.
  await size.fill('128');
  await size.press('Tab');
  await expect(s.locator('#lowrank-trueRank-error')).toBeHidden();
  await expect.poll(() => new URL(page.url()).searchParams.get('lowrank.trueRank')).toBe('100');
  await expect(s.locator('[data-printout]')).toContainText('true rank 100', { timeout: 120_000 });
  g.check();
});

test('§3: Reset during a run shows the notebook’s result and nothing of the run afterwards', async ({ page }, info) => {
  const g = guard(page);
  await page.goto(demoUrl('training', { epochs: '5000', optimizer: 'adam' }, backendOf(info)));
  const s = await live(page, 'training');
  await expect(s.locator('[data-progress]')).toContainText('epoch', { timeout: 120_000 });
  await s.locator('[data-action="reset"]').click();
  await expect(s.locator('[data-status]')).toContainText('Reset');
  const summary = await s.locator('[data-summary]').textContent();
  const panels = await s.locator('[data-panels]').innerHTML();
  await page.waitForTimeout(1500); // late progress of the cancelled run would arrive now
  await expect(s.locator('[data-progress]')).toHaveText('');
  await expect(s.locator('[data-status]')).toContainText('Reset');
  expect(await s.locator('[data-summary]').textContent()).toBe(summary);
  expect(await s.locator('[data-panels]').innerHTML()).toBe(panels);
  await expect(s.locator('[data-summary]')).toContainText('of 100 epochs');
  g.check();
});
