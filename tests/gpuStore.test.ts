// The GPU weight store: stored products (stored_matmul.wgsl) against generated ones and the
// float64 model, what a result reports about the store, eviction, requests over the device's
// limits, and requests run together. Dawn on SwiftShader in CI: sizes stay modest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GpuEngine } from '../src/engine/gpu';
import type { GridRequest, PolynomialRequest } from '../src/engine/types';
import { EngineError } from '../src/engine/types';
import { generatedMatMul, type Matrix, zeros } from '../src/model/network';
import { Stream } from '../src/model/random';
import { nodeGpu } from './helpers/nodeGpu';
import { deepSpec, directions, figure1Spec } from './helpers/specs';

// Building an engine's pipelines takes SwiftShader 5–20 s, so the file shares two: `stored` with
// the defaults, `generated` with no store, no timestamps and WebGPU's default limits.
let stored: GpuEngine;
let generated: GpuEngine;

beforeAll(async () => {
  stored = await GpuEngine.create(nodeGpu());
  generated = await GpuEngine.create(nodeGpu(), {
    storeBudgetBytes: 0,
    timestamps: false,
    requestAdapterLimits: false,
  });
});

afterAll(() => {
  stored?.destroy();
  generated?.destroy();
});

/** max |a − b| relative to max |b|. */
function relativeError(a: Matrix, b: Matrix): number {
  expect(a.data.length).toBe(b.data.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.data.length; i++) {
    scale = Math.max(scale, Math.abs(b.data[i]));
    err = Math.max(err, Math.abs(a.data[i] - b.data[i]));
  }
  expect(Number.isFinite(err)).toBe(true);
  return scale === 0 ? err : err / scale;
}

/** An inner × n matrix with distinct columns and no pattern the tiles could hide behind. */
function inputs(inner: number, n: number): Matrix {
  const x = zeros(inner, n);
  for (let r = 0; r < inner; r++) {
    for (let c = 0; c < n; c++) x.data[r * n + c] = Math.sin(1 + r * 0.37 + c * 1.91) * (c + 1);
  }
  return x;
}

async function checkProduct(rows: number, cols: number, n: number, transposed: boolean) {
  const x = inputs(transposed ? rows : cols, n);
  const want = generatedMatMul(5, Stream.weights, 3, rows, cols, x, 0.5, transposed);
  const fromStore = await stored.generatedMatMul(
    5,
    Stream.weights,
    3,
    rows,
    cols,
    x,
    0.5,
    transposed,
  );
  const inKernel = await generated.generatedMatMul(
    5,
    Stream.weights,
    3,
    rows,
    cols,
    x,
    0.5,
    transposed,
  );
  const what = `${transposed ? 'Gᵀ' : 'G'} X, G ${rows} × ${cols}, ${n} lanes`;
  expect(relativeError(fromStore, want), `${what}: stored vs float64`).toBeLessThan(1e-5);
  expect(relativeError(inKernel, want), `${what}: generated vs float64`).toBeLessThan(1e-5);
  expect(relativeError(fromStore, inKernel), `${what}: stored vs generated`).toBeLessThan(1e-5);
}

describe('stored products (stored_matmul) on odd shapes', () => {
  it('1 × m and m × 1, m not a multiple of 4 or of a tile', async () => {
    for (const m of [1, 2, 3, 5, 63, 65, 131, 1023]) {
      for (const n of [1, 3, 70]) {
        await checkProduct(1, m, n, false);
        await checkProduct(m, 1, n, false);
        await checkProduct(1, m, n, true);
        await checkProduct(m, 1, n, true);
      }
    }
  });

  it('d × m for d = 1 … 64, both ways', async () => {
    for (let d = 1; d <= 64; d++) {
      const m = 517 + 2 * d;
      await checkProduct(d, m, 5, false);
      await checkProduct(d, m, 5, true);
    }
  });

  it('square-ish layers over narrow, wide and partial tiles of lanes', async () => {
    for (const [rows, cols, n] of [
      [257, 259, 1],
      [130, 67, 33],
      [300, 200, 130],
      [1024, 1024, 2],
      [65, 3001, 70],
    ]) {
      await checkProduct(rows, cols, n, false);
      await checkProduct(rows, cols, n, true);
    }
    expect(stored.storeBytes).toBeGreaterThan(0);
    expect(generated.storeBytes).toBe(0);
  });
});

const deep: PolynomialRequest = {
  spec: deepSpec(256),
  directions: directions('gaussian', [true, true], 2),
  grouping: 'per-block',
};

