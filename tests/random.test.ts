import { describe, expect, it } from 'vitest';
import {
  entryWord,
  gaussianEntry,
  gaussianFromWord,
  gaussianRow,
  mulHiLo,
  philox4x32,
} from '../src/model/random';
import { PHILOX_KAT } from './helpers/kat';
import { ksStatistic, normalCdf } from './helpers/stats';

describe('Philox4x32-10', () => {
  it('matches the Random123 known-answer vectors', () => {
    for (const [ctr, key, expected] of PHILOX_KAT) {
      const out = philox4x32(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], new Uint32Array(4));
      expect(Array.from(out)).toEqual(expected);
    }
  });

  it('computes the high word of 32×32-bit products exactly', () => {
    const cases = [
      [0xffffffff, 0xffffffff],
      [0xd2511f53, 0x12345678],
      [0xcd9e8d57, 0xdeadbeef],
      [1, 0x80000000],
      [0, 0xffffffff],
    ];
    for (const [a, b] of cases) {
      const product = BigInt(a) * BigInt(b);
      const [hi, lo] = mulHiLo(a, b);
      expect(hi).toBe(Number(product >> 32n));
      expect(lo).toBe(Number(product & 0xffffffffn));
    }
  });

  it('is a pure function of (seed, stream, layer, row, col)', () => {
    const a = gaussianEntry(7, 3, 2, 11, 5);
    gaussianEntry(9, 1, 0, 0, 0); // other draws in between change nothing
    expect(gaussianEntry(7, 3, 2, 11, 5)).toBe(a);
    const row = gaussianRow(7, 3, 2, 11, 9, new Float64Array(9));
    expect(row[5]).toBe(a);
    expect(entryWord(7, 3, 2, 11, 4)).not.toBe(entryWord(7, 3, 2, 11, 5));
  });
});

describe('Gaussian samples from 32-bit words', () => {
  const n = 100_000;
  const sample = new Float64Array(n);
  const words = new Uint32Array(4);
  for (let q = 0; q < n / 4; q++) {
    philox4x32(q, 0, 0, 0, 12345, 0, words);
    for (let j = 0; j < 4; j++) sample[q * 4 + j] = gaussianFromWord(words[j]);
  }

  it('has the moments of N(0,1) on 1e5 draws', () => {
    const mean = sample.reduce((s, v) => s + v, 0) / n;
    const m2 = sample.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const m3 = sample.reduce((s, v) => s + (v - mean) ** 3, 0) / n;
    const m4 = sample.reduce((s, v) => s + (v - mean) ** 4, 0) / n;
    // Standard errors at n = 1e5: mean 0.0032, variance 0.0045, skew 0.0077, kurtosis 0.015.
    expect(Math.abs(mean)).toBeLessThan(0.013);
    expect(Math.abs(m2 - 1)).toBeLessThan(0.018);
    expect(Math.abs(m3 / m2 ** 1.5)).toBeLessThan(0.031);
    expect(Math.abs(m4 / m2 ** 2 - 3)).toBeLessThan(0.06);
  });

  it('passes a Kolmogorov–Smirnov test on 1e5 draws', () => {
    const d = ksStatistic(sample);
    // Critical value at α = 0.01: 1.628 / √n.
    expect(d).toBeLessThan(1.628 / Math.sqrt(n));
  });

  it('follows the normal quantile function closely', () => {
    for (const z of [-4, -2.5, -1, -0.1, 0.3, 1.5, 3, 4.5]) {
      // The word whose u is Φ(z) maps back to z (Giles' erfinv: relative error < 4e-7).
      const k = Math.floor(normalCdf(z) * 2 ** 24);
      const zBack = gaussianFromWord((k << 8) >>> 0);
      expect(Math.abs(zBack - z)).toBeLessThan(
        1e-6 * Math.abs(z) + 2e-7 * Math.exp((z * z) / 2) * 2.6,
      );
    }
  });

  it('rejects a broken generator (the tests can fail)', () => {
    const biased = sample.map((v) => v + 0.02);
    expect(ksStatistic(biased)).toBeGreaterThan(1.628 / Math.sqrt(n));
  });
});
