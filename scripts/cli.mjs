#!/usr/bin/env node
// `npm run cli -- <command> …` (docs/cli.md): bundles the TypeScript tool (src/cli/main.ts) and the
// CPU engine's shard worker with esbuild into node_modules/.cache/bottleneck-cli/, then runs it.
// The bundles are rebuilt when any file they were built from is newer (about 0.2 s), else reused.
// `webgpu` (Dawn) and `@resvg/resvg-js` are native addons, `wawoff2` an Emscripten module: left
// external, loaded from node_modules.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, 'node_modules/.cache/bottleneck-cli');
const bundles = {
  main: { entry: 'src/cli/main.ts', out: join(cache, 'main.mjs') },
  shardWorker: {
    entry: 'src/engine/cpu/shardWorker.node.ts',
    out: join(cache, 'shard-worker.mjs'),
  },
};
const inputsFile = join(cache, 'inputs.json');

/** Vite's `?raw` imports (the WGSL sources) become string modules. */
const rawText = {
  name: 'raw-text',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (args) => ({
      path: resolve(args.resolveDir, args.path.replace(/\?raw$/, '')),
      namespace: 'raw-text',
    }));
    b.onLoad({ filter: /.*/, namespace: 'raw-text' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'text',
      watchFiles: [args.path],
    }));
  },
};

/** True when both bundles exist and none of the files they came from changed since. */
function upToDate() {
  try {
    const built = Math.min(...Object.values(bundles).map((b) => statSync(b.out).mtimeMs));
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    return inputs.every((file) => statSync(join(root, file)).mtimeMs <= built);
  } catch {
    return false;
  }
}

/** Writes next to the target and renames, so concurrent runs never see half a bundle. */
function writeAtomic(path, contents) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, contents);
  renameSync(tmp, path);
}

async function buildBundles() {
  const { build } = await import('esbuild');
  mkdirSync(cache, { recursive: true });
  const inputs = new Set();
  for (const b of Object.values(bundles)) {
    const result = await build({
      entryPoints: [join(root, b.entry)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: b.out,
      write: false,
      metafile: true,
      absWorkingDir: root,
      external: ['webgpu', '@resvg/resvg-js', 'wawoff2'],
      plugins: [rawText],
      // Bundled CommonJS dependencies may call require().
      banner: {
        js: "import { createRequire as __cliRequire } from 'node:module'; const require = __cliRequire(import.meta.url);",
      },
      logLevel: 'warning',
    });
    // Paths relative to the root; the raw-text namespace's are absolute.
    for (const input of Object.keys(result.metafile.inputs)) {
      inputs.add(relative(root, resolve(root, input.replace(/^raw-text:/, ''))));
    }
    writeAtomic(b.out, result.outputFiles[0].contents);
  }
  writeAtomic(inputsFile, JSON.stringify([...inputs]));
}

if (!upToDate()) await buildBundles();
// `npm run` starts scripts in the package root: resolve --out where the user typed the command.
if (process.env.npm_lifecycle_event === 'cli' && process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}
const { main } = await import(pathToFileURL(bundles.main.out).href);
const code = await main(process.argv.slice(2), {
  root,
  shardWorker: bundles.shardWorker.out,
  cacheDir: cache,
});
process.exit(code);
