// Specifications shared by the tests and the benchmark.
import type { DirectionRequest } from '../../src/model/directions';
import type { Activation, ActivationPlacement, NetworkSpec } from '../../src/model/spec';

/** The paper's Figure 1 network: d = k = r = 1, L_1 = L_2 = 2, widths [1, m, 1, m, 1]. */
export function figure1Spec(
  width = 10_000,
  activation: Activation = 'identity',
  placement: ActivationPlacement = 'none',
): NetworkSpec {
  return {
    blocks: [
      { layers: 2, width },
      { layers: 2, width },
    ],
    inputSize: 1,
    bottleneckWidths: [1],
    outputSize: 1,
    activation,
    placement,
    seed: 2024,
  };
}

export function deepSpec(width: number, layersPerBlock = 3): NetworkSpec {
  return {
    blocks: [
      { layers: layersPerBlock, width },
      { layers: layersPerBlock, width },
    ],
    inputSize: 4,
    bottleneckWidths: [2],
    outputSize: 2,
    activation: 'identity',
    placement: 'none',
    seed: 77,
  };
}

export function directions(
  family: DirectionRequest['family'],
  blockMask: boolean[],
  count = 5,
  normalisation: DirectionRequest['normalisation'] = 'per-layer',
): DirectionRequest {
  return { family, normalisation, blockMask, count, seed: 99, outputIndex: 0 };
}
