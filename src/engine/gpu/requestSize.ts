// What a request would allocate, checked against the device's limits before anything is
// allocated: a request that cannot fit is refused with EngineError('too-large') naming the width
// and the limit, instead of failing halfway through its set-up.

import type { DirectionRequest } from '../../model/directions';
import { type NetworkSpec, planLayers } from '../../model/spec';
import { EngineError } from '../types';
import { formatBytes, storageLimit } from './device';

function largestWidth(spec: NetworkSpec): number {
  return Math.max(spec.inputSize, ...planLayers(spec).map((l) => l.outSize));
}

function refuse(what: string, bytes: number, limits: GPUSupportedLimits): never {
  const limit = storageLimit(limits);
  throw new EngineError(
    'too-large',
    `${what} needs ${formatBytes(bytes)}, over this device's ${limit.name} of ${formatBytes(limit.bytes)}`,
  );
}

/**
 * Bytes one direction needs in the lane pass's per-lane buffers (the hidden state, or the lane
 * descriptors when every layer is 1 wide), refused past the device's limit. Directions are then
 * batched so that a batch's buffers stay under STATE_BUFFER_BUDGET; a single direction may use up
 * to the device's limit.
 */
export function checkLanePass(
  limits: GPUSupportedLimits,
  spec: NetworkSpec,
  lanes: number,
): { perDirectionBytes: number } {
  const width = largestWidth(spec);
  // The lane descriptors (8 bytes a lane) outweigh the state only when every layer is 1 wide.
  const perDirectionBytes = Math.max(width * 4, 8) * lanes;
  if (width * lanes * 4 > storageLimit(limits).bytes) {
    refuse(
      `Width m = ${width} with ${lanes} lanes per direction: the ${width} × ${lanes} float32 state`,
      width * lanes * 4,
      limits,
    );
  }
  return { perDirectionBytes };
}

/** Every buffer a request sizes from its spec, refused before set-up when one cannot fit. */
export function checkRequest(
  limits: GPUSupportedLimits,
  spec: NetworkSpec,
  directions: DirectionRequest,
  lanes: number,
): void {
  checkLanePass(limits, spec, lanes);
  const width = largestWidth(spec);
  const max = storageLimit(limits).bytes;
  if (directions.family !== 'gaussian') {
    // Forward (and backward) trace: one column per input, gradient directions one input each.
    const inputs = directions.family === 'gradient' ? directions.count : 1;
    if (width * inputs * 4 > max) {
      refuse(
        `Width m = ${width}: the ${width} × ${inputs} forward trace`,
        width * inputs * 4,
        limits,
      );
    }
  }
  const family = directions.family;
  if (family === 'aligned' || family === 'tilted' || family === 'chained') {
    if (width * directions.count * 4 > max) {
      refuse(
        `Width m = ${width}: the ${directions.count} ξ vectors of length ${width}`,
        width * directions.count * 4,
        limits,
      );
    }
  }
}
