// The LM engine on WebGPU in headless Chromium (SwiftShader: correctness, not speed) against WASM:
// forward with LoRA, six LoRA steps in two runs of three (GPU-resident state fed back) and four
// full fine-tuning steps, and six DoRA + patterns + LoRA+ steps, on a tiny random config. Exit 1 when the backends disagree by > 1e-4.
//   node scripts/lm/webgpu-check/run.mjs [port]
import http from 'node:http';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'lm-webgpu-'));
await build({ entryPoints: [join(here, 'entry.ts')], bundle: true, format: 'esm', outfile: join(dir, 'bundle.js'), logLevel: 'warning' });
const dist = join(root, 'node_modules/onnxruntime-web/dist');
for (const f of ['ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm']) cpSync(join(dist, f), join(dir, 'ort', f));
writeFileSync(join(dir, 'index.html'), '<!doctype html><link rel="icon" href="data:,"><script type="module" src="/bundle.js"></script>');
const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };
const port = Number(process.argv[2] ?? 4332);
const server = http.createServer((req, res) => {
  const p = join(dir, req.url === '/' ? 'index.html' : req.url.split('?')[0]);
  if (!existsSync(p)) return void res.writeHead(404).end();
  res.writeHead(200, { 'content-type': types[p.slice(p.lastIndexOf('.'))] ?? 'application/octet-stream' }).end(readFileSync(p));
}).listen(port, '127.0.0.1');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] });
const errors = [];
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => window.RESULT, null, { timeout: 240000 });
  const r = await page.evaluate(() => window.RESULT);
  const flat = (o) => [o.loss, ...o.logits0, ...o.losses, ...o.b0, ...o.full, ...o.dora];
  if (r.wasm.error || r.webgpu.error) throw new Error(JSON.stringify(r));
  const a = flat(r.wasm);
  const b = flat(r.webgpu);
  const rel = Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(1e-3, Math.abs(v))));
  console.log(`backends ${r.wasm.backend} / ${r.webgpu.backend}; max relative difference ${rel.toExponential(2)}; page errors: ${errors.length}`);
  if (rel > 1e-4 || errors.length || r.webgpu.backend !== 'webgpu') process.exitCode = 1;
} finally {
  await browser.close();
  server.close();
}
