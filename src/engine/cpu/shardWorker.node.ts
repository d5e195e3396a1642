// Entry of a CPU shard executor in a Node worker thread (started by nodeShards.ts). Bundled to
// plain JavaScript before use (bench/build.mjs, tests/helpers/cpuPool.ts): Node threads do not
// run TypeScript.
import { parentPort } from 'node:worker_threads';
import { ShardExecutor } from './executor';
import type { ToShard } from './protocol';

if (!parentPort) throw new Error('shardWorker.node must run in a worker thread');
const port = parentPort;
const executor = new ShardExecutor((message, transfer) =>
  port.postMessage(message, (transfer ?? []) as ArrayBuffer[]),
);
port.on('message', (message: ToShard) => executor.receive(message));
