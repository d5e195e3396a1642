// Bindings shared by every engine kernel (src/engine/gpu/pipelines.ts builds the layouts).
// Hidden states are row-major f32 matrices of shape rows × ld: one column per lane (a polynomial
// coefficient or a value of t, for every direction of the batch).
//
// Params mirrors PARAM_FIELDS in src/engine/gpu/params.ts field for field (every field a 4-byte
// scalar, so field i is at byte 4·i); tests/gpuParams.test.ts checks names, order and types.

struct Params {
  seed: u32,          // key word 0 of the generated matrix
  stream: u32,        // key word 1
  layer: u32,         // generator's layer coordinate
  transposed: u32,    // 1: multiply by Gᵀ (backward pass)
  g_rows: u32,        // shape of the generated (or stored) matrix G
  g_cols: u32,
  lanes: u32,         // lanes handled by this dispatch
  lane_base: u32,     // first lane of this dispatch
  ld: u32,            // lanes per row of src and dst (leading dimension)
  accumulate: u32,    // 1: dst += result; 0: dst = result
  use_lane_map: u32,  // 1: lane c reads lane_desc[desc_base + lane_base + c]; 0: reads itself
  desc_base: u32,
  alpha: f32,         // scale of the product: s_ℓ, or s_ℓ · (scale of Δ)
  u_offset: u32,      // rank-one Δ = u vᵀ: offsets of u and v in `vecs`
  v_offset: u32,
  activation: u32,    // 0 identity, 1 tanh, 2 relu
  out_rows: u32,      // rows of the product (g_rows, or g_cols when transposed)
  inner: u32,         // summed dimension
  k_split: u32,       // product kernels: inner indices per workgroup z (split-K), 0 = all
  lane_group: u32,    // rank-one kernels: lanes per direction (direction = lane / lane_group)
  out_offset: u32,    // set-up kernels: first float of scratch (setup.wgsl: of dst) they write
  in_offset: u32,     // setup.wgsl: first float of src a row kernel reads
  in_stride: u32,     // setup.wgsl: floats between the rows it reads (0: all read one row)
  norm_base: u32,     // setup.wgsl: first float in dst of a request's per-layer norms²
  norm_count: u32,    // setup.wgsl: perturbed layers of the request
  norm_index: u32,    // setup.wgsl: this layer's slot among them
  scale_mode: u32,    // setup.wgsl: 0 unit rows, 1 per-layer, 2 global normalisation
  alpha_from_vecs: u32, // products: 1 multiplies alpha by vecs[alpha_index]
  alpha_index: u32,   //   (a dense direction's scale, made on the device by setup.wgsl)
  z_offset: u32,      // setup.wgsl tilt_rows: first float in src of the rows' z vectors
  angle_offset: u32,  // setup.wgsl tilt_rows: first float in src of the rows' (cos θ, sin θ)
}

// Which lane a lane reads through Δ, and with which weight (t on a grid, 1 for polynomials).
struct LaneDesc {
  source: i32,        // global lane, or -1: contributes nothing
  weight: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src_buf: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst_buf: array<f32>;
@group(0) @binding(3) var<storage, read> lane_desc: array<LaneDesc>;
@group(0) @binding(4) var<storage, read> vecs: array<f32>;
@group(0) @binding(5) var<storage, read_write> scratch: array<f32>;
// A stored matrix G (g_rows × g_cols) for stored_matmul: row r is quads r·⌈g_cols/4⌉ … of four
// consecutive entries, the last quad of a row zero-padded (store_fill.wgsl writes it).
@group(1) @binding(0) var<storage, read> weights: array<vec4<f32>>;

// Tile and workgroup sizes, all set from src/engine/gpu/tiles.ts (no defaults here on purpose).
override TILE_ROWS: u32;        // rows of Y per product workgroup
override TILE_LANES: u32;       // lanes of Y per product workgroup
override TILE_K: u32;           // inner indices per product step (a multiple of 4)
override ELEMENT_LANES: u32;    // element-wise kernels: lanes per workgroup
override ROWS_PER_THREAD: u32;  // element-wise kernels: consecutive rows per thread
override REDUCE_THREADS: u32;   // tree reductions: threads per workgroup (a power of two)

// The scale of a product: alpha, times vecs[alpha_index] when alpha_from_vecs (the scale of a
// dense Gaussian direction, 1/‖G‖_F or its global share, computed on the device).
fn product_alpha() -> f32 {
  if (p.alpha_from_vecs != 0u) {
    return p.alpha * vecs[p.alpha_index];
  }
  return p.alpha;
}

// Source column and weight of lane c (relative to lane_base) for this dispatch.
fn lane_source(c: u32) -> LaneDesc {
  if (p.use_lane_map == 0u) {
    return LaneDesc(i32(p.lane_base + c), 1.0);
  }
  return lane_desc[p.desc_base + p.lane_base + c];
}

// Element-wise kernels (activation, rank-one update, split-K reduction, store fill) give each
// thread one lane (or quad) and ROWS_PER_THREAD consecutive rows: x runs over lanes (consecutive
// addresses across a warp), y over row blocks. Fewer, fuller workgroups than one thread per
// element, which matters on software adapters where each workgroup has a fixed cost.
