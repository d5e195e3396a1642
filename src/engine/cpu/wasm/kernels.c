// The CPU engine's inner loops in WebAssembly with 128-bit SIMD (built by scripts/build-wasm.sh
// with clang --target=wasm32 -msimd128; the .wasm is embedded in kernelsWasm.ts). The same four
// operations as ../kernels.ts, which stays as the reference and the fallback:
//
//   fill_rows:   rows [r0, r1) of the Gaussian matrix `layer` of (seed, stream), float32: the same
//                Philox4x32-10 words and the same inverse-CDF transform as src/model/random.ts,
//                bit for bit (the logarithm is fdlibm's, which is what V8's Math.log computes).
//   product_rows, transposed_product_rows, sum_of_squares: as in kernels.ts, float64 arithmetic.
//
// No libc: freestanding, memory managed by the caller (JS places every array).

#include <stdint.h>
#include <wasm_simd128.h>

// ---- Philox4x32-10 (Salmon et al., SC 2011) ---------------------------------------------------

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

static inline void philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0,
                          uint32_t k1, uint32_t out[4]) {
  for (int r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
    uint64_t p0 = (uint64_t)PHILOX_M0 * c0;
    uint64_t p1 = (uint64_t)PHILOX_M1 * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
    uint32_t n1 = (uint32_t)p1;
    uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    uint32_t n3 = (uint32_t)p0;
    c0 = n0;
    c1 = n1;
    c2 = n2;
    c3 = n3;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// ---- fdlibm's log (e_log.c, Sun Microsystems 1993), as V8's ieee754::log ------------------------

static const double ln2_hi = 6.93147180369123816490e-01;
static const double ln2_lo = 1.90821492927058770002e-10;
static const double two54 = 1.80143985094819840000e+16;
static const double Lg1 = 6.666666666666735130e-01;
static const double Lg2 = 3.999999999940941908e-01;
static const double Lg3 = 2.857142874366239149e-01;
static const double Lg4 = 2.222219843214978396e-01;
static const double Lg5 = 1.818357216161805012e-01;
static const double Lg6 = 1.531383769920937332e-01;
static const double Lg7 = 1.479819860511658591e-01;

static inline uint64_t bits_of(double x) {
  union {
    double d;
    uint64_t u;
  } v = {x};
  return v.u;
}
static inline double double_of(uint64_t u) {
  union {
    uint64_t u;
    double d;
  } v = {u};
  return v.d;
}

// Only called with 0 < x ≤ 1 here (a product of two numbers in (0, 1]).
static double fdlibm_log(double x) {
  double hfsq, f, s, z, R, w, t1, t2, dk;
  int32_t k, hx, i, j;
  uint64_t b = bits_of(x);
  hx = (int32_t)(b >> 32);
  uint32_t lx = (uint32_t)b;
  k = 0;
  if (hx < 0x00100000) {  // x < 2^-1022
    if (((hx & 0x7fffffff) | lx) == 0) return -two54 / 0.0;
    if (hx < 0) return (x - x) / 0.0;
    k -= 54;
    x *= two54;
    hx = (int32_t)(bits_of(x) >> 32);
  }
  if (hx >= 0x7ff00000) return x + x;
  k += (hx >> 20) - 1023;
  hx &= 0x000fffff;
  i = (hx + 0x95f64) & 0x100000;
  x = double_of(((uint64_t)(uint32_t)(hx | (i ^ 0x3ff00000)) << 32) | (bits_of(x) & 0xffffffffu));
  k += (i >> 20);
  f = x - 1.0;
  if ((0x000fffff & (2 + hx)) < 3) {  // -2^-20 <= f < 2^-20
    if (f == 0.0) {
      if (k == 0) return 0.0;
      dk = (double)k;
      return dk * ln2_hi + dk * ln2_lo;
    }
    R = f * f * (0.5 - 0.33333333333333333 * f);
    if (k == 0) return f - R;
    dk = (double)k;
    return dk * ln2_hi - ((R - dk * ln2_lo) - f);
  }
  s = f / (2.0 + f);
  dk = (double)k;
  z = s * s;
  i = hx - 0x6147a;
  w = z * z;
  j = 0x6b851 - hx;
  t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  i |= j;
  R = t2 + t1;
  if (i > 0) {
    hfsq = 0.5 * f * f;
    if (k == 0) return f - (hfsq - s * (hfsq + R));
    return dk * ln2_hi - ((hfsq - (s * (hfsq + R) + dk * ln2_lo)) - f);
  }
  if (k == 0) return f - s * (f - R);
  return dk * ln2_hi - ((s * (f - R) - dk * ln2_lo) - f);
}

// gaussianFromWord of src/model/random.ts, operation for operation.
static inline float gaussian_from_word(uint32_t word) {
  double n = (double)(2 * (int32_t)(word >> 8) + 1 - 0x1000000);
  double x = n / 16777216.0;
  double an = n < 0 ? -n : n;
  double a = 16777216.0 - an;
  double b = 16777216.0 + an;
  double w = -fdlibm_log((a / 16777216.0) * (b / 16777216.0));
  double p;
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
    w = __builtin_sqrt(w) - 3.0;
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
  return (float)(1.4142135623730951 * p * x);
}

// ---- the same, two entries per f64x2 and four Philox calls per i32x4 ------------------------------

// Philox4x32-10 for the four counters (q + i, r, layer, 0), i = 0 … 3: word j of call i is lane i
// of out[j]. A 32 × 32 → 64-bit product's high word comes from the u64x2 extending multiplies.
static inline void philox_x4(uint32_t q, uint32_t r, uint32_t layer, uint32_t k0, uint32_t k1,
                             v128_t out[4]) {
  v128_t c0 = wasm_i32x4_make(q, q + 1, q + 2, q + 3);
  v128_t c1 = wasm_i32x4_splat(r), c2 = wasm_i32x4_splat(layer), c3 = wasm_i32x4_splat(0);
  const v128_t m0 = wasm_i32x4_splat(PHILOX_M0), m1 = wasm_i32x4_splat(PHILOX_M1);
  for (int round = 0; round < 10; round++) {
    if (round > 0) {
      k0 += PHILOX_W0;
      k1 += PHILOX_W1;
    }
    v128_t hi0 = wasm_i32x4_shuffle(wasm_u64x2_extmul_low_u32x4(c0, m0),
                                    wasm_u64x2_extmul_high_u32x4(c0, m0), 1, 3, 5, 7);
    v128_t hi1 = wasm_i32x4_shuffle(wasm_u64x2_extmul_low_u32x4(c2, m1),
                                    wasm_u64x2_extmul_high_u32x4(c2, m1), 1, 3, 5, 7);
    v128_t lo0 = wasm_i32x4_mul(c0, m0), lo1 = wasm_i32x4_mul(c2, m1);
    c0 = wasm_v128_xor(wasm_v128_xor(hi1, c1), wasm_i32x4_splat(k0));
    c1 = lo1;
    c2 = wasm_v128_xor(wasm_v128_xor(hi0, c3), wasm_i32x4_splat(k1));
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// fdlibm's log for two arguments in [2^-1022, 1), the general formulas of fdlibm_log. Its k = 0
// special cases give the same bits (a − b = −(b − a) in round-to-nearest; results are never 0
// here), so only the i > 0 branch is selected per lane. Sets *scalar when a lane needs the
// |f| < 2^-20 case, which the caller then computes with fdlibm_log.
static inline v128_t log_x2(v128_t x, int *scalar) {
  v128_t hx = wasm_i32x4_shuffle(x, x, 1, 3, 1, 3);  // high words in lanes 0, 1
  v128_t k = wasm_i32x4_sub(wasm_i32x4_shr(hx, 20), wasm_i32x4_splat(1023));
  hx = wasm_v128_and(hx, wasm_i32x4_splat(0x000fffff));
  v128_t i = wasm_v128_and(wasm_i32x4_add(hx, wasm_i32x4_splat(0x95f64)),
                           wasm_i32x4_splat(0x100000));
  v128_t high = wasm_v128_or(hx, wasm_v128_xor(i, wasm_i32x4_splat(0x3ff00000)));
  k = wasm_i32x4_add(k, wasm_u32x4_shr(i, 20));
  v128_t small = wasm_i32x4_lt(wasm_v128_and(wasm_i32x4_add(hx, wasm_i32x4_splat(2)),
                                             wasm_i32x4_splat(0x000fffff)),
                               wasm_i32x4_splat(3));
  if (wasm_i32x4_bitmask(small) & 3) *scalar = 1;
  v128_t xn = wasm_i32x4_shuffle(x, high, 0, 4, 2, 5);
  v128_t f = wasm_f64x2_sub(xn, wasm_f64x2_splat(1.0));
  v128_t s = wasm_f64x2_div(f, wasm_f64x2_add(wasm_f64x2_splat(2.0), f));
  v128_t dk = wasm_f64x2_convert_low_i32x4(k);
  v128_t z = wasm_f64x2_mul(s, s);
  v128_t w = wasm_f64x2_mul(z, z);
  v128_t sel = wasm_v128_or(wasm_i32x4_sub(hx, wasm_i32x4_splat(0x6147a)),
                            wasm_i32x4_sub(wasm_i32x4_splat(0x6b851), hx));
  v128_t positive = wasm_i64x2_extend_low_i32x4(wasm_i32x4_gt(sel, wasm_i32x4_splat(0)));
#define F2(c) wasm_f64x2_splat(c)
  v128_t t1 = wasm_f64x2_mul(
      w, wasm_f64x2_add(F2(Lg2), wasm_f64x2_mul(w, wasm_f64x2_add(F2(Lg4), wasm_f64x2_mul(w, F2(Lg6))))));
  v128_t t2 = wasm_f64x2_mul(
      z, wasm_f64x2_add(
             F2(Lg1),
             wasm_f64x2_mul(
                 w, wasm_f64x2_add(F2(Lg3), wasm_f64x2_mul(
                                                w, wasm_f64x2_add(F2(Lg5), wasm_f64x2_mul(w, F2(Lg7))))))));
  v128_t R = wasm_f64x2_add(t2, t1);
  v128_t hi = wasm_f64x2_mul(dk, F2(ln2_hi)), lo = wasm_f64x2_mul(dk, F2(ln2_lo));
  v128_t hfsq = wasm_f64x2_mul(wasm_f64x2_mul(F2(0.5), f), f);
  // i > 0: dk·ln2_hi − ((hfsq − (s·(hfsq + R) + dk·ln2_lo)) − f)
  v128_t a = wasm_f64x2_sub(
      hi, wasm_f64x2_sub(
              wasm_f64x2_sub(hfsq, wasm_f64x2_add(wasm_f64x2_mul(s, wasm_f64x2_add(hfsq, R)), lo)),
              f));
  // otherwise: dk·ln2_hi − ((s·(f − R) − dk·ln2_lo) − f)
  v128_t b = wasm_f64x2_sub(
      hi, wasm_f64x2_sub(wasm_f64x2_sub(wasm_f64x2_mul(s, wasm_f64x2_sub(f, R)), lo), f));
  return wasm_v128_bitselect(a, b, positive);
}

// gaussian_from_word for the words in lanes 0 and 1 of `words`; float32 results in lanes 0, 1.
static inline v128_t gaussian_x2(v128_t words) {
  v128_t ni = wasm_i32x4_sub(wasm_i32x4_add(wasm_i32x4_shl(wasm_u32x4_shr(words, 8), 1),
                                            wasm_i32x4_splat(1)),
                             wasm_i32x4_splat(0x1000000));
  v128_t n = wasm_f64x2_convert_low_i32x4(ni);
  v128_t x = wasm_f64x2_div(n, F2(16777216.0));
  v128_t an = wasm_f64x2_abs(n);
  v128_t arg = wasm_f64x2_mul(wasm_f64x2_div(wasm_f64x2_sub(F2(16777216.0), an), F2(16777216.0)),
                              wasm_f64x2_div(wasm_f64x2_add(F2(16777216.0), an), F2(16777216.0)));
  int scalar = 0;
  v128_t w = wasm_f64x2_neg(log_x2(arg, &scalar));
  // Tails (w ≥ 5, |z| ≳ 2.8, about 0.3 % of draws) and the rare |f| < 2^-20 logs: one at a time.
  if (scalar || (wasm_i64x2_bitmask(wasm_f64x2_ge(w, F2(5.0))) & 3)) {
    return wasm_f32x4_make(gaussian_from_word(wasm_u32x4_extract_lane(words, 0)),
                           gaussian_from_word(wasm_u32x4_extract_lane(words, 1)), 0, 0);
  }
  w = wasm_f64x2_sub(w, F2(2.5));
  v128_t p = F2(2.81022636e-8);
  p = wasm_f64x2_add(F2(3.43273939e-7), wasm_f64x2_mul(p, w));
  p = wasm_f64x2_add(F2(-3.5233877e-6), wasm_f64x2_mul(p, w));
  p = wasm_f64x2_add(F2(-4.39150654e-6), wasm_f64x2_mul(p, w));
  p = wasm_f64x2_add(F2(0.00021858087), wasm_f64x2_mul(p, w));
  p = wasm_f64x2_add(F2(-0.00125372503), wasm_f64x2_mul(p, w));
  p = wasm_f64x2_add(F2(-0.00417768164), wasm_f64x2_mul(p, w));
  p = wasm_f64x2_add(F2(0.246640727), wasm_f64x2_mul(p, w));
  p = wasm_f64x2_add(F2(1.50140941), wasm_f64x2_mul(p, w));
  return wasm_f32x4_demote_f64x2_zero(wasm_f64x2_mul(wasm_f64x2_mul(F2(1.4142135623730951), p), x));
#undef F2
}

__attribute__((export_name("fill_rows"))) void fill_rows(uint32_t seed, uint32_t stream,
                                                           uint32_t layer, uint32_t cols,
                                                           uint32_t r0, uint32_t r1, float *out) {
  uint32_t words[4];
  uint32_t quads = cols >> 2, tail = cols & 3;
  for (uint32_t r = r0; r < r1; r++) {
    uint32_t q = 0;
    for (; q + 4 <= quads; q += 4) {
      v128_t w[4];
      philox_x4(q, r, layer, seed, stream, w);
      // Transpose: t_i = the four words of call i, in entry order.
      v128_t l01 = wasm_i32x4_shuffle(w[0], w[1], 0, 4, 1, 5);  // w0[0] w1[0] w0[1] w1[1]
      v128_t l23 = wasm_i32x4_shuffle(w[2], w[3], 0, 4, 1, 5);
      v128_t h01 = wasm_i32x4_shuffle(w[0], w[1], 2, 6, 3, 7);
      v128_t h23 = wasm_i32x4_shuffle(w[2], w[3], 2, 6, 3, 7);
      v128_t t[4] = {wasm_i32x4_shuffle(l01, l23, 0, 1, 4, 5), wasm_i32x4_shuffle(l01, l23, 2, 3, 6, 7),
                     wasm_i32x4_shuffle(h01, h23, 0, 1, 4, 5), wasm_i32x4_shuffle(h01, h23, 2, 3, 6, 7)};
      for (int i = 0; i < 4; i++) {
        v128_t lo = gaussian_x2(t[i]);
        v128_t hi = gaussian_x2(wasm_i32x4_shuffle(t[i], t[i], 2, 3, 2, 3));
        wasm_v128_store(out, wasm_i32x4_shuffle(lo, hi, 0, 1, 4, 5));
        out += 4;
      }
    }
    for (; q < quads; q++) {
      philox(q, r, layer, 0, seed, stream, words);
      out[0] = gaussian_from_word(words[0]);
      out[1] = gaussian_from_word(words[1]);
      out[2] = gaussian_from_word(words[2]);
      out[3] = gaussian_from_word(words[3]);
      out += 4;
    }
    if (tail) {
      philox(quads, r, layer, 0, seed, stream, words);
      for (uint32_t j = 0; j < tail; j++) out[j] = gaussian_from_word(words[j]);
      out += tail;
    }
  }
}

// For the tests: the two-lane logarithm over `count` arguments (count even).
__attribute__((export_name("log_x2_for_tests"))) void log_x2_for_tests(const double *x,
                                                                       uint32_t count,
                                                                       double *out) {
  for (uint32_t i = 0; i + 2 <= count; i += 2) {
    int scalar = 0;
    v128_t v = log_x2(wasm_v128_load(x + i), &scalar);
    if (scalar) v = wasm_f64x2_make(fdlibm_log(x[i]), fdlibm_log(x[i + 1]));
    wasm_v128_store(out + i, v);
  }
}

__attribute__((export_name("philox_words"))) void philox_words(const uint32_t *inputs,
                                                                 uint32_t count, uint32_t *out) {
  for (uint32_t i = 0; i < count; i++, inputs += 6, out += 4)
    philox(inputs[0], inputs[1], inputs[2], inputs[3], inputs[4], inputs[5], out);
}

// ---- products ------------------------------------------------------------------------------------

// Raw sums S[r, c] (+)= Σ_{k ∈ [k0, k1)} g[r, k] x[k, c] for two rows (g1, s1 may repeat g0, s0
// for one row: `two` = 0) and V f64x2 vectors of lanes from c, kept in registers over the k loop.
// `first`: start from 0 instead of S. Each S entry is one running sum over k in increasing order.
#define TILE_FN(NAME, V)                                                                          \
  static inline void NAME(const float *g0, const float *g1, int two, const double *x, uint32_t n, \
                          uint32_t c, uint32_t k0, uint32_t k1, double *s0, double *s1,          \
                          int first) {                                                           \
    v128_t a[V], b[V];                                                                           \
    for (int v = 0; v < V; v++) {                                                                \
      a[v] = first ? wasm_f64x2_splat(0) : wasm_v128_load(s0 + c + 2 * v);                       \
      b[v] = first || !two ? wasm_f64x2_splat(0) : wasm_v128_load(s1 + c + 2 * v);               \
    }                                                                                            \
    const double *xk = x + (uint64_t)k0 * n + c;                                                 \
    if (two) {                                                                                   \
      for (uint32_t k = k0; k < k1; k++, xk += n) {                                              \
        v128_t w0 = wasm_f64x2_splat((double)g0[k]), w1 = wasm_f64x2_splat((double)g1[k]);      \
        for (int v = 0; v < V; v++) {                                                            \
          v128_t xv = wasm_v128_load(xk + 2 * v);                                                \
          a[v] = wasm_f64x2_add(a[v], wasm_f64x2_mul(w0, xv));                                   \
          b[v] = wasm_f64x2_add(b[v], wasm_f64x2_mul(w1, xv));                                   \
        }                                                                                        \
      }                                                                                          \
    } else {                                                                                     \
      for (uint32_t k = k0; k < k1; k++, xk += n) {                                              \
        v128_t w0 = wasm_f64x2_splat((double)g0[k]);                                             \
        for (int v = 0; v < V; v++)                                                              \
          a[v] = wasm_f64x2_add(a[v], wasm_f64x2_mul(w0, wasm_v128_load(xk + 2 * v)));           \
      }                                                                                          \
    }                                                                                            \
    for (int v = 0; v < V; v++) {                                                                \
      wasm_v128_store(s0 + c + 2 * v, a[v]);                                                     \
      if (two) wasm_v128_store(s1 + c + 2 * v, b[v]);                                            \
    }                                                                                            \
  }
TILE_FN(tile8, 4)
TILE_FN(tile4, 2)
TILE_FN(tile2, 1)

// y[r, c] (= or +=) alpha · Σ_k g[r, k] x[k, c] for r < rows and c ∈ [c0, c1). g: rows × cols
// float32, x: cols × n, y and s (scratch): rows × n float64.
// Register tiles of 2 rows × 8 lanes (then 4, 2, 1 lanes for the rest of the range), each x
// cache line loaded once per two rows. The inner dimension is cut into chunks whose slice of x
// fits in a core's L2 (≈128 KiB), so x is read from L2, not L3, once per row pair; partial sums
// wait in s between chunks. Each result is one running sum over k in increasing order, whatever
// the tiling and chunking, then scaled by alpha.
__attribute__((export_name("product_rows"))) void product_rows(
    const float *g, uint32_t rows, uint32_t cols, const double *x, uint32_t n, uint32_t c0,
    uint32_t c1, double alpha, double *y, uint32_t accumulate, double *s) {
  uint32_t chunk = 131072 / (8 * (n > 0 ? n : 1));
  chunk = chunk < 16 ? 16 : chunk & ~3u;
  for (uint32_t k0 = 0; k0 < cols; k0 += chunk) {
    uint32_t k1 = cols - k0 > chunk ? k0 + chunk : cols;
    int first = k0 == 0;
    for (uint32_t r = 0; r < rows; r += 2) {
      int two = r + 1 < rows;
      const float *g0 = g + (uint64_t)r * cols;
      const float *g1 = two ? g0 + cols : g0;
      double *s0 = s + (uint64_t)r * n;
      double *s1 = two ? s0 + n : s0;
      uint32_t c = c0;
      for (; c + 8 <= c1; c += 8) tile8(g0, g1, two, x, n, c, k0, k1, s0, s1, first);
      if (c + 4 <= c1) {
        tile4(g0, g1, two, x, n, c, k0, k1, s0, s1, first);
        c += 4;
      }
      if (c + 2 <= c1) {
        tile2(g0, g1, two, x, n, c, k0, k1, s0, s1, first);
        c += 2;
      }
      if (c < c1) {
        double a = first ? 0 : s0[c], b = first || !two ? 0 : s1[c];
        const double *xk = x + (uint64_t)k0 * n + c;
        for (uint32_t k = k0; k < k1; k++, xk += n) {
          a += (double)g0[k] * *xk;
          b += (double)g1[k] * *xk;
        }
        s0[c] = a;
        if (two) s1[c] = b;
      }
    }
  }
  if (cols == 0)
    for (uint32_t r = 0; r < rows; r++)
      for (uint32_t c = c0; c < c1; c++) s[(uint64_t)r * n + c] = 0;
  for (uint32_t r = 0; r < rows; r++) {
    double *yr = y + (uint64_t)r * n;
    const double *sr = s + (uint64_t)r * n;
    for (uint32_t c = c0; c < c1; c++) yr[c] = accumulate ? yr[c] + alpha * sr[c] : alpha * sr[c];
  }
}

// p[k, c] += Σ_r g[r, k] x[r, c] (unscaled partial of a transposed product), p: cols × n.
__attribute__((export_name("transposed_product_rows"))) void transposed_product_rows(
    const float *g, uint32_t rows, uint32_t cols, const double *x, uint32_t n, double *p) {
  for (uint32_t r = 0; r < rows; r++) {
    const float *gr = g + (uint64_t)r * cols;
    const double *xr = x + (uint64_t)r * n;
    for (uint32_t k = 0; k < cols; k++) {
      double w = (double)gr[k];
      double *pk = p + (uint64_t)k * n;
      for (uint32_t c = 0; c < n; c++) pk[c] += w * xr[c];
    }
  }
}

__attribute__((export_name("sum_of_squares"))) double sum_of_squares(const float *g,
                                                                       uint32_t count) {
  double s = 0;
  for (uint32_t i = 0; i < count; i++) s += (double)g[i] * (double)g[i];
  return s;
}
// For the tests: every argument gaussian_from_word can pass is checked against Math.log.
__attribute__((export_name("log_for_tests"))) double log_for_tests(double x) {
  return fdlibm_log(x);
}

// ---- the lane pass's element-wise steps (cpu/lanePass.ts) ------------------------------------------

// The constants of tanh_x2, read into registers once per call. Not static and not const, so that
// clang cannot fold them back into v128.const: Chromium's V8 materialises such constants again in
// every loop iteration, which made this loop 2–3× slower there than in Node (measured).
double tanh_constants[] = {
    1.4426950408889634,       // 0: 1/ln 2
    6755399441055744.0,       // 1: 1.5 · 2^52
    6.93147180369123816490e-01,  // 2: ln2_hi
    1.90821492927058770002e-10,  // 3: ln2_lo
    1.0, 1.0, 0.5, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0, 1.0 / 5040.0,  // 4–11: 1/j!
    1.0 / 40320.0, 1.0 / 362880.0, 1.0 / 3628800.0, 1.0 / 39916800.0, 1.0 / 479001600.0,
    1.0 / 6227020800.0,       // 12–17
    0.625, 22.0, 2.0,         // 18–20
    -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3,  // 21–23: P
    1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3,     // 24–26: Q
};

typedef struct {
  v128_t log2e, magic, ln2hi, ln2lo, c[14], small, cap, two, p0, p1, p2, q0, q1, q2, bias, sign;
} TanhConstants;

static inline void load_tanh_constants(TanhConstants *k) {
  const double *t = tanh_constants;
  k->log2e = wasm_v128_load64_splat(t + 0);
  k->magic = wasm_v128_load64_splat(t + 1);
  k->ln2hi = wasm_v128_load64_splat(t + 2);
  k->ln2lo = wasm_v128_load64_splat(t + 3);
  for (int j = 0; j < 14; j++) k->c[j] = wasm_v128_load64_splat(t + 4 + j);
  k->small = wasm_v128_load64_splat(t + 18);
  k->cap = wasm_v128_load64_splat(t + 19);
  k->two = wasm_v128_load64_splat(t + 20);
  k->p0 = wasm_v128_load64_splat(t + 21);
  k->p1 = wasm_v128_load64_splat(t + 22);
  k->p2 = wasm_v128_load64_splat(t + 23);
  k->q0 = wasm_v128_load64_splat(t + 24);
  k->q1 = wasm_v128_load64_splat(t + 25);
  k->q2 = wasm_v128_load64_splat(t + 26);
  k->bias = wasm_i64x2_splat(1023);
  k->sign = wasm_i64x2_splat((int64_t)0x8000000000000000ull);
}

// e^x for two lanes, 0 ≤ x ≤ 45: x = k ln 2 + r with |r| ≤ ln 2 / 2 (k rounded by adding
// 1.5 · 2^52, which also leaves k in the low bits of the sum, for 2^k; ln2_hi has 21 trailing zero
// bits, so k · ln2_hi is exact), e^r by its Taylor polynomial of degree 13 (truncation under
// 10⁻¹⁸ relative) in Estrin's scheme (a short dependency chain).
static inline v128_t exp_x2(v128_t x, const TanhConstants *K) {
#define MA(a, b, c) wasm_f64x2_add(a, wasm_f64x2_mul(b, c))
  v128_t t = wasm_f64x2_add(wasm_f64x2_mul(x, K->log2e), K->magic);
  v128_t k = wasm_f64x2_sub(t, K->magic);
  v128_t r = wasm_f64x2_sub(wasm_f64x2_sub(x, wasm_f64x2_mul(k, K->ln2hi)),
                            wasm_f64x2_mul(k, K->ln2lo));
  const v128_t *c = K->c;
  v128_t r2 = wasm_f64x2_mul(r, r);
  v128_t r4 = wasm_f64x2_mul(r2, r2);
  v128_t r8 = wasm_f64x2_mul(r4, r4);
  v128_t p01 = MA(c[0], c[1], r), p23 = MA(c[2], c[3], r), p45 = MA(c[4], c[5], r);
  v128_t p67 = MA(c[6], c[7], r), p89 = MA(c[8], c[9], r), p1011 = MA(c[10], c[11], r);
  v128_t p1213 = MA(c[12], c[13], r);
  v128_t q0 = MA(p01, p23, r2), q1 = MA(p45, p67, r2), q2 = MA(p89, p1011, r2);
  v128_t p = MA(MA(q0, q1, r4), MA(q2, p1213, r4), r8);
  // The sum's bits are those of 1.5 · 2^52 plus k: its low 52 bits + 1023, shifted, are 2^k.
  v128_t scale = wasm_i64x2_shl(wasm_i64x2_add(t, K->bias), 52);
  return wasm_f64x2_mul(p, scale);
#undef MA
}

// tanh for two lanes, within 2 ulps of Math.tanh (tested): Cephes's rational approximation
// |x| + |x|³ P(x²)/Q(x²) for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with |x| capped at 22 (where
// tanh is 1 in float64), then the sign of x. Both branches are computed and one selected per lane
// (branch-free: faster than branching on mixed signs and sizes), so each lane's result depends on
// that lane alone.
static inline v128_t tanh_x2(v128_t x, const TanhConstants *K) {
  v128_t a = wasm_f64x2_abs(x);
  v128_t small = wasm_f64x2_lt(a, K->small);
  v128_t e = exp_x2(wasm_f64x2_mul(K->two, wasm_f64x2_min(a, K->cap)), K);
  v128_t one = K->c[0];
  v128_t big = wasm_f64x2_sub(one, wasm_f64x2_div(K->two, wasm_f64x2_add(e, one)));
  v128_t s = wasm_f64x2_mul(a, a);
  v128_t p = wasm_f64x2_add(wasm_f64x2_mul(K->p0, s), K->p1);
  p = wasm_f64x2_add(wasm_f64x2_mul(p, s), K->p2);
  v128_t q = wasm_f64x2_add(s, K->q0);
  q = wasm_f64x2_add(wasm_f64x2_mul(q, s), K->q1);
  q = wasm_f64x2_add(wasm_f64x2_mul(q, s), K->q2);
  v128_t near0 = wasm_f64x2_add(a, wasm_f64x2_mul(wasm_f64x2_mul(a, s), wasm_f64x2_div(p, q)));
  // tanh is odd: the result for |x|, with the sign of x (so tanh(−0) = −0).
  return wasm_v128_or(wasm_v128_bitselect(near0, big, small), wasm_v128_and(x, K->sign));
}

#define F2(c) wasm_f64x2_splat(c)
// y ← σ(y) over `count` entries: kind 1 tanh, 2 ReLU (max(y, 0), +0 for −0 as Math.max).
__attribute__((export_name("activate"))) void activate(double *y, uint32_t count, uint32_t kind) {
  uint32_t i = 0;
  if (kind == 1) {
    TanhConstants K;
    load_tanh_constants(&K);
    for (; i + 2 <= count; i += 2) wasm_v128_store(y + i, tanh_x2(wasm_v128_load(y + i), &K));
    if (i < count) y[i] = wasm_f64x2_extract_lane(tanh_x2(wasm_f64x2_splat(y[i]), &K), 0);
  } else if (kind == 2) {
    for (; i + 2 <= count; i += 2)
      wasm_v128_store(y + i, wasm_f64x2_max(wasm_v128_load(y + i), F2(0.0)));
    if (i < count) y[i] = wasm_f64x2_extract_lane(wasm_f64x2_max(wasm_f64x2_splat(y[i]), F2(0.0)), 0);
  }
}

// dots[c] = Σ_r v[r] · (w[c] · h[r, c]) for c ∈ [c0, c1), r in increasing order: vᵀ X_c of a
// rank-one Δ = u vᵀ, with the coupled lanes X_c = H · diag(w) never formed. h: rows × n.
__attribute__((export_name("rank_one_dots"))) void rank_one_dots(const double *h, uint32_t rows,
                                                                   uint32_t n, uint32_t c0,
                                                                   uint32_t c1, const double *v,
                                                                   const double *w, double *dots) {
  uint32_t c = c0;
  for (; c + 8 <= c1; c += 8) {
    v128_t acc[4], wv[4];
    for (int j = 0; j < 4; j++) {
      acc[j] = F2(0.0);
      wv[j] = wasm_v128_load(w + c + 2 * j);
    }
    const double *hr = h + c;
    for (uint32_t r = 0; r < rows; r++, hr += n) {
      v128_t vr = wasm_f64x2_splat(v[r]);
      for (int j = 0; j < 4; j++)
        acc[j] = wasm_f64x2_add(acc[j],
                                wasm_f64x2_mul(vr, wasm_f64x2_mul(wv[j], wasm_v128_load(hr + 2 * j))));
    }
    for (int j = 0; j < 4; j++) wasm_v128_store(dots + c + 2 * j, acc[j]);
  }
  for (; c + 2 <= c1; c += 2) {
    v128_t acc = F2(0.0), wv = wasm_v128_load(w + c);
    const double *hr = h + c;
    for (uint32_t r = 0; r < rows; r++, hr += n)
      acc = wasm_f64x2_add(acc, wasm_f64x2_mul(wasm_f64x2_splat(v[r]),
                                               wasm_f64x2_mul(wv, wasm_v128_load(hr))));
    wasm_v128_store(dots + c, acc);
  }
  if (c < c1) {
    double acc = 0;
    for (uint32_t r = 0; r < rows; r++) acc += v[r] * (w[c] * h[(uint64_t)r * n + c]);
    dots[c] = acc;
  }
}

// y[r, c] += (alpha · u[r]) · dots[c] for r < rows, c ∈ [c0, c1). y: rows × n.
__attribute__((export_name("rank_one_add"))) void rank_one_add(double *y, uint32_t rows, uint32_t n,
                                                                 uint32_t c0, uint32_t c1,
                                                                 const double *u, double alpha,
                                                                 const double *dots) {
  for (uint32_t r = 0; r < rows; r++) {
    double *yr = y + (uint64_t)r * n;
    double ur = alpha * u[r];
    v128_t uv = wasm_f64x2_splat(ur);
    uint32_t c = c0;
    for (; c + 2 <= c1; c += 2)
      wasm_v128_store(yr + c, wasm_f64x2_add(wasm_v128_load(yr + c),
                                             wasm_f64x2_mul(uv, wasm_v128_load(dots + c))));
    if (c < c1) yr[c] += ur * dots[c];
  }
}

// out[r, c] = w[c] · h[r, c] (the coupled lanes X_c, for a dense Δ's product). h, out: rows × n.
__attribute__((export_name("scale_columns"))) void scale_columns(const double *h, uint32_t rows,
                                                                   uint32_t n, const double *w,
                                                                   double *out) {
  for (uint32_t r = 0; r < rows; r++) {
    const double *hr = h + (uint64_t)r * n;
    double *o = out + (uint64_t)r * n;
    for (uint32_t c = 0; c < n; c++) o[c] = w[c] * hr[c];
  }
}
// out[r, c] = w[c] · h[r, src[c]], or 0 where src[c] < 0: the coupled lanes X_c of a polynomial's
// lanes (lane c reads lane src[c] of its direction through Δ). h, out: rows × n.
__attribute__((export_name("gather_columns"))) void gather_columns(const double *h, uint32_t rows,
                                                                     uint32_t n, const int32_t *src,
                                                                     const double *w, double *out) {
  for (uint32_t r = 0; r < rows; r++) {
    const double *hr = h + (uint64_t)r * n;
    double *o = out + (uint64_t)r * n;
    for (uint32_t c = 0; c < n; c++) o[c] = src[c] < 0 ? 0.0 : w[c] * hr[src[c]];
  }
}
#undef F2
