// The CPU engine: the weight store, the shard pool and the WebAssembly kernels, each against the
// float64 model (src/model), which generates every weight per use on one thread.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ShardExecutor } from '../src/engine/cpu/executor';
import { fillRows, javascriptKernels } from '../src/engine/cpu/kernels';
import { LANE_CHUNK_COLUMNS } from '../src/engine/cpu/lanePass';
import type { ShardSpawner } from '../src/engine/cpu/pool';
import { type FromShard, SHARD_BLOCKS, type ToShard } from '../src/engine/cpu/protocol';
import { StoreLedger } from '../src/engine/cpu/storeLedger';
import { KERNELS_WASM_SOURCE_SHA256 } from '../src/engine/cpu/wasm/kernelsWasm';
import { WasmKernels } from '../src/engine/cpu/wasmKernels';
import { CpuEngine, LANE_PASS_MAX_ENTRIES } from '../src/engine/cpuEngine';
import { EngineError, type PolynomialRequest } from '../src/engine/types';
import { buildDirections, cpuDirectionOps, type DirectionRequest } from '../src/model/directions';
import { drawInput, type Matrix } from '../src/model/network';
import {
  gridLanes,
  polynomialLanes,
  polynomialLayout,
  propagateLanes,
} from '../src/model/polynomial';
import { gaussianRow, philox4x32, Stream } from '../src/model/random';
import {
  type Activation,
  type ActivationPlacement,
  type NetworkSpec,
  planLayers,
} from '../src/model/spec';
import { testShardSpawner } from './helpers/cpuPool';
import { PHILOX_KAT } from './helpers/kat';
import { deepSpec, directions, figure1Spec } from './helpers/specs';

const engines: CpuEngine[] = [];
function engine(options: ConstructorParameters<typeof CpuEngine>[0] = {}): CpuEngine {
  const e = new CpuEngine(options);
  engines.push(e);
  return e;
}
afterAll(() => {
  for (const e of engines) e.destroy();
});

const wasm = WasmKernels.create();

function maxRelativeError(got: Matrix[], want: Matrix[]): number {
  let err = 0;
  let scale = 0;
  want.forEach((m, d) => {
    m.data.forEach((v, i) => {
      scale = Math.max(scale, Math.abs(v));
      err = Math.max(err, Math.abs(got[d].data[i] - v));
    });
  });
  return scale > 0 ? err / scale : err;
}

/** The float64 model's answer: directions and lane pass with every weight generated per use. */
async function reference(
  spec: NetworkSpec,
  req: DirectionRequest,
  grouping: 'single' | 'per-block' | null,
  ts?: number[],
) {
  const dirs = await buildDirections(spec, req, cpuDirectionOps);
  const plan = grouping
    ? polynomialLanes(spec, polynomialLayout(spec, req.blockMask, grouping))
    : gridLanes(ts ?? []);
  const x = drawInput(spec.seed, spec.inputSize, 0);
  return dirs.map((d) => propagateLanes(spec, d, plan, x));
}

const allBits = (ms: Matrix[]) => ms.map((m) => Array.from(m.data));