describe('what a result reports about the store', () => {
  it("stored and generated paths agree; budget 0 says 'generated', the default 'stored'", async () => {
    for (const req of [
      deep,
      { ...deep, directions: directions('aligned', [true, true], 3) },
      { ...deep, spec: { ...deepSpec(96), activation: 'identity' as const } },
    ]) {
      const a = await stored.polynomial(req);
      const b = await generated.polynomial(req);
      expect(a.store.path).toBe('stored');
      expect(a.store.generatedMatrices).toBe(0);
      expect(a.store.bytes).toBeGreaterThan(0);
      expect(a.store.bytes).toBeLessThanOrEqual(a.store.budgetBytes);
      expect(b.store).toMatchObject({
        path: 'generated',
        storedMatrices: 0,
        bytes: 0,
        budgetBytes: 0,
      });
      a.coefficients.forEach((m, d) => {
        expect(relativeError(m, b.coefficients[d])).toBeLessThan(1e-5);
      });
    }
    const grid: GridRequest = {
      spec: figure1Spec(2000, 'tanh', 'all'),
      directions: directions('tilted', [true, true], 2),
      ts: [-1, 0.5, 3],
    };
    const a = await stored.grid(grid);
    const b = await generated.grid(grid);
    expect(a.store.path).toBe('stored');
    expect(b.store.path).toBe('generated');
    a.values.forEach((m, d) => {
      expect(relativeError(m, b.values[d])).toBeLessThan(1e-5);
    });
  });

  it("past the budget matrices are generated: 'mixed', weights before directions", async () => {
    // deepSpec(256): weights of 4 KiB, 256 KiB, 2 KiB, 4 KiB, 256 KiB, 2 KiB (rows padded to
    // quads); the two gaussian directions add the same again, twice: 24 KiB of small pieces fit.
    const weightBytes = 2 * (4 + 256 + 2) * 1024;
    const tight = await GpuEngine.create(nodeGpu(), { storeBudgetBytes: weightBytes + 24 * 1024 });
    try {
      const reference = await generated.polynomial(deep);
      const a = await tight.polynomial(deep);
      expect(a.store.path).toBe('mixed');
      expect(a.store.storedMatrices).toBeGreaterThanOrEqual(6); // every weight, some small Δ
      expect(a.store.generatedMatrices).toBe(4); // the four 256 × 256 Δ pieces
      expect(a.store.bytes).toBeLessThanOrEqual(a.store.budgetBytes);
      a.coefficients.forEach((m, d) => {
        expect(relativeError(m, reference.coefficients[d])).toBeLessThan(1e-5);
      });
      // A new seed evicts the old weights (least recently used) and stays within budget.
      const other = await tight.polynomial({ ...deep, spec: { ...deep.spec, seed: 1234 } });
      expect(other.store.bytes).toBeLessThanOrEqual(other.store.budgetBytes);
      const again = await tight.polynomial(deep);
      again.coefficients.forEach((m, d) => {
        expect(Array.from(m.data)).toEqual(Array.from(a.coefficients[d].data));
      });
      tight.clearStore();
      expect(tight.storeBytes).toBe(0);
    } finally {
      tight.destroy();
    }
  });
});

describe('requests over the device limits', () => {
  it('are refused before anything is allocated, naming the width and the limit', async () => {
    // WebGPU's default limits: 128 MiB per storage binding.
    expect(generated.deviceLimits.maxStorageBufferBindingSize).toBe(128 * 2 ** 20);
    const before = generated.peakBytes;
    const req: GridRequest = {
      spec: figure1Spec(16_384),
      directions: directions('aligned', [true, true], 1),
      ts: Array.from({ length: 4096 }, (_, i) => i / 4096),
    };
    const error = await generated.grid(req).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).kind).toBe('too-large');
    const message = (error as EngineError).message;
    expect(message).toContain('16384');
    expect(message).toContain('maxStorageBufferBindingSize of 128.0 MiB');
    expect(generated.peakBytes).toBe(before);
    expect(generated.storeBytes).toBe(0);
    // The engine still works afterwards.
    const ok = await generated.grid({ ...req, spec: figure1Spec(64), ts: [0, 1] });
    expect(ok.values).toHaveLength(1);
  });
});

describe('requests started together', () => {
  it('give the same numbers as one after another', async () => {
    const poly1: PolynomialRequest = {
      spec: figure1Spec(3000),
      directions: directions('aligned', [true, true], 3),
      grouping: 'single',
    };
    const grid: GridRequest = {
      spec: deepSpec(200, 2),
      directions: directions('gaussian', [true, false], 2),
      ts: [-2, -0.5, 0.25, 1],
    };
    const poly2: PolynomialRequest = {
      spec: deepSpec(300),
      directions: directions('gradient', [true, true], 2),
      grouping: 'per-block',
    };
    const one = await stored.polynomial(poly1);
    const two = await stored.grid(grid);
    const three = await stored.polynomial(poly2);
    stored.clearStore();
    const [a, b, c] = await Promise.all([
      stored.polynomial(poly1),
      stored.grid(grid),
      stored.polynomial(poly2),
    ]);
    const same = (x: Matrix[], y: Matrix[]) =>
      expect(x.map((m) => Array.from(m.data))).toEqual(y.map((m) => Array.from(m.data)));
    same(a.coefficients, one.coefficients);
    same(b.values, two.values);
    same(c.coefficients, three.coefficients);
  });
});

describe('kernel time', () => {
  it('is measured with timestamp queries where the adapter has them', async () => {
    await stored.polynomial(deep);
    expect(stored.lastKernelMs).not.toBeNull();
    expect(stored.lastKernelMs).toBeGreaterThan(0);
    await generated.polynomial(deep);
    expect(generated.lastKernelMs).toBeNull();
  });
});
