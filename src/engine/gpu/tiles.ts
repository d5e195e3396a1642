// Every tile and workgroup size of the WGSL kernels, defined once here and passed to WGSL as
// `override` constants (shaders/bindings.wgsl declares them without defaults, so a pipeline built
// without these values fails instead of silently using a second copy). The benchmark imports
// them to count how often a generated matrix entry is regenerated.
//
// The matrix-product kernels (generated_matmul, stored_matmul) compute a TILE_ROWS × TILE_LANES
// tile of Y per workgroup, stepping through the inner dimension TILE_K at a time, with one thread
// per MICRO_ROWS × MICRO_LANES micro-tile. The micro-tile is a WGSL `const` (function-scope arrays
// cannot be sized by overrides); it is repeated here only to derive the workgroup shape.

/** Rows of Y per product workgroup (64: 8 threads × 8 rows). */
export const TILE_ROWS = 64;
/** Lanes of Y per product workgroup for few lanes (8 threads × 4 lanes, 64 threads). */
export const TILE_LANES = 32;
/** Lanes per workgroup once at least WIDE_TILE_LANES / 2 lanes share the matrix (256 threads). */
export const WIDE_TILE_LANES = 128;
/** Inner indices per step of the product kernels (a multiple of 4: W is read in quads). */
export const TILE_K = 16;
/** Rows and lanes of Y one product thread accumulates (the WGSL consts MICRO_ROWS, MICRO_LANES). */
export const MICRO_ROWS = 8;
export const MICRO_LANES = 4;

/** Element-wise kernels: lanes per workgroup (x) and consecutive rows per thread (y). */
export const ELEMENT_LANES = 64;
export const ROWS_PER_THREAD = 16;
/** Threads of the tree-reduction kernels (lane_dots, dense_norm_squared): a power of two. */
export const REDUCE_THREADS = 64;

/** The override constants every pipeline gets; product pipelines replace TILE_LANES. */
export function tileConstants(tileLanes = TILE_LANES): Record<string, number> {
  return {
    TILE_ROWS,
    TILE_LANES: tileLanes,
    TILE_K,
    ELEMENT_LANES,
    ROWS_PER_THREAD,
    REDUCE_THREADS,
  };
}

/** Threads of a product workgroup with `tileLanes` lanes. */
export function productThreads(tileLanes: number): number {
  return (tileLanes / MICRO_LANES) * (TILE_ROWS / MICRO_ROWS);
}
