// Bindings and sizes shared by the training kernels (src/engine/gpu/training/). States live in one
// arena buffer as row-major rows × lanes blocks at float offsets; a weight matrix (out × in,
// row-major, unpadded, raw N(0,1) entries) is bound as `mat`, and a second one as `mat_ref` where a
// kernel compares two (the distance of W to W_0). TrainParams mirrors TRAIN_PARAM_FIELDS in
// src/engine/gpu/training/params.ts field for field (every field a 4-byte scalar).

struct TrainParams {
  rows: u32,        // rows of the matrix (out), or of the state a kernel walks
  cols: u32,        // columns of the matrix (in)
  lanes: u32,       // columns of the states (N), their leading dimension
  x_off: u32,       // arena offset of the input state
  y_off: u32,       // arena offset of the output state
  h_off: u32,       // update: the layer input h (cols × lanes); grams: the sample Gram
  d_off: u32,       // update: δ (rows × lanes)
  part_off: u32,    // arena offset of split partials
  alpha: f32,       // product scale
  beta: f32,        // update factor: W += beta · δ hᵀ
  accumulate: u32,  // 1: y += result
  activation: u32,  // 0 identity, 1 tanh, 2 relu
  update: u32,      // backward product: 1 also updates mat in place (fused)
  slope_off: u32,   // reduce: arena offset of σ's outputs (for σ')
  slope_ld: u32,    // their leading dimension
  slope_div: u32,   // lane c reads σ's output column c / slope_div
  splits: u32,      // backward product: row chunks
  chunk: u32,       // rows per chunk
  seed: u32,        // fill: key of the generator
  stream: u32,
  layer: u32,
  use_ref: u32,     // squared distance: 1 subtracts mat_ref
}

@group(0) @binding(0) var<uniform> p: TrainParams;
@group(0) @binding(1) var<storage, read_write> arena: array<f32>;
@group(0) @binding(2) var<storage, read_write> mat: array<f32>;
@group(0) @binding(3) var<storage, read> mat_ref: array<f32>;

const WG: u32 = 64u;        // threads of the product workgroups
const ROWS: u32 = 4u;       // forward: rows per workgroup
const LT: u32 = 8u;         // lanes per product thread (z tiles the rest)
const NARROW_COLS: u32 = 64u; // forward: thread-per-row kernel up to this many columns
const RED: u32 = 256u;      // threads of the squared-distance reduction
const RED_ITEMS: u32 = 16u; // elements per thread there

fn slope_from_output(kind: u32, h: f32) -> f32 {
  if (kind == 1u) {
    return 1.0 - h * h;
  }
  if (kind == 2u) {
    return select(0.0, 1.0, h > 0.0);
  }
  return 1.0;
}

fn activate(kind: u32, v: f32) -> f32 {
  if (kind == 1u) {
    return tanh(v);
  }
  if (kind == 2u) {
    return max(v, 0.0);
  }
  return v;
}
