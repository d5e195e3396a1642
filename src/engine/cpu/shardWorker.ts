// Entry of a CPU shard executor in a browser Web Worker (started by browserShards.ts).
/// <reference lib="webworker" />
import { ShardExecutor } from './executor';
import type { ToShard } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const executor = new ShardExecutor((message, transfer) =>
  self.postMessage(message, transfer ?? []),
);
self.onmessage = (event: MessageEvent<ToShard>) => executor.receive(event.data);
