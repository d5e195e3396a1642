// The kernel table: which WGSL file and entry point each kernel is, with which override
// constants, and the compute pipelines built from it once per device. To add a kernel, add a row
// here and a planner for its dispatch (products.ts, or next to its caller).

import activationWgsl from '../../../shaders/activation.wgsl?raw';
import bindingsWgsl from '../../../shaders/bindings.wgsl?raw';
import generatedMatmulWgsl from '../../../shaders/generated_matmul.wgsl?raw';
import normsWgsl from '../../../shaders/norms.wgsl?raw';
import randomWgsl from '../../../shaders/random.wgsl?raw';
import rankOneWgsl from '../../../shaders/rank_one.wgsl?raw';
import reduceWgsl from '../../../shaders/reduce.wgsl?raw';
import reduceSplitsWgsl from '../../../shaders/reduce_splits.wgsl?raw';
import setupWgsl from '../../../shaders/setup.wgsl?raw';
import storeFillWgsl from '../../../shaders/store_fill.wgsl?raw';
import storedMatmulWgsl from '../../../shaders/stored_matmul.wgsl?raw';
import { tileConstants, WIDE_TILE_LANES } from './tiles';

interface KernelDef {
  source: string;
  /** Entry point, when it differs from the kernel's name. */
  entry?: string;
  /** Override constants on top of tileConstants() (TILE_LANES for the wide variants). */
  constants?: Record<string, number>;
}

const wide = tileConstants(WIDE_TILE_LANES);
/** The modules that sum over rows get the shared tree reduction (reduce.wgsl: workgroup_sum). */
const reducing = (source: string) => `${reduceWgsl}\n${source}`;
const norms = reducing(normsWgsl);
const rankOne = reducing(rankOneWgsl);
const setup = reducing(setupWgsl);

export const KERNELS = {
  generated_matmul: { source: generatedMatmulWgsl },
  generated_matmul_wide: {
    source: generatedMatmulWgsl,
    entry: 'generated_matmul',
    constants: wide,
  },
  stored_matmul: { source: storedMatmulWgsl },
  stored_matmul_wide: { source: storedMatmulWgsl, entry: 'stored_matmul', constants: wide },
  reduce_splits: { source: reduceSplitsWgsl },
  store_fill: { source: storeFillWgsl },
  lane_dots: { source: rankOne },
  rank_one_update: { source: rankOne },
  activate: { source: activationWgsl },
  dense_norm_squared: { source: norms },
  gaussian_rows: { source: norms },
  generator_words: { source: norms },
  sum_squares: { source: setup },
  scaled_unit_rows: { source: setup },
  partial_sum: { source: setup },
  dense_scale: { source: setup },
  tilt_rows: { source: setup },
} satisfies Record<string, KernelDef>;

export type KernelName = keyof typeof KERNELS;

/** Pipelines and the two bind group layouts they share. */
export interface Pipelines {
  /** Group 0: params (dynamic offset), src, dst, lane_desc, vecs, scratch (bindings.wgsl). */
  layout: GPUBindGroupLayout;
  /** Group 1: one stored matrix, read by stored_matmul. */
  weightsLayout: GPUBindGroupLayout;
  pipeline: Record<KernelName, GPUComputePipeline>;
}

/**
 * Builds every pipeline, compiling them concurrently (createComputePipelineAsync: the driver may
 * compile on several threads, and a browser worker is not blocked meanwhile). Each WGSL file
 * becomes one module, prefixed with random.wgsl and bindings.wgsl (and reduce.wgsl for those
 * that sum over rows). Rejects with the first compilation or validation error.
 */
export async function buildPipelines(device: GPUDevice): Promise<Pipelines> {
  const storage = (type: GPUBufferBindingType): GPUBindGroupLayoutEntry['buffer'] => ({ type });
  const layout = device.createBindGroupLayout({
    label: 'GpuEngine.layout',
    entries: [
      {
        binding: 0,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: 'uniform', hasDynamicOffset: true },
      },
      { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: storage('read-only-storage') },
      { binding: 2, visibility: GPUShaderStage.COMPUTE, buffer: storage('storage') },
      { binding: 3, visibility: GPUShaderStage.COMPUTE, buffer: storage('read-only-storage') },
      { binding: 4, visibility: GPUShaderStage.COMPUTE, buffer: storage('read-only-storage') },
      { binding: 5, visibility: GPUShaderStage.COMPUTE, buffer: storage('storage') },
    ],
  });
  const weightsLayout = device.createBindGroupLayout({
    label: 'GpuEngine.weightsLayout',
    entries: [
      { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: storage('read-only-storage') },
    ],
  });
  const pipelineLayout = device.createPipelineLayout({
    label: 'GpuEngine.pipelineLayout',
    bindGroupLayouts: [layout, weightsLayout],
  });
  const modules = new Map<string, GPUShaderModule>();
  const moduleFor = (source: string, name: string): GPUShaderModule => {
    let module = modules.get(source);
    if (!module) {
      module = device.createShaderModule({
        label: `GpuEngine.module.${name}`,
        code: `${randomWgsl}\n${bindingsWgsl}\n${source}`,
      });
      modules.set(source, module);
    }
    return module;
  };
  const entries = Object.entries(KERNELS) as [KernelName, KernelDef][];
  const built = await Promise.all(
    entries.map(([name, def]) =>
      device.createComputePipelineAsync({
        label: `GpuEngine.pipeline.${name}`,
        layout: pipelineLayout,
        compute: {
          module: moduleFor(def.source, name),
          entryPoint: def.entry ?? name,
          constants: def.constants ?? tileConstants(),
        },
      }),
    ),
  );
  const pipeline = Object.fromEntries(entries.map(([name], i) => [name, built[i]]));
  return { layout, weightsLayout, pipeline: pipeline as Record<KernelName, GPUComputePipeline> };
}
