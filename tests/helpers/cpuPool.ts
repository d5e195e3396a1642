// Node worker threads for the CPU engine in tests: bundles src/engine/cpu/shardWorker.node.ts
// once with esbuild (worker threads cannot load TypeScript) and returns a spawner for it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { nodeShardSpawner } from '../../src/engine/cpu/nodeShards';
import type { ShardSpawner } from '../../src/engine/cpu/pool';

let script: string | null = null;

export function shardWorkerScript(): string {
  if (!script) {
    const out = join(mkdtempSync(join(tmpdir(), 'cpu-shards-')), 'shard-worker.mjs');
    buildSync({
      entryPoints: [new URL('../../src/engine/cpu/shardWorker.node.ts', import.meta.url).pathname],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: out,
      logLevel: 'warning',
    });
    script = out;
  }
  return script;
}

export function testShardSpawner(): ShardSpawner {
  return nodeShardSpawner(shardWorkerScript());
}
