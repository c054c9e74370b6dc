import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

/**
 * End-to-end tests run against the built site (`astro preview`) in Debian's Chromium.
 * Browsers cannot be downloaded here: set CHROMIUM_PATH, or /usr/bin/chromium is used.
 */
const chromium = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!chromium) throw new Error('No Chromium found: install Debian\'s "chromium" package or set CHROMIUM_PATH.');

const PORT = Number(process.env.PORT ?? 4322);
const baseArgs = [
  '--no-sandbox',
  '--disable-gpu-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const webgpuArgs = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader', '--enable-features=Vulkan'];

export default defineConfig({
  testDir: 'tests/e2e',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    // The site's service worker keeps every file a page uses (the wasm included) in Cache
    // Storage. Each test has a fresh context, so letting it install everywhere would copy what
    // each test uses once more; the tests that are about it (offline.spec.ts, embedding) allow it.
    serviceWorkers: 'block',
    launchOptions: { executablePath: chromium, args: baseArgs },
  },
  projects: [
    // The site shell: chapters, math, links, search, accessibility. Backend-independent.
    { name: 'site', testDir: 'tests/e2e/site' },
    // The engine and demos on onnxruntime-web's WASM backend.
    { name: 'wasm', testDir: 'tests/e2e/demos', metadata: { backend: 'wasm' } },
    // The same on WebGPU, in software (SwiftShader): slow, so tests use small sizes, and only
    // what depends on the backend runs here (every demo to completion, the engine against
    // WASM, cancel, what is downloaded). Controls, URL state, validation messages, axe and
    // the no-JavaScript figures are the same page code on either backend: the wasm project
    // covers them.
    {
      name: 'webgpu',
      testDir: 'tests/e2e/demos',
      metadata: { backend: 'webgpu' },
      grepInvert: /URL state round-trips|bad input|URL can carry bad values|diverging run|axe finds|without JavaScript/,
      use: { launchOptions: { executablePath: chromium, args: [...baseArgs, ...webgpuArgs] } },
    },
  ],
  webServer: {
    command: `npx astro preview --host 127.0.0.1 --port ${PORT}`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: !process.env.CI,
    timeout: 60_000,
  },
});