describe('WebAssembly kernels', () => {
  it('are available here (Node has WebAssembly SIMD) and built from the committed source', () => {
    expect(wasm).not.toBeNull();
    const source = readFileSync(new URL('../src/engine/cpu/wasm/kernels.c', import.meta.url));
    const sha = createHash('sha256').update(source).digest('hex').slice(0, 16);
    // If this fails, kernels.c changed without `bash scripts/build-wasm.sh`.
    expect(KERNELS_WASM_SOURCE_SHA256).toBe(sha);
  });

  it("compute fdlibm's log exactly as Math.log for every argument the Gaussian transform uses", () => {
    // gaussianFromWord takes log((a/2^24)(b/2^24)) for 2^23 values of |n|: all of them.
    const args = new Float64Array(1 << 23);
    for (let k = 0; k < args.length; k++) {
      const an = 2 * k + 1;
      args[k] = ((0x1000000 - an) / 0x1000000) * ((0x1000000 + an) / 0x1000000);
    }
    let mismatches = 0;
    for (const arg of args) if (wasm?.log(arg) !== Math.log(arg)) mismatches++;
    expect(mismatches).toBe(0);
    // The two-lane version the row generator uses.
    const pairs = wasm?.logPairs(args) ?? new Float64Array(0);
    let pairMismatches = 0;
    for (let k = 0; k < args.length; k++) if (pairs[k] !== Math.log(args[k])) pairMismatches++;
    expect(pairMismatches).toBe(0);
  });

  it('give the Random123 Philox words and the generator rows bit for bit', () => {
    const inputs: number[] = [];
    for (const [ctr, key] of PHILOX_KAT) inputs.push(...ctr, ...key);
    const words = wasm?.philoxWords(Uint32Array.from(inputs));
    PHILOX_KAT.forEach(([, , want], i) => {
      expect(Array.from(words?.subarray(i * 4, i * 4 + 4) ?? [])).toEqual(want);
    });
    const expected = new Uint32Array(4);
    philox4x32(5, 6, 7, 8, 9, 10, expected);
    expect(Array.from(wasm?.philoxWords(Uint32Array.of(5, 6, 7, 8, 9, 10)) ?? [])).toEqual(
      Array.from(expected),
    );
    for (const [rows, cols] of [
      [3, 1],
      [7, 13],
      [64, 1026],
    ]) {
      const fromWasm = new Float32Array(rows * cols);
      wasm?.fillRows(12345, Stream.denseDirection(3), 2, cols, 10, 10 + rows, fromWasm);
      const fromJs = new Float32Array(rows * cols);
      fillRows(12345, Stream.denseDirection(3), 2, cols, 10, 10 + rows, fromJs);
      const row = new Float64Array(cols);
      for (let r = 0; r < rows; r++) {
        gaussianRow(12345, Stream.denseDirection(3), 2, 10 + r, cols, row);
        expect(Array.from(fromWasm.subarray(r * cols, (r + 1) * cols))).toEqual(Array.from(row));
      }
      expect(Array.from(fromWasm)).toEqual(Array.from(fromJs));
    }
  });

  it('multiply like the JavaScript loops, on odd shapes and lane ranges', () => {
    const js = javascriptKernels();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 21 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 1000 }),
        (rows, cols, n, accumulate, seed) => {
          const g = new Float32Array(rows * cols);
          fillRows(seed, 0, 1, cols, 0, rows, g);
          const x = Float64Array.from({ length: cols * n }, (_, i) => Math.sin(i * 0.37 + seed));
          const c0 = seed % n;
          const c1 = n - ((seed >> 3) % (n - c0));
          const y0 = Float64Array.from({ length: rows * n }, (_, i) => Math.cos(i));
          const a = y0.slice();
          const b = y0.slice();
          js.productRows(g, rows, cols, x, 0, n, c0, c1, 0.7, a, accumulate);
          wasm?.productRows(g, rows, cols, x, 0, n, c0, c1, 0.7, b, accumulate);
          for (let i = 0; i < a.length; i++)
            expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-12 * (1 + Math.abs(a[i])));
          const xr = Float64Array.from({ length: rows * n }, (_, i) => Math.tan(i * 0.1));
          const pa = new Float64Array(cols * n);
          const pb = new Float64Array(cols * n);
          js.transposedProductRows(g, rows, cols, xr, n, pa);
          wasm?.transposedProductRows(g, rows, cols, xr, n, pb);
          for (let i = 0; i < pa.length; i++)
            expect(Math.abs(pa[i] - pb[i])).toBeLessThan(1e-12 * (1 + Math.abs(pa[i])));
          expect(wasm?.sumOfSquares(g, rows * cols)).toBeCloseTo(
            js.sumOfSquares(g, rows * cols),
            10,
          );
        },
      ),
      { numRuns: 60, seed: 20261126 },
    );
  });

  it('tanh within 2 ulps of Math.tanh (sign of zero kept), ReLU exactly as Math.max(y, 0)', () => {
    if (!wasm) throw new Error('no WebAssembly SIMD');
    // Around 0, near the branch point 0.625, up to where tanh is 1 in float64, odd counts.
    const x: number[] = [0, -0, 0.625, -0.625, 0.6249999999999999, 22, -22, 40, -1e300, 5e-324];
    for (let i = 0; i < 200_001; i++) {
      const u = Math.sin(i * 12.9898) * 43758.5453;
      const f = u - Math.floor(u);
      x.push((f - 0.5) * [50, 4, 1.3, 1e-6][i % 4]);
    }
    const count = x.length;
    const { buffer, offset } = wasm.region(count * 8);
    const y = new Float64Array(buffer, offset, count);
    y.set(x);
    wasm.activate('tanh', y);
    let worst = 0;
    for (let i = 0; i < count; i++) {
      const want = Math.tanh(x[i]);
      if (want === 0) worst = Object.is(y[i], want) ? worst : Number.POSITIVE_INFINITY;
      else
        worst = Math.max(
          worst,
          Math.abs(y[i] - want) / Math.max(Math.abs(want) * 2 ** -52, Number.MIN_VALUE),
        );
    }
    expect(worst).toBeLessThanOrEqual(2);
    y.set(x);
    wasm.activate('relu', y);
    let reluMismatches = 0;
    for (let i = 0; i < count; i++) if (!Object.is(y[i], Math.max(x[i], 0))) reluMismatches++;
    expect(reluMismatches).toBe(0);
  });

  it('rank-one and column kernels match the JavaScript loops bit for bit', () => {
    if (!wasm) throw new Error('no WebAssembly SIMD');
    const js = javascriptKernels();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 19 }),
        fc.integer({ min: 0, max: 1000 }),
        (rows, out, n, seed) => {
          const c0 = seed % n;
          const c1 = n - ((seed >> 3) % (n - c0));
          const fill = (len: number, k: number) =>
            Float64Array.from({ length: len }, (_, i) => Math.sin(i * 0.71 + seed + k));
          const [h, v, w, u, y0] = [
            fill(rows * n, 1),
            fill(rows, 2),
            fill(n, 3),
            fill(out, 4),
            fill(out * n, 5),
          ];
          const bytes = 8 * (rows * n + rows + n + out + out * n + n + rows * n);
          const { buffer, offset } = wasm.region(bytes);
          let at = offset;
          const put = (a: Float64Array) => {
            const view = new Float64Array(buffer, at, a.length);
            view.set(a);
            at += a.length * 8;
            return view;
          };
          const [hv, vv, wv, uv, yv] = [put(h), put(v), put(w), put(u), put(y0)];
          const dv = put(new Float64Array(n));
          const xv = put(new Float64Array(rows * n));
          const dots = new Float64Array(n);
          js.rankOneDots(h, rows, n, c0, c1, v, w, dots);
          wasm.rankOneDots(hv, rows, n, c0, c1, vv, wv, dv);
          expect(Array.from(dv.subarray(c0, c1))).toEqual(Array.from(dots.subarray(c0, c1)));
          const y = y0.slice();
          js.rankOneAdd(y, out, n, c0, c1, u, 0.3, dots);
          wasm.rankOneAdd(yv, out, n, c0, c1, uv, 0.3, dv);
          expect(Array.from(yv)).toEqual(Array.from(y));
          const xc = new Float64Array(rows * n);
          js.scaleColumns(h, rows, n, w, xc);
          wasm.scaleColumns(hv, rows, n, wv, xv);
          expect(Array.from(xv)).toEqual(Array.from(xc));
        },
      ),
      { numRuns: 40, seed: 20261127 },
    );
  });
});

