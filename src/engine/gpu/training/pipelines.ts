// The training kernels and their pipelines: one WGSL module (random.wgsl for the Philox fill,
// train_bindings.wgsl, train_products.wgsl, train_misc.wgsl), one bind group layout.

import randomWgsl from '../../../../shaders/random.wgsl?raw';
import bindingsWgsl from '../../../../shaders/train_bindings.wgsl?raw';
import miscWgsl from '../../../../shaders/train_misc.wgsl?raw';
import productsWgsl from '../../../../shaders/train_products.wgsl?raw';

export const TRAIN_KERNELS = [
  'train_forward',
  'train_forward_narrow',
  'train_backward',
  'train_reduce',
  'train_update',
  'train_fill',
  'train_residual',
  'train_sample_gram',
  'train_kernel_gram',
  'train_square_distance',
] as const;
export type TrainKernel = (typeof TRAIN_KERNELS)[number];

/** Sizes fixed in train_bindings.wgsl (kept equal by hand; the test file checks them). */
export const TRAIN_SIZES = {
  /** Threads of the product workgroups. */
  wg: 64,
  /** Forward: rows per workgroup. */
  rows: 4,
  /** Lanes per product thread; the fused backward-and-update needs N ≤ this. */
  lanes: 8,
  /** Forward products with at most this many columns use the thread-per-row kernel. */
  narrowCols: 64,
  /** Squared distance: elements per workgroup (RED × RED_ITEMS). */
  distanceChunk: 256 * 16,
} as const;

export const TRAIN_WGSL = `${randomWgsl}\n${bindingsWgsl}\n${productsWgsl}\n${miscWgsl}`;

export interface TrainPipelines {
  layout: GPUBindGroupLayout;
  pipeline: Record<TrainKernel, GPUComputePipeline>;
}

export async function buildTrainPipelines(device: GPUDevice): Promise<TrainPipelines> {
  const layout = device.createBindGroupLayout({
    label: 'GpuTrainer.layout',
    entries: [
      {
        binding: 0,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: 'uniform', hasDynamicOffset: true },
      },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
      { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'storage' } },
      { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: { type: 'read-only-storage' } },
    ],
  });
  const pipelineLayout = device.createPipelineLayout({
    label: 'GpuTrainer.pipelineLayout',
    bindGroupLayouts: [layout],
  });
  const module = device.createShaderModule({ label: 'GpuTrainer.module', code: TRAIN_WGSL });
  const built = await Promise.all(
    TRAIN_KERNELS.map((name) =>
      device.createComputePipelineAsync({
        label: `GpuTrainer.pipeline.${name}`,
        layout: pipelineLayout,
        compute: { module, entryPoint: name },
      }),
    ),
  );
  const pipeline = Object.fromEntries(TRAIN_KERNELS.map((name, i) => [name, built[i]]));
  return { layout, pipeline: pipeline as Record<TrainKernel, GPUComputePipeline> };
}
