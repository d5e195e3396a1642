import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// One config for the app (Vite), the unit and GPU tests (Vitest, Node) and the worker bundle.
export default defineConfig({
  // Relative asset URLs: one build works wherever its folder is served (a sub-path, a file
  // share, a static host). `vite build --base /course/demo/` still overrides it (docs/deploy.md).
  base: './',
  plugins: [react()],
  server: { port: 5173, strictPort: false, fs: { allow: ['.'] } },
  preview: { port: 4173 },
  worker: { format: 'es' },
  // three.js alone is ~560 kB minified; it is loaded lazily with the surface view.
  build: { target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 700 },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // GPU tests share one Dawn instance per file; run files one after another on 2 cores.
    fileParallelism: false,
  },
});
