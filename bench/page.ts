/**
 * `npx tsx bench/page.ts [--backend wasm|webgpu] [--url http://host:port/base/]`: the live §3 demo
 * in Chromium on the built site (run `npm run build` first: it also writes the search index). Not a test. Prints a table and
 * writes bench/results/page.json:
 *   - time from navigation to the first §3 result with the notebook preset (the island loads,
 *     the worker starts onnxruntime-web, builds the sessions and trains 2 × 100 epochs);
 *   - bytes transferred until then (every response, the worker's included);
 *   - steps per second while training is drawn live (Adam preset, 2 × 300 epochs), measured
 *     between the first and last progress update, and chart redraws per second;
 *   - the longest main-thread task during that training run (PerformanceObserver 'longtask').
 * Without --url it serves dist/ with `astro preview` on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { chromium, type Request } from '@playwright/test';

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const backend = (arg('backend') ?? 'wasm') as 'wasm' | 'webgpu';
const executablePath = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const port = Number(process.env.BENCH_PORT ?? 4391);

async function serve(): Promise<{ url: string; server?: ChildProcess }> {
  const given = arg('url');
  if (given) return { url: given.endsWith('/') ? given : `${given}/` };
  const server = spawn('npx', ['astro', 'preview', '--host', '127.0.0.1', '--port', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(url)).ok) return { url, server };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  server.kill();
  throw new Error(`astro preview did not answer on ${url}`);
}

interface Sample {
  t: number;
  steps: number;
  draws: number;
}
type Probe = { results: number[]; samples: Sample[]; longtasks: { start: number; duration: number }[] };

async function main(): Promise<void> {
  const { url, server } = await serve();
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', ...(backend === 'webgpu' ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'] : [])],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    // Record results, progress samples and long tasks from the first byte of the page.
    await page.addInitScript(() => {
      const probe: Probe = { results: [], samples: [], longtasks: [] };
      (window as unknown as { __probe: Probe }).__probe = probe;
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) probe.longtasks.push({ start: e.startTime, duration: e.duration });
      }).observe({ type: 'longtask', buffered: true });
      document.addEventListener('demo:result', () => probe.results.push(performance.now()));
      new MutationObserver(() => {
        const el = document.querySelector<HTMLElement>('[data-demo="training"]');
        if (el?.dataset.steps) probe.samples.push({ t: performance.now(), steps: Number(el.dataset.steps), draws: Number(el.dataset.draws ?? 0) });
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-steps', 'data-draws'] });
    });
    const finished: { req: Request; at: number; bytes: number }[] = [];
    const t0 = Date.now();
    page.on('requestfinished', async (req) => {
      const at = Date.now() - t0;
      const sizes = await req.sizes().catch(() => ({ responseBodySize: 0, responseHeadersSize: 0 }));
      finished.push({ req, at, bytes: sizes.responseBodySize + sizes.responseHeadersSize });
    });

    // 1. Navigation → first §3 result, notebook preset.
    await page.goto(`${url}chapters/training/?backend=${backend}#demo-training`);
    await page.waitForFunction(() => (window as unknown as { __probe: Probe }).__probe.results.length > 0, null, { timeout: 600_000 });
    const first = await page.evaluate(() => (window as unknown as { __probe: Probe }).__probe.results[0]!);
    const firstWall = Date.now() - t0;
    const bytes = finished.filter((f) => f.at <= firstWall).reduce((s, f) => s + f.bytes, 0);
    const requests = finished.filter((f) => f.at <= firstWall).length;

    // 2. Train live with the Adam preset (2 × 300 epochs) and watch the main thread.
    const start = await page.evaluate(() => {
      const p = (window as unknown as { __probe: Probe }).__probe;
      p.samples.length = 0;
      return performance.now();
    });
    await page.click('[data-demo="training"] [data-preset="adam"]');
    await page.waitForFunction(() => (window as unknown as { __probe: Probe }).__probe.results.length > 1, null, { timeout: 600_000 });
    const probe = await page.evaluate(() => (window as unknown as { __probe: Probe }).__probe);
    const end = probe.results[1]!;
    const s = probe.samples.filter((x) => x.t >= start && x.t <= end);
    const a = s[0];
    const b = s[s.length - 1];
    const span = a && b ? (b.t - a.t) / 1000 : 0;
    const stepsPerSecond = span > 0 ? (b!.steps - a!.steps) / span : NaN;
    const drawsPerSecond = span > 0 ? (b!.draws - a!.draws) / span : NaN;
    const during = probe.longtasks.filter((t) => t.start >= start && t.start <= end);
    const longest = during.reduce((m, t) => Math.max(m, t.duration), 0);
    const badge = await page.locator('[data-demo="training"] [data-badge]').textContent();

    const out = {
      backend,
      ranOn: badge,
      crossOriginIsolated: await page.evaluate(() => crossOriginIsolated),
      firstResultMs: Math.round(first),
      bytesUntilFirstResult: bytes,
      requestsUntilFirstResult: requests,
      trainingRunMs: Math.round(end - start),
      stepsPerSecondLive: Math.round(stepsPerSecond),
      chartRedrawsPerSecond: Math.round(drawsPerSecond * 10) / 10,
      longTasksDuringTraining: during.length,
      longestMainThreadTaskMs: Math.round(longest),
      date: new Date().toISOString(),
    };
    console.table({
      'navigation → first §3 result (notebook preset)': `${(out.firstResultMs / 1000).toFixed(2)} s`,
      'bytes transferred until then': `${(bytes / 1e6).toFixed(2)} MB in ${requests} requests`,
      'steps/s while drawn live (Adam, 2 × 300 epochs)': String(out.stepsPerSecondLive),
      'chart redraws/s': String(out.chartRedrawsPerSecond),
      'longest main-thread task during training': `${out.longestMainThreadTaskMs} ms (${during.length} tasks > 50 ms)`,
      'backend (badge)': `${badge}${out.crossOriginIsolated ? ', cross-origin isolated' : ', single-threaded'}`,
    });
    mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
    writeFileSync(new URL('./results/page.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await browser.close();
    server?.kill();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
