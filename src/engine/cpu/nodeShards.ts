// Shard executors as Node worker threads, running a bundled shardWorker.node.ts (`script`).
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ShardSpawner } from './pool';
import type { FromShard, ToShard } from './protocol';

export function nodeShardSpawner(script: string | URL): ShardSpawner {
  return (index, onMessage, onError) => {
    const worker = new Worker(script, { name: `cpu-shard-${index}` });
    worker.on('message', (message: FromShard) => onMessage(message));
    worker.on('error', (error: Error) => onError(error.message));
    worker.on('exit', (code) => {
      if (code !== 0) onError(`worker exited with code ${code}`);
    });
    // Idle workers must not keep a command-line process alive; busy ones must.
    worker.unref();
    return {
      post: (message: ToShard, transfer?: Transferable[]) =>
        worker.postMessage(message, (transfer ?? []) as ArrayBuffer[]),
      hold: (busy: boolean) => (busy ? worker.ref() : worker.unref()),
      terminate: () => {
        worker.removeAllListeners('exit');
        void worker.terminate();
      },
    };
  };
}

/** One executor per core. */
export function nodeCores(): number {
  return availableParallelism();
}