describe('CPU engine against the float64 model', () => {
  const cases: [string, NetworkSpec, DirectionRequest][] = [
    ['Figure 1 m=10^4 aligned', figure1Spec(10_000), directions('aligned', [true, true], 5)],
    ['deep m=300 gaussian', deepSpec(300), directions('gaussian', [true, true], 3)],
    [
      'deep m=300 gradient global',
      deepSpec(300),
      directions('gradient', [true, true], 2, 'global'),
    ],
    ['deep m=300 tilted W_2', deepSpec(300), directions('tilted', [false, true], 3)],
  ];
  const pooled = engine({ spawn: testShardSpawner(), workers: 3 });
  for (const [label, spec, req] of cases) {
    it(`${label}: polynomial and grid`, async () => {
      const want = await reference(spec, req, 'per-block');
      const got = await pooled.polynomial({ spec, directions: req, grouping: 'per-block' });
      expect(got.engine.precision).toBe('float64');
      expect(maxRelativeError(got.coefficients, want)).toBeLessThan(1e-12);
      const ts = [-1.3, 0, 0.4, 2];
      const wantGrid = await reference(spec, req, null, ts);
      const grid = await pooled.grid({ spec, directions: req, ts });
      expect(maxRelativeError(grid.values, wantGrid)).toBeLessThan(1e-12);
    });
  }

  it('a non-linear network on a grid (tanh everywhere)', async () => {
    const spec = figure1Spec(2000, 'tanh', 'all');
    const req = directions('aligned', [true, true], 3);
    const ts = [-2, -0.5, 0.25, 1.5];
    const want = await reference(spec, req, null, ts);
    const got = await pooled.grid({ spec, directions: req, ts });
    expect(maxRelativeError(got.values, want)).toBeLessThan(1e-12);
  });
});

