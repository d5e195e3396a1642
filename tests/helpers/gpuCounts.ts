// Counts what an engine asks of WebGPU, by wrapping the prototypes of the `webgpu` package's
// classes (tests/helpers/nodeGpu.ts installs them as globals): submits, the two host waits
// (GPUQueue.onSubmittedWorkDone and GPUBuffer.mapAsync), dispatches, and the objects a warm
// recompute must not create (pipelines, shader modules, bind-group and pipeline layouts).

export interface GpuCounts {
  submits: number;
  workDone: number;
  maps: number;
  dispatches: number;
  pipelines: number;
  modules: number;
  layouts: number;
}

export interface GpuCounter {
  readonly counts: GpuCounts;
  /** Host waits: mapAsync and onSubmittedWorkDone together. */
  readonly waits: number;
  reset(): void;
  restore(): void;
}

const zero = (): GpuCounts => ({
  submits: 0,
  workDone: 0,
  maps: 0,
  dispatches: 0,
  pipelines: 0,
  modules: 0,
  layouts: 0,
});

/** Starts counting (call after nodeGpu(), which defines the classes); restore() stops. */
export function countGpuCalls(): GpuCounter {
  const counts = zero();
  const undo: (() => void)[] = [];
  // biome-ignore lint/suspicious/noExplicitAny: wrapping arbitrary prototype methods
  const wrap = (proto: any, name: string, field: keyof GpuCounts) => {
    const original = proto[name];
    if (typeof original !== 'function') return;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      counts[field]++;
      return original.apply(this, args);
    };
    undo.push(() => {
      proto[name] = original;
    });
  };
  wrap(GPUQueue.prototype, 'submit', 'submits');
  wrap(GPUQueue.prototype, 'onSubmittedWorkDone', 'workDone');
  wrap(GPUBuffer.prototype, 'mapAsync', 'maps');
  wrap(GPUComputePassEncoder.prototype, 'dispatchWorkgroups', 'dispatches');
  wrap(GPUDevice.prototype, 'createComputePipeline', 'pipelines');
  wrap(GPUDevice.prototype, 'createComputePipelineAsync', 'pipelines');
  wrap(GPUDevice.prototype, 'createShaderModule', 'modules');
  wrap(GPUDevice.prototype, 'createBindGroupLayout', 'layouts');
  wrap(GPUDevice.prototype, 'createPipelineLayout', 'layouts');
  return {
    counts,
    get waits() {
      return counts.maps + counts.workDone;
    },
    reset() {
      Object.assign(counts, zero());
    },
    restore() {
      for (const u of undo.reverse()) u();
      undo.length = 0;
    },
  };
}
