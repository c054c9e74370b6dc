// @ts-check
import { defineConfig } from 'astro/config';
import mdx from '@astrojs/mdx';
import remarkMath from 'remark-math';
import rehypeKatex from 'rehype-katex';
import remarkEquationNumbers from './src/lib/remark-equation-numbers.ts';
import rehypeHeadingAnchors from './src/lib/rehype-heading-anchors.ts';
import { site } from './src/config/site.ts';
import serviceWorker from './src/lib/service-worker-integration.ts';

// Cross-origin isolation lets onnxruntime-web use WASM threads (SharedArrayBuffer) on
// `astro dev` and `astro preview`. Static hosts (GitHub Pages…) usually cannot send these
// headers; there the service worker (src/sw/) adds them, and without one the demos fall back
// to single-threaded WASM. See README.md.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * The engine's browser-test harness (src/lab/engine.astro at /lab/engine/) is built only for
 * the tests (ENGINE_LAB=1, set by `npm run test:e2e`): the site readers get has no test page.
 * @type {import('astro').AstroIntegration}
 */
const engineLab = {
  name: 'engine-lab',
  hooks: {
    'astro:config:setup': ({ injectRoute }) => {
      if (process.env.ENGINE_LAB === '1') injectRoute({ pattern: '/lab/engine', entrypoint: './src/lab/engine.astro' });
    },
  },
};

export default defineConfig({
  site: site.url,
  base: site.base,
  trailingSlash: 'always',
  // SITE_OUT_DIR lets a second checkout user build without clobbering dist/ (tests read it too).
  outDir: process.env.SITE_OUT_DIR ?? './dist',
  // Astro's cache (content data store) per checkout, not in node_modules/.astro: checkouts that
  // share one node_modules (git worktrees) would otherwise overwrite each other's content index.
  cacheDir: './.astro/cache',
  build: { format: 'directory' },
  server: { headers: isolationHeaders },
  markdown: {
    // Order matters: equations are numbered and \label/\eqref resolved before KaTeX typesets.
    remarkPlugins: [remarkMath, remarkEquationNumbers],
    rehypePlugins: [rehypeKatex, rehypeHeadingAnchors],
    shikiConfig: {
      // Both themes are emitted; CSS picks one from the site's colour scheme (global.css).
      themes: { light: 'github-light-default', dark: 'github-dark-default' },
      defaultColor: false,
      wrap: false,
    },
  },
  // serviceWorker writes dist/sw.js (offline use, and COOP/COEP where the host sends none).
  integrations: [mdx(), serviceWorker(), engineLab],
  vite: {
    // onnxruntime-web ships its own WASM loader; pre-bundling breaks its relative imports.
    optimizeDeps: { exclude: ['onnxruntime-web'] },
    // Module workers (the demo engine runs in one); IIFE cannot code-split.
    // Worker assets are named like the page's (`name.hash.ext`), so the wasm binaries that the
    // worker and the engine's harness page (/lab/engine/, test builds only) both load are written once, not twice.
    worker: {
      format: 'es',
      rollupOptions: { output: { assetFileNames: '_astro/[name].[hash][extname]', chunkFileNames: '_astro/[name].[hash].js' } },
    },
    build: {
      // Keep page scripts as files instead of inlining small ones: inlined chunks skip Vite's
      // dynamic-import rewriting (search's import() of pagefind.js broke), and files suit a CSP.
      assetsInlineLimit: (file) => (file.endsWith('.js') ? false : undefined),
    },
  },
});