describe('grid panels on the shard pool (σ and the direction terms in the executors)', () => {
  const pooled = engine({ spawn: testShardSpawner(), workers: 2 });
  const ts = Array.from({ length: 13 }, (_, i) => -2 + i / 3);
  const cases: [Activation, ActivationPlacement][] = [];
  for (const activation of ['tanh', 'relu'] as const)
    for (const placement of ['all', 'inside-blocks', 'first-block'] as const)
      cases.push([activation, placement]);

  for (const [activation, placement] of cases) {
    it(`${activation}, ${placement}: equals the float64 model for two seeds`, async () => {
      // Two seeds whose ReLU networks are alive for every placement and direction family.
      for (const seed of [2024, 2]) {
        const spec = { ...figure1Spec(3000, activation, placement), seed };
        // 13 t × 3 directions: several chunks, one of them across two directions.
        expect((ts.length * 3) % LANE_CHUNK_COLUMNS).not.toBe(0);
        for (const req of [
          directions('aligned', [true, true], 3),
          directions('gaussian', [false, true], 2),
        ]) {
          const want = await reference(spec, req, null, ts);
          expect(want.some((m) => m.data.some((v) => v !== m.data[0]))).toBe(true);
          const got = await pooled.grid({ spec, directions: req, ts });
          expect(maxRelativeError(got.values, want)).toBeLessThan(1e-12);
        }
      }
    });
  }

  it('with the JavaScript kernels (no WebAssembly SIMD) too', async () => {
    // Two in-thread executors forced onto kernels.ts, behind the same messages as workers.
    const jsSpawner: ShardSpawner = (_index, onMessage) => {
      const executor = new ShardExecutor((m) => setTimeout(() => onMessage(m), 0), {
        simd: false,
      });
      return {
        post: (message) => executor.receive(structuredClone(message)),
        terminate: () => undefined,
      };
    };
    const js = engine({ spawn: jsSpawner, workers: 2 });
    const spec = figure1Spec(2000, 'tanh', 'inside-blocks');
    for (const req of [
      directions('aligned', [true, true], 2),
      directions('gaussian', [true, false], 2),
    ]) {
      const want = await reference(spec, req, null, ts);
      const got = await js.grid({ spec, directions: req, ts });
      expect(maxRelativeError(got.values, want)).toBeLessThan(1e-12);
    }
  });

  it('a pool of 1, a pool of 3 and no pool give identical grids', async () => {
    const one = engine({ spawn: testShardSpawner(), workers: 1 });
    const three = engine({ spawn: testShardSpawner(), workers: 3 });
    const none = engine();
    const spec = figure1Spec(2500, 'tanh', 'all');
    for (const req of [
      directions('tilted', [true, true], 3),
      directions('gaussian', [true, true], 2),
    ]) {
      const r = { spec, directions: req, ts };
      const [a, b, c] = [await one.grid(r), await three.grid(r), await none.grid(r)];
      expect(allBits(b.values)).toEqual(allBits(a.values));
      expect(allBits(c.values)).toEqual(allBits(a.values));
    }
  });

  it('past LANE_PASS_MAX_ENTRIES: the row-sharded pass, σ and rank-one terms in its epilogue', async () => {
    const spec: NetworkSpec = { ...deepSpec(760), activation: 'tanh', placement: 'inside-blocks' };
    const entries = planLayers(spec).reduce((sum, l) => sum + l.inSize * l.outSize, 0);
    expect(entries).toBeGreaterThan(LANE_PASS_MAX_ENTRIES);
    const req = directions('aligned', [true, true], 2);
    const few = [-1.5, 0.5, 2];
    const want = await reference(spec, req, null, few);
    const got = await pooled.grid({ spec, directions: req, ts: few });
    expect(maxRelativeError(got.values, want)).toBeLessThan(1e-12);
    const alone = await engine().grid({ spec, directions: req, ts: few });
    expect(allBits(alone.values)).toEqual(allBits(got.values));
  });
});

