// A WebGPU implementation for Node: Dawn from the `webgpu` package, on whatever Vulkan driver the
// machine has (SwiftShader in CI, see scripts/vulkan-env.sh; a real GPU where there is one).
import { create, globals } from 'webgpu';

let gpu: GPU | undefined;

export function nodeGpu(): GPU {
  if (!gpu) {
    Object.assign(globalThis, globals);
    gpu = create([]) as GPU;
  }
  return gpu;
}
