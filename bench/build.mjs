// Bundles the benchmark into one self-contained ESM file (bench/dist/engine-bench.mjs) so it can
// run where node_modules cannot travel (a lent GPU machine). `webgpu` stays external: it loads
// its native dawn.node from its own package folder.
import { readFile } from 'node:fs/promises';
import { build } from 'esbuild';

const rawText = {
  name: 'raw-text',
  setup(b) {
    // Vite's `?raw` imports (the WGSL sources) become string modules.
    b.onResolve({ filter: /\?raw$/ }, async (args) => ({
      path: new URL(args.path.replace(/\?raw$/, ''), `file://${args.resolveDir}/`).pathname,
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
};
// The CPU engine's shard executor, started by the benchmark as worker threads.
await build({
  ...common,
  entryPoints: ['src/engine/cpu/shardWorker.node.ts'],
  outfile: 'bench/dist/shard-worker.mjs',
});
await build({
  ...common,
  entryPoints: ['bench/engine-bench.ts'],
  outfile: 'bench/dist/engine-bench.mjs',
  external: ['webgpu'],
  plugins: [rawText],
});
await build({
  ...common,
  entryPoints: ['bench/train-bench.ts'],
  outfile: 'bench/dist/train-bench.mjs',
  external: ['webgpu'],
  plugins: [rawText],
});
console.log('built bench/dist/engine-bench.mjs, train-bench.mjs and shard-worker.mjs');
await build({
  ...common,
  entryPoints: ['bench/degree-verdict.ts'],
  outfile: 'bench/dist/degree-verdict.mjs',
  external: ['webgpu'],
  plugins: [rawText],
});