describe('weight store', () => {
  const spec = deepSpec(400);
  const req: PolynomialRequest = {
    spec,
    directions: directions('gaussian', [true, true], 3),
    grouping: 'single',
  };
  const layers = planLayers(spec);
  const weightBytes = layers.reduce((s, l) => s + l.inSize * l.outSize * 4, 0);

  it('stored and generated paths give bit-identical results and say which ran', async () => {
    const stored = await engine({ spawn: testShardSpawner(), workers: 2 }).polynomial(req);
    const generated = await engine({
      spawn: testShardSpawner(),
      workers: 2,
      storeBudgetBytes: 0,
    }).polynomial(req);
    expect(stored.store.path).toBe('stored');
    expect(stored.store.generatedMatrices).toBe(0);
    expect(stored.store.bytes).toBeGreaterThan(weightBytes);
    expect(generated.store.path).toBe('generated');
    expect(generated.store.bytes).toBe(0);
    expect(allBits(stored.coefficients)).toEqual(allBits(generated.coefficients));
  });

  it('past the budget: weights first, then generation, and the result says so', async () => {
    const e = engine({ storeBudgetBytes: weightBytes + 1000 });
    const result = await e.polynomial(req);
    expect(result.store.path).toBe('mixed');
    // The network's six layers fit; no dense direction fits in the 1000 bytes left.
    expect(result.store.storedMatrices).toBe(layers.length);
    expect(result.store.generatedMatrices).toBe(3 * layers.length);
    expect(result.store.bytes).toBeLessThanOrEqual(weightBytes + 1000);
    const again = await e.polynomial(req);
    expect(allBits(again.coefficients)).toEqual(allBits(result.coefficients));
  });

  it('is reused across requests and replaced when the network changes', async () => {
    const e = engine({ spawn: testShardSpawner(), workers: 2, storeBudgetBytes: 3 * weightBytes });
    const aligned = { ...req, directions: directions('aligned', [true, true], 3) };
    const first = await e.polynomial(aligned);
    const bytes = e.storeBytes;
    const second = await e.polynomial({
      ...aligned,
      directions: { ...aligned.directions, seed: 5 },
    });
    expect(e.storeBytes).toBe(bytes); // new directions, same weights: nothing new stored
    expect(second.store.path).toBe('stored');
    expect(first.store.bytes).toBe(bytes);
    // Two more networks do not fit beside it: the least recently used is dropped.
    await e.polynomial({ ...aligned, spec: { ...spec, seed: 1 } });
    await e.polynomial({ ...aligned, spec: { ...spec, seed: 2 } });
    expect(e.storeBytes).toBeLessThanOrEqual(3 * weightBytes);
    const back = await e.polynomial(aligned);
    expect(allBits(back.coefficients)).toEqual(allBits(first.coefficients));
  });

  it('ledger: keeps what a request uses, evicts least recently used, never over budget', () => {
    const ledger = new StoreLedger(100);
    expect(
      ledger.plan([
        { key: 'a', bytes: 40 },
        { key: 'b', bytes: 40 },
        { key: 'c', bytes: 40 },
      ]).evict,
    ).toEqual([]);
    expect(ledger.has('a') && ledger.has('b') && !ledger.has('c')).toBe(true);
    expect(
      ledger.plan([
        { key: 'c', bytes: 40 },
        { key: 'a', bytes: 40 },
      ]).evict,
    ).toEqual(['b']);
    expect(ledger.has('c') && ledger.has('a')).toBe(true);
    expect(ledger.plan([{ key: 'huge', bytes: 101 }]).evict).toEqual([]);
    expect(ledger.has('huge')).toBe(false);
    expect(ledger.bytes).toBe(80);
  });
});

