// The per-dispatch parameters (WGSL `struct Params` in shaders/bindings.wgsl), described once:
// PARAM_FIELDS lists the fields in WGSL order with their scalar types, the encoder derives every
// offset from it, and tests/gpuParams.test.ts parses the WGSL struct and checks that its field
// names (snake_case of these) and types match this list exactly. All fields are 4-byte scalars,
// so field i sits at byte 4·i in both the WGSL uniform layout and the encoder.

import type { Activation } from '../../model/spec';

export type ParamType = 'u32' | 'f32';

export const PARAM_FIELDS = [
  ['seed', 'u32'], // key word 0 of the generated matrix
  ['stream', 'u32'], // key word 1
  ['layer', 'u32'], // the generator's layer coordinate
  ['transposed', 'u32'], // 1: multiply by Gᵀ (backward pass)
  ['gRows', 'u32'], // shape of the generated (or stored) matrix G
  ['gCols', 'u32'],
  ['lanes', 'u32'], // lanes handled by this dispatch
  ['laneBase', 'u32'], // first lane of this dispatch
  ['ld', 'u32'], // lanes per row of src and dst
  ['accumulate', 'u32'], // 1: dst += result; 0: dst = result
  ['useLaneMap', 'u32'], // 1: lane c reads lane_desc[desc_base + lane_base + c]
  ['descBase', 'u32'],
  ['alpha', 'f32'], // scale of the product
  ['uOffset', 'u32'], // rank-one Δ = u vᵀ: offsets of u and v in `vecs`
  ['vOffset', 'u32'],
  ['activation', 'u32'], // 0 identity, 1 tanh, 2 relu
  ['outRows', 'u32'], // rows of the product
  ['inner', 'u32'], // summed dimension
  ['kSplit', 'u32'], // product kernels: inner indices per workgroup z (split-K), 0 = all
  ['laneGroup', 'u32'], // rank-one kernels: lanes per direction
  ['outOffset', 'u32'], // first float of `scratch` a set-up kernel writes (norms, ξ rows)
  ['inOffset', 'u32'], // device set-up (setup.wgsl): first float of src a row kernel reads
  ['inStride', 'u32'], // floats between the rows it reads (0: every row reads the same one)
  ['normBase', 'u32'], // first float in dst of a request's per-layer norms² (one per layer)
  ['normCount', 'u32'], // perturbed layers of the request (global normalisation)
  ['normIndex', 'u32'], // this layer's slot among them
  ['scaleMode', 'u32'], // 0 unit rows, 1 per-layer normalisation, 2 global normalisation
  ['alphaFromVecs', 'u32'], // products: 1 multiplies alpha by vecs[alpha_index] (a device scale)
  ['alphaIndex', 'u32'],
  ['zOffset', 'u32'], // tilt_rows: first float in src of the rows' Gaussian vectors z
  ['angleOffset', 'u32'], // tilt_rows: first float in src of the rows' (cos θ, sin θ)
] as const satisfies readonly (readonly [string, ParamType])[];

export type ParamName = (typeof PARAM_FIELDS)[number][0];
export type DispatchParams = Partial<Record<ParamName, number>>;

/** Values of fields a dispatch leaves out (a product scales by 1; a direction owns ≥ 1 lane). */
const DEFAULTS: DispatchParams = { alpha: 1, laneGroup: 1 };

/** Bytes of one encoded Params struct. */
export const PARAMS_BYTES = 4 * PARAM_FIELDS.length;
/** Bytes per dispatch slot in the params buffer (minUniformBufferOffsetAlignment ≤ 256). */
export const PARAMS_SLOT = 256;

/** The WGSL name of a field: gRows → g_rows. */
export function wgslFieldName(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Writes `params` at byte `offset` of `view` in the layout of WGSL's Params. */
export function encodeParams(params: DispatchParams, view: DataView, offset: number): void {
  PARAM_FIELDS.forEach(([name, type], i) => {
    const value = params[name] ?? DEFAULTS[name] ?? 0;
    if (type === 'f32') view.setFloat32(offset + 4 * i, value, true);
    else view.setUint32(offset + 4 * i, value >>> 0, true);
  });
}

/** Params.activation: σ as activation.wgsl numbers it. */
export const ACTIVATION_CODE: Record<Activation, number> = { identity: 0, tanh: 1, relu: 2 };
