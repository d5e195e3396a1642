// Shard executors as Web Workers (the browser's threads); the compute worker starts them.

import type { ShardSpawner } from './pool';
import type { FromShard, ToShard } from './protocol';

export const browserShardSpawner: ShardSpawner = (index, onMessage, onError) => {
  const worker = new Worker(new URL('./shardWorker.ts', import.meta.url), {
    type: 'module',
    name: `cpu-shard-${index}`,
  });
  worker.onmessage = (event: MessageEvent<FromShard>) => onMessage(event.data);
  worker.onerror = (event) => {
    event.preventDefault();
    onError(event.message || 'the worker failed to start');
  };
  return {
    post: (message: ToShard, transfer?: Transferable[]) =>
      worker.postMessage(message, transfer ?? []),
    terminate: () => worker.terminate(),
  };
};
