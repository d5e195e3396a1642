// Several requests through one engine: its batch method when it has one (the GPU engine records
// them into as few submissions as it can), one polynomial()/grid() call after another otherwise.

import type { BatchRequest, BatchResult, Engine, RunOptions } from './types';

/**
 * Answers `requests` in order. Without Engine.batch, request i reports progress over
 * [i/n, (i+1)/n] with its own stage names, so a caller can tell which request is running.
 */
export async function runRequests(
  engine: Engine,
  requests: BatchRequest[],
  options: RunOptions = {},
): Promise<BatchResult[]> {
  if (engine.batch) return engine.batch(requests, options);
  const results: BatchResult[] = [];
  for (const [i, r] of requests.entries()) {
    const sub: RunOptions = {
      signal: options.signal,
      onProgress: (fraction, stage) =>
        options.onProgress?.((i + fraction) / requests.length, stage),
    };
    results.push(
      r.kind === 'polynomial'
        ? { kind: 'polynomial', result: await engine.polynomial(r.request, sub) }
        : { kind: 'grid', result: await engine.grid(r.request, sub) },
    );
  }
  return results;
}
