// The WebGPU trainer (Trainer in float32 WGSL kernels). One file per part:
//   gpuTrainer.ts  GpuTrainer: the models' forward/backward passes, plans, submits, read-backs
//   layout.ts      the state arena's regions, split sizes and the up-front memory check
//   pipelines.ts   the training kernels (shaders/train_*.wgsl) and their pipelines
//   params.ts      TrainParams field list and encoder (mirrors shaders/train_bindings.wgsl)

export { GpuTrainer, type GpuTrainerOptions } from './gpuTrainer';
export { GPU_TRAINING_BUDGET_BYTES } from './layout';
