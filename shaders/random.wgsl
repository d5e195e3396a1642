// Philox4x32-10 and Gaussian samples: the WGSL twin of src/model/random.ts, word for word.
// Entry (row, col) of matrix `layer` in (seed, stream) is word (col & 3) of
// philox4x32_10(counter = (col >> 2, row, layer, 0), key = (seed, stream)).

const PHILOX_M0: u32 = 0xD2511F53u;
const PHILOX_M1: u32 = 0xCD9E8D57u;
const PHILOX_W0: u32 = 0x9E3779B9u;
const PHILOX_W1: u32 = 0xBB67AE85u;

// High 32 bits of a·b from 16-bit halves (WGSL has no 64-bit integers).
fn mul_hi(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xFFFFu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xFFFFu;
  let b_hi = b >> 16u;
  let ll = a_lo * b_lo;
  let lh = a_lo * b_hi;
  let hl = a_hi * b_lo;
  let hh = a_hi * b_hi;
  let cross = (ll >> 16u) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
  return hh + (lh >> 16u) + (hl >> 16u) + (cross >> 16u);
}

fn philox4x32_10(counter: vec4<u32>, key_in: vec2<u32>) -> vec4<u32> {
  var x = counter;
  var key = key_in;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) {
      key = key + vec2<u32>(PHILOX_W0, PHILOX_W1);
    }
    let hi0 = mul_hi(PHILOX_M0, x.x);
    let lo0 = PHILOX_M0 * x.x;
    let hi1 = mul_hi(PHILOX_M1, x.z);
    let lo1 = PHILOX_M1 * x.z;
    x = vec4<u32>(hi1 ^ x.y ^ key.x, lo1, hi0 ^ x.w ^ key.y, lo0);
  }
  return x;
}

// N(0,1) from one word by the inverse CDF (see gaussianFromWord in random.ts for the why):
// u = (floor(w / 2^8) + 1/2) / 2^24, z = sqrt(2) * erfinv(2u - 1), Giles' polynomial.
fn gaussian_from_word(word: u32) -> f32 {
  let n = 2.0 * f32(word >> 8u) + 1.0 - 16777216.0;   // exact: odd, |n| < 2^24
  let x = n / 16777216.0;
  let a = 16777216.0 - abs(n);
  let b = 16777216.0 + abs(n);
  var w = -log((a / 16777216.0) * (b / 16777216.0));
  var p: f32;
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
    w = sqrt(w) - 3.0;
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
  return 1.41421356237 * p * x;
}

// Entries (row, 4q … 4q+3) of matrix `layer` in (seed, stream).
fn gaussian_quad(seed: u32, stream: u32, layer: u32, row: u32, quad: u32) -> vec4<f32> {
  let words = philox4x32_10(vec4<u32>(quad, row, layer, 0u), vec2<u32>(seed, stream));
  return vec4<f32>(
    gaussian_from_word(words.x),
    gaussian_from_word(words.y),
    gaussian_from_word(words.z),
    gaussian_from_word(words.w),
  );
}
