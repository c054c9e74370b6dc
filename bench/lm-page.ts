/**
 * `npx tsx bench/lm-page.ts [--url http://host:port/base/]`: chapter 8's demo in Chromium on the
 * built site (run `npx astro build` first), on WASM, default settings. Not a test. Measures from
 * pressing Run to: the model and texts loaded (the first training frame), and the first
 * refreshed sample (the adapted column's first continuation after training started, at the
 * spec's refresh step). `--limit S` (default 600) ends the wait. Prints a table and writes bench/results/lm-page.json.
 * Without --url it serves dist/ with `astro preview` on a free port (BENCH_PORT, default 4392).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { chromium } from '@playwright/test';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const port = Number(process.env.BENCH_PORT ?? 4392);

async function serve(): Promise<{ url: string; server?: ChildProcess }> {
  const given = arg('url');
  if (given) return { url: given.endsWith('/') ? given : `${given}/` };
  const server = spawn('npx', ['astro', 'preview', '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore', detached: true });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return { url, server };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  process.kill(-server.pid!);
  throw new Error(`astro preview did not answer on ${url}`);
}

async function main(): Promise<void> {
  const { url, server } = await serve();
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${url}chapters/language-model/?backend=wasm`);
    const slot = page.locator('[data-demo="language-model"]');
    await slot.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => document.querySelector<HTMLElement>('[data-demo="language-model"]')?.dataset.island === 'ready', null, { timeout: 120_000 });
    // Timestamps are taken in the page (performance.now) by a poll, not by round trips from here.
    const t = await page.evaluate(
      (limitMs) =>
        new Promise<{ training: number; refreshed: number; text: string; lastStep: number; lastAt: number }>((resolve) => {
          const s = document.querySelector<HTMLElement>('[data-demo="language-model"]')!;
          // The panels, not the printout: the island redraws them with every live frame.
          const out = s.querySelector<HTMLElement>('[data-panels]')!;
          const t0 = performance.now();
          let training = 0;
          let cleared = false;
          const initial = out.textContent;
          let lastStep = 0;
          let lastAt = 0;
          s.querySelector<HTMLButtonElement>('[data-action="run"]')!.click();
          // An anonymous callback: tsx names named functions with a helper the page lacks.
          const id = setInterval(() => {
            const p = out.textContent ?? '';
            if (performance.now() - t0 > limitMs) {
              clearInterval(id);
              resolve({ training, refreshed: NaN, text: p, lastStep, lastAt });
              return;
            }
            // The build-time run stays drawn until the live run draws its first frame (nothing trained).
            if (!cleared) cleared = p !== initial && p.includes('Adapted (not trained yet)');
            if (!cleared) return;
            const step = Number(/after (\d+) of/.exec(p)?.[1] ?? 0);
            if (step > lastStep) [lastStep, lastAt] = [step, performance.now() - t0];
            if (!training && step > 0) training = performance.now() - t0;
            const refreshed = /Adapted, step [1-9]/.test(p);
            if (refreshed) {
              clearInterval(id);
              resolve({ training, refreshed: performance.now() - t0, text: p, lastStep, lastAt });
            }
          }, 50);
        }),
      Number(arg('limit') ?? 600) * 1000,
    );
    const base = (await slot.locator('[data-panels] svg').nth(1).locator('desc').textContent().catch(() => '')) ?? '';
    const adapted = /Adapted, step \d+: ("(?:[^"\\]|\\.)*")/.exec(base)?.[1] ?? '';
    const out = {
      backend: (await slot.locator('[data-badge]').textContent())?.trim(),
      runToFirstTrainingFrameMs: Math.round(t.training),
      runToFirstRefreshedSampleMs: Math.round(t.refreshed),
      refreshedAtStep: Number(/Adapted, step (\d+)/.exec(t.text)?.[1]),
      /** Where the run was when the measurement ended (the limit, `--limit` seconds, may end it first). */
      lastStep: t.lastStep,
      lastStepAtMs: Math.round(t.lastAt),
      state: await slot.getAttribute('data-state'),
      status: (await slot.locator('[data-status]').textContent())?.trim(),
      /** The samples panel's description at that moment: both continuations. */
      samples: base,
      adaptedSample: adapted,
      load: loadavg()[0],
      cores: cpus().length,
      date: new Date().toISOString(),
    };
    await slot.locator('[data-action="cancel"]').click().catch(() => undefined);
    console.table({
      'Run → first training frame (model and texts loaded, base sample, first steps)': `${(out.runToFirstTrainingFrameMs / 1000).toFixed(1)} s`,
      [`Run → first refreshed sample (step ${out.refreshedAtStep})`]: Number.isFinite(t.refreshed) ? `${(out.runToFirstRefreshedSampleMs / 1000).toFixed(1)} s` : `none within --limit; step ${t.lastStep} at ${(t.lastAt / 1000).toFixed(1)} s`,
      'adapted sample then': adapted,
      backend: String(out.backend),
    });
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/lm-page.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await browser.close();
    if (server?.pid) process.kill(-server.pid);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
