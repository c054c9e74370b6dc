import { defineConfig } from 'vitest/config';

// Unit tests of the engine (demos/) and of build-time plugins (src/lib). Node only:
// onnxruntime-web runs on its WASM CPU backend here.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['demos/**/*.test.ts', 'src/**/*.test.ts', 'tests/unit/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