describe('shard pool', () => {
  const spec = deepSpec(333);
  const cases: DirectionRequest[] = [
    directions('aligned', [true, true], 4),
    directions('gaussian', [true, false], 2),
    directions('gradient', [true, true], 3),
  ];

  it('a pool of 1, a pool of 3 and no pool give identical results', async () => {
    const one = engine({ spawn: testShardSpawner(), workers: 1 });
    const three = engine({ spawn: testShardSpawner(), workers: 3 });
    const none = engine();
    for (const req of cases) {
      const r = { spec, directions: req, grouping: 'per-block' as const };
      const [a, b, c] = [
        await one.polynomial(r),
        await three.polynomial(r),
        await none.polynomial(r),
      ];
      expect(allBits(b.coefficients)).toEqual(allBits(a.coefficients));
      expect(allBits(c.coefficients)).toEqual(allBits(a.coefficients));
    }
  });

  it('cancelling stops every worker', async () => {
    // Count the blocks the workers send back for each job after the cancel.
    const blocksAfterCancel = { count: 0, cancelled: false };
    const inner = testShardSpawner();
    const counting: ShardSpawner = (index, onMessage, onError) =>
      inner(
        index,
        (message: FromShard) => {
          if (blocksAfterCancel.cancelled && message.type === 'block') blocksAfterCancel.count++;
          onMessage(message);
        },
        onError,
      );
    const e = engine({ spawn: counting, workers: 2, storeBudgetBytes: 0 });
    const controller = new AbortController();
    // m = 6000, weights generated per use (budget 0): each of the 32 blocks of a 6000 × 6000
    // layer takes tens of milliseconds, and the request passes two such layers twice (trace and
    // lane pass): 128 blocks, over a second of work, of which the cancel comes early.
    const big = {
      spec: deepSpec(6000),
      directions: directions('aligned', [true, true], 8),
      grouping: 'single' as const,
    };
    const running = e.polynomial(big, {
      signal: controller.signal,
      onProgress: () => undefined,
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    blocksAfterCancel.cancelled = true;
    controller.abort();
    await expect(running).rejects.toSatisfy(
      (error) => error instanceof EngineError && error.kind === 'cancelled',
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // A worker finishes what it is in until it next lets messages in (≤ 15 ms of blocks) and some
    // replies may be in flight: a handful at most, never the rest of the 128.
    expect(blocksAfterCancel.count).toBeLessThanOrEqual(8);
    // And the pool works afterwards.
    const small = await e.polynomial({
      spec: deepSpec(100),
      directions: directions('aligned', [true, true], 2),
      grouping: 'single',
    });
    expect(small.coefficients).toHaveLength(2);
  });

  it('an executor answers a cancel between blocks', async () => {
    const replies: FromShard[] = [];
    const executor = new ShardExecutor((m) => replies.push(m));
    const matrix = { seed: 1, stream: 0, layer: 1, rows: 3200, cols: 3000, store: false };
    const x = new Float64Array(3000 * 4).fill(1);
    const all = Array.from({ length: SHARD_BLOCKS }, (_, b) => b);
    const message: ToShard = {
      type: 'product',
      job: 7,
      blocks: all,
      matrix,
      x,
      n: 4,
      alpha: 1,
      dense: [],
      xc: null,
    };
    executor.receive(message);
    await new Promise((resolve) => setTimeout(resolve, 50));
    executor.receive({ type: 'cancel', job: 7 });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(replies.length).toBeGreaterThan(0);
    expect(replies.length).toBeLessThan(SHARD_BLOCKS);
  });

  it('requests started together give the same numbers as one after another', async () => {
    const e = engine({ spawn: testShardSpawner(), workers: 2 });
    const poly = { spec, directions: cases[0], grouping: 'per-block' as const };
    const grid = { spec, directions: cases[1], ts: [-1, 0.5, 2] };
    const poly2 = { spec: deepSpec(120), directions: cases[2], grouping: 'single' as const };
    const [a, b, c] = await Promise.all([e.polynomial(poly), e.grid(grid), e.polynomial(poly2)]);
    const a1 = await e.polynomial(poly);
    const b1 = await e.grid(grid);
    const c1 = await e.polynomial(poly2);
    expect(allBits(a.coefficients)).toEqual(allBits(a1.coefficients));
    expect(allBits(b.values)).toEqual(allBits(b1.values));
    expect(allBits(c.coefficients)).toEqual(allBits(c1.coefficients));
  });

  it('a crashed worker fails the request with its message, and the next request works', async () => {
    const inner = testShardSpawner();
    let crashNext = true;
    const crashing: ShardSpawner = (index, onMessage, onError) => {
      const port = inner(index, onMessage, onError);
      return {
        ...port,
        post: (message, transfer) => {
          if (crashNext && message.type === 'product') {
            crashNext = false;
            setTimeout(() => onError('simulated crash'), 0);
            return;
          }
          port.post(message, transfer);
        },
      };
    };
    const e = engine({ spawn: crashing, workers: 2 });
    const req = {
      spec: deepSpec(300),
      directions: directions('aligned', [true, true], 2),
      grouping: 'single' as const,
    };
    await expect(e.polynomial(req)).rejects.toThrow(/simulated crash/);
    const ok = await e.polynomial(req);
    expect(ok.coefficients).toHaveLength(2);
  });
});
