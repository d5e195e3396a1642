// The workgroup tree reduction shared by the kernels that sum over a row (norms.wgsl,
// rank_one.wgsl, setup.wgsl): prefixed to those modules only (pipelines.ts).

var<workgroup> partial: array<f32, REDUCE_THREADS>;

// Σ over the workgroup of each thread's `s` (every thread gets the sum). Starts with a barrier,
// so calls may follow each other.
fn workgroup_sum(s: f32, li: u32) -> f32 {
  workgroupBarrier();
  partial[li] = s;
  workgroupBarrier();
  for (var width = REDUCE_THREADS / 2u; width > 0u; width >>= 1u) {
    if (li < width) {
      partial[li] += partial[li + width];
    }
    workgroupBarrier();
  }
  return partial[0];
}
