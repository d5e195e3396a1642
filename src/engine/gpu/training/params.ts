// The training kernels' per-dispatch parameters (WGSL `struct TrainParams` in
// shaders/train_bindings.wgsl), described once: every field a 4-byte scalar, field i at byte 4·i.
// tests/gpuTraining.test.ts parses the WGSL struct and checks it against this list.

export const TRAIN_PARAM_FIELDS = [
  ['rows', 'u32'],
  ['cols', 'u32'],
  ['lanes', 'u32'],
  ['xOff', 'u32'],
  ['yOff', 'u32'],
  ['hOff', 'u32'],
  ['dOff', 'u32'],
  ['partOff', 'u32'],
  ['alpha', 'f32'],
  ['beta', 'f32'],
  ['accumulate', 'u32'],
  ['activation', 'u32'],
  ['update', 'u32'],
  ['slopeOff', 'u32'],
  ['slopeLd', 'u32'],
  ['slopeDiv', 'u32'],
  ['splits', 'u32'],
  ['chunk', 'u32'],
  ['seed', 'u32'],
  ['stream', 'u32'],
  ['layer', 'u32'],
  ['useRef', 'u32'],
] as const satisfies readonly (readonly [string, 'u32' | 'f32'])[];

export type TrainParamName = (typeof TRAIN_PARAM_FIELDS)[number][0];
export type TrainParams = Partial<Record<TrainParamName, number>>;

/** Bytes per dispatch slot in a plan's uniform buffer (minUniformBufferOffsetAlignment ≤ 256). */
export const TRAIN_PARAMS_SLOT = 256;

const DEFAULTS: TrainParams = { alpha: 1, slopeDiv: 1, slopeLd: 1, splits: 1, chunk: 1 };

export function encodeTrainParams(params: TrainParams, view: DataView, offset: number): void {
  TRAIN_PARAM_FIELDS.forEach(([name, type], i) => {
    const value = params[name] ?? DEFAULTS[name] ?? 0;
    if (type === 'f32') view.setFloat32(offset + 4 * i, value, true);
    else view.setUint32(offset + 4 * i, value >>> 0, true);
  });
}
