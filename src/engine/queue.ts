// One request at a time per engine. An engine owns shared state (the GPU engine's named buffers
// and split-K scratch, the CPU engine's shard workers), so a figure and an analysis started
// together must not interleave: each request waits for the one before it. A request whose signal
// is aborted while it waits never starts.

import { throwIfAborted } from './types';

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `job` after every job queued before it has settled (resolved or rejected). */
  run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const result = this.tail.then(
      () => {
        throwIfAborted(signal);
        return job();
      },
      () => {
        throwIfAborted(signal);
        return job();
      },
    );
    this.tail = result.catch(() => undefined);
    return result;
  }
}
