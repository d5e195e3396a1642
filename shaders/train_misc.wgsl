// Small training kernels: W_0 from Philox on the device, the residual, Gram products for the
// tangent kernel, and squared distances ‖W − W_0‖² as per-workgroup partial sums.

// W_0 of layer `layer`: row r, quad q from gaussian_quad (random.wgsl), unpadded rows of `cols`.
@compute @workgroup_size(64)
fn train_fill(@builtin(global_invocation_id) gid: vec3<u32>) {
  let q = gid.x;
  let r = gid.y + gid.z * 65535u;
  if (q * 4u >= p.cols || r >= p.rows) {
    return;
  }
  let v = gaussian_quad(p.seed, p.stream, p.layer, r, q);
  for (var e = 0u; e < 4u; e++) {
    let col = q * 4u + e;
    if (col < p.cols) {
      mat[r * p.cols + col] = v[e];
    }
  }
}

// y = x − h over rows × lanes entries (f(X) − Y).
@compute @workgroup_size(64)
fn train_residual(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i < p.rows * p.lanes) {
    arena[p.y_off + i] = arena[p.x_off + i] - arena[p.h_off + i];
  }
}

// The samples' Gram of H (rows × lanes): y[i, j] = Σ_r H[r, i] H[r, j], r in order.
@compute @workgroup_size(8, 8)
fn train_sample_gram(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y;
  let j = gid.x;
  if (i >= p.lanes || j >= p.lanes) {
    return;
  }
  var v = 0.0;
  for (var r = 0u; r < p.rows; r++) {
    v += arena[p.x_off + r * p.lanes + i] * arena[p.x_off + r * p.lanes + j];
  }
  arena[p.y_off + i * p.lanes + j] = v;
}

// One layer's term of the tangent kernel: K[a, b] (+)= α ⟨δ[:, a], δ[:, b]⟩ · G_h[a / div, b / div]
// with δ rows × lanes (lanes = nk), G_h the samples' Gram (cols × cols), div = slope_div = k.
@compute @workgroup_size(8, 8)
fn train_kernel_gram(@builtin(global_invocation_id) gid: vec3<u32>) {
  let a = gid.y;
  let b = gid.x;
  if (a >= p.lanes || b >= p.lanes) {
    return;
  }
  var v = 0.0;
  for (var r = 0u; r < p.rows; r++) {
    v += arena[p.x_off + r * p.lanes + a] * arena[p.x_off + r * p.lanes + b];
  }
  let g = arena[p.h_off + (a / p.slope_div) * p.cols + b / p.slope_div];
  let yi = p.y_off + a * p.lanes + b;
  var out = p.alpha * v * g;
  if (p.accumulate == 1u) {
    out += arena[yi];
  }
  arena[yi] = out;
}

var<workgroup> sq_red: array<f32, 256>; // RED

// Partial sums of (mat − mat_ref)² (or mat²) over `rows` entries (a flat count here):
// workgroup w sums entries w·RED·RED_ITEMS … in a fixed tree and writes arena[y_off + w].
@compute @workgroup_size(256)
fn train_square_distance(
  @builtin(workgroup_id) wg: vec3<u32>,
  @builtin(local_invocation_index) t: u32,
) {
  let base = wg.x * RED * RED_ITEMS;
  var v = 0.0;
  for (var e = 0u; e < RED_ITEMS; e++) {
    let i = base + e * RED + t;
    if (i < p.rows) {
      var d = mat[i];
      if (p.use_ref == 1u) {
        d -= mat_ref[i];
      }
      v += d * d;
    }
  }
  sq_red[t] = v;
  workgroupBarrier();
  for (var stride = RED / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      sq_red[t] += sq_red[t + stride];
    }
    workgroupBarrier();
  }
  if (t == 0u) {
    arena[p.y_off + wg.x] = sq_red[0];
  }
}
