// Counter-based random numbers: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy
// as 1, 2, 3", SC 2011; the Random123 library). Every weight, input and direction entry is a pure
// function of (seed, stream, layer, row, col), so the GPU can generate any entry of an m×m matrix
// inside a kernel without storing it, and a seed in a URL reproduces a figure on any machine.
// The WGSL twin is shaders/random.wgsl; tests check that both give identical 32-bit words.
//
// Coordinates → Philox inputs:
//   key     = (seed, stream)
//   counter = (col >> 2, row, layer, 0)   and the entry is output word (col & 3)
// so one Philox call yields four consecutive entries of a row.

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;

/** Streams separate the purposes that draw from one seed (high byte) and their index. */
export const Stream = {
  weights: 0,
  /** index = which input: 0 is the plotted input x, j ≥ 1 the extra inputs of gradient direction j. */
  input: (index: number) => (1 << 24) | index,
  /** Dense Gaussian direction number `index`. */
  denseDirection: (index: number) => (2 << 24) | index,
  /** Random unit vectors ξ of aligned direction number `index`. */
  alignedXi: (index: number) => (3 << 24) | index,
  /** Tilt vector ζ and angle θ of tilted direction number `index`. */
  tilt: (index: number) => (4 << 24) | index,
  /** Training data (docs/training.md §1): 0 inputs, 1 held-out inputs, 2 U, 3 V of M* = UV/√r. */
  training: (index: number) => (5 << 24) | index,
} as const;

/** High 32 bits of the 64-bit product a·b of two uint32, from 16-bit halves. */
function mulHi(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const ll = aLo * bLo;
  const lh = aLo * bHi;
  const hl = aHi * bLo;
  const cross = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aHi * bHi + (lh >>> 16) + (hl >>> 16) + (cross >>> 16)) >>> 0;
}

/** High and low 32 bits of the 64-bit product a·b, from 16-bit halves (no 64-bit integers). */
export function mulHiLo(a: number, b: number): [number, number] {
  return [mulHi(a, b), Math.imul(a, b) >>> 0];
}

/** Philox4x32 with `rounds` rounds (10 is the published default). Writes four words into `out`. */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  rounds = 10,
): Uint32Array {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = c2 >>> 0;
  let x3 = c3 >>> 0;
  let key0 = k0 >>> 0;
  let key1 = k1 >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      key0 = (key0 + PHILOX_W0) >>> 0;
      key1 = (key1 + PHILOX_W1) >>> 0;
    }
    // Inlined (no [hi, lo] arrays): this loop is the CPU engine's hot path.
    const hi0 = mulHi(PHILOX_M0, x0);
    const lo0 = Math.imul(PHILOX_M0, x0) >>> 0;
    const hi1 = mulHi(PHILOX_M1, x2);
    const lo1 = Math.imul(PHILOX_M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ key0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ key1) >>> 0;
    x3 = lo0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
  return out;
}

/**
 * Standard normal sample from one 32-bit word, by the inverse CDF: z = √2 · erfinv(2u − 1) with
 * u = (⌊w / 2^8⌋ + ½) / 2^24 and Giles' erfinv polynomial ("Approximating the erfinv function",
 * GPU Computing Gems, 2011; relative error < 4e-7). Using 24 bits makes 2u − 1 exact in float32,
 * and the method needs only log and sqrt, whose WGSL accuracy is a few ulp (WGSL's cos, needed by
 * Box–Muller, is only guaranteed to 2^-11 absolute). Tails are cut at |z| ≈ 5.4 (P ≈ 6e-8).
 * The result is a float32 value (relative rounding ≤ 6e-8, far inside the erfinv error).
 */
export function gaussianFromWord(word: number): number {
  const n = 2 * (word >>> 8) + 1 - 0x1000000; // odd integer, |n| < 2^24
  const x = n / 0x1000000; // 2u − 1 ∈ (−1, 1)
  const a = 0x1000000 - Math.abs(n); // 1 − |x| = a / 2^24, a ≥ 1
  const b = 0x1000000 + Math.abs(n); // 1 + |x| = b / 2^24
  let w = -Math.log((a / 0x1000000) * (b / 0x1000000));
  let p: number;
  if (w < 5.0) {
    w = w - 2.5;
    p = 2.81022636e-8;
    p = 3.43273939e-7 + p * w;
    p = -3.5233877e-6 + p * w;
    p = -4.39150654e-6 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = Math.sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  // Rounded to float32: every draw is a float32 number, so a weight stored in a Float32Array (the
  // engines' weight stores) is bit-identical to the same weight generated again, and the GPU's
  // float32 weights differ from these only by its float32 arithmetic in erfinv.
  return Math.fround(Math.SQRT2 * p * x);
}

/** The 32-bit word behind entry (row, col) of matrix `layer` in `stream`. */
export function entryWord(
  seed: number,
  stream: number,
  layer: number,
  row: number,
  col: number,
): number {
  const out = new Uint32Array(4);
  philox4x32(col >>> 2, row, layer, 0, seed, stream, out);
  return out[col & 3];
}

/** N(0,1) entry (row, col) of matrix `layer` in `stream`: the single definition of every weight. */
export function gaussianEntry(
  seed: number,
  stream: number,
  layer: number,
  row: number,
  col: number,
): number {
  return gaussianFromWord(entryWord(seed, stream, layer, row, col));
}

/**
 * Fills `out` (length ≥ cols) with row `row` of the cols-wide Gaussian matrix `layer` of `stream`:
 * the fast path of gaussianEntry, one Philox call per four entries.
 */
export function gaussianRow(
  seed: number,
  stream: number,
  layer: number,
  row: number,
  cols: number,
  out: Float64Array,
  words: Uint32Array = new Uint32Array(4),
): Float64Array {
  for (let q = 0; q * 4 < cols; q++) {
    philox4x32(q, row, layer, 0, seed, stream, words);
    const end = Math.min(4, cols - q * 4);
    for (let j = 0; j < end; j++) out[q * 4 + j] = gaussianFromWord(words[j]);
  }
  return out;
}

/** Row 0 of matrix `layer`, `length` entries: the vectors x and ξ (four entries per Philox call). */
export function gaussianVector(
  seed: number,
  stream: number,
  layer: number,
  length: number,
): Float64Array {
  return gaussianRow(seed, stream, layer, 0, length, new Float64Array(length));
}
