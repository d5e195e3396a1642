// Engine benchmark (not a test). In one run: the CPU engine (stored weights, every core), a numpy
// script doing the same job the way a researcher would (bench/numpy_peer.py), and the GPU engine
// on whatever adapter Dawn finds. Prints a table and writes bench/results/engine-bench.json.
//
//   npm run bench                    full run (m = 256, 1024, 4096; aligned and gaussian; Figure 1)
//   npm run bench -- --cpu-only      skip the GPU engine (SwiftShader is slower than the CPU)
//   npm run bench -- --quick         m = 256 and 1024 only
//   npm run bench -- --out=FILE      JSON elsewhere
//   npm run bench -- --live-only     the live row alone (with --quick: 12 recomputes, else 40)
//
// Then the "live" row: Figure 1's exact panels (all weights, W_1 only, W_2 only) recomputed as the
// width slider steps one notch at a time (m = 10000, 9772, 9550, …), per second, on each engine
// and by the numpy peer's float64 exact-polynomial recompute.
//
// Job: 15 directions, all weights perturbed, exact polynomial of t ↦ g(W + tΔ; x) (the engines)
// against g evaluated directly at 201 values of t with stored float32 weights (numpy).
// cold = the first request on a network (the store is filled: every weight generated once);
// warm = the same request again (a recompute after a control change that keeps the network).

import { writeFileSync } from 'node:fs';
import { nodeCores, nodeShardSpawner } from '../src/engine/cpu/nodeShards';
import { CpuEngine } from '../src/engine/cpuEngine';
import { GpuEngine } from '../src/engine/gpu';
import type { Engine, PolynomialRequest, PolynomialResult } from '../src/engine/types';
import {
  computePanel,
  directionRequest,
  panelGrouping,
  planPanels,
} from '../src/experiments/figure';
import { FIGURE1, type FigureSettings } from '../src/experiments/settings';
import type { DirectionFamily } from '../src/model/directions';
import type { NetworkSpec } from '../src/model/spec';
import { planLayers } from '../src/model/spec';
import { nodeGpu } from '../tests/helpers/nodeGpu';
import { knownGpuRates } from './gpuRates';
import { runPythonPeer } from './peers';

const DIRECTIONS = 15;
const NUMPY_POINTS = 201;

interface Workload {
  name: string;
  spec: NetworkSpec;
  family: DirectionFamily;
}

function spec(layers: number, width: number): NetworkSpec {
  return {
    blocks: [
      { layers, width },
      { layers, width },
    ],
    inputSize: 1,
    bottleneckWidths: [1],
    outputSize: 1,
    activation: 'identity',
    placement: 'none',
    seed: 1,
  };
}

function workloads(quick: boolean): Workload[] {
  const widths = quick ? [256, 1024] : [256, 1024, 4096];
  const out: Workload[] = [{ name: 'figure1 m=10^4', spec: spec(2, 10_000), family: 'aligned' }];
  for (const m of widths) {
    for (const family of ['aligned', 'gaussian'] as const) {
      out.push({ name: `deep L_b=3 m=${m}`, spec: spec(3, m), family });
    }
  }
  return out;
}

function request(w: Workload): PolynomialRequest {
  return {
    spec: w.spec,
    directions: {
      family: w.family,
      normalisation: 'per-layer',
      blockMask: w.spec.blocks.map(() => true),
      count: DIRECTIONS,
      seed: 7,
      outputIndex: 0,
    },
    grouping: 'single',
  };
}

/**
 * Multiply-adds the CPU engine performs: forward trace, norms (gaussian), and the lane pass over
 * the lanes that can be non-zero (one t, every layer perturbed: ℓ + 1 lanes per direction enter
 * layer ℓ, one more with a dense Δ).
 */
function engineMultiplyAdds(w: Workload): number {
  const layers = planLayers(w.spec);
  let macs = 0;
  for (const l of layers) {
    const mn = l.inSize * l.outSize;
    const liveLanes = l.index + 1;
    macs += mn; // forward trace
    if (w.family === 'gaussian') {
      const lanes = Math.min(liveLanes + 1, layers.length + 1);
      macs += 2 * mn * lanes * DIRECTIONS + mn * DIRECTIONS; // W and Δ products, norms
    } else {
      macs += mn * liveLanes * DIRECTIONS;
    }
  }
  return macs;
}

/**
 * The CPU's floor for that work: multiply-adds over the peak of float64 SIMD without fused
 * multiply-add (two f64x2 multiplies and two adds per cycle per core, 2 MAC/cycle) at the clock
 * BENCH_CPU_GHZ (default 2.5), on every core.
 */
function cpuFloorMs(macs: number, cores: number): number {
  const ghz = Number(process.env.BENCH_CPU_GHZ ?? 2.5);
  return (macs / (2 * ghz * 1e9 * cores)) * 1e3;
}

/**
 * The GPU's floor for a warm request with stored weights: max(2 FLOPs per multiply-add / fp32
 * peak, bytes / bandwidth) with every weight read once per lane pass and every state read and
 * written once (float32). Null for adapters without known rates (set BENCH_FP32_TFLOPS and
 * BENCH_BANDWIDTH_GBS).
 */
function gpuFloorMs(w: Workload, macs: number, adapter: string): number | null {
  const rates = knownGpuRates(adapter);
  if (!rates) return null;
  const lanes = DIRECTIONS * (planLayers(w.spec).length + 1);
  const bytes = planLayers(w.spec).reduce(
    (sum, l) => sum + 4 * (l.inSize * l.outSize + (l.inSize + l.outSize) * lanes),
    0,
  );
  return Math.max((2 * macs) / (rates.fp32Tflops * 1e12), bytes / (rates.bandwidthGBs * 1e9)) * 1e3;
}

/** Multiply-adds of the numpy job: W H and Δ H (dense) per layer over 201 t per direction. */
function numpyMultiplyAdds(w: Workload): number {
  const perLayer = planLayers(w.spec).map((l) => l.inSize * l.outSize);
  const sum = perLayer.reduce((a, b) => a + b, 0);
  const cols = DIRECTIONS * NUMPY_POINTS;
  return w.family === 'gaussian' ? 2 * sum * cols : sum * cols;
}

interface NumpyResult {
  ms: number;
  msMin?: number;
  setupMs?: number;
  evalMs?: number;
  numpy?: string;
  error?: string;
}

function numpyPeer(w: Workload, repeat: number): NumpyResult | null {
  const args = [
    `--family=${w.family}`,
    `--layers=${w.spec.blocks.map((b) => b.layers).join(',')}`,
    `--widths=${w.spec.blocks.map((b) => b.width).join(',')}`,
    `--directions=${DIRECTIONS}`,
    `--points=${NUMPY_POINTS}`,
    `--repeat=${repeat}`,
  ];
  return runPythonPeer<NumpyResult>('bench/numpy_peer.py', args);
}

async function timeRequest(engine: Engine, req: PolynomialRequest) {
  const start = performance.now();
  const result: PolynomialResult = await engine.polynomial(req);
  return { ms: performance.now() - start, result };
}

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- the live row ------------------------------------------------------------------------------

/** Directions per panel in Figure 1 (the preset's). */
const LIVE_DIRECTIONS = FIGURE1.directions;

/** Untimed recomputes before the live row's timed ones (JIT tiers, worker start, BLAS threads). */
const LIVE_WARMUP = 8;

/**
 * Widths one slider notch apart: the width slider moves log10(m) in steps of 0.01
 * (src/ui/fields.tsx), so m = round(10^(4 + 0.01 (LIVE_WARMUP − k))): 12023, …, 10233 (the
 * warm-up, untimed), then 10000, 9772, 9550, …
 */
function notchWidths(steps: number): number[] {
  return Array.from({ length: steps + LIVE_WARMUP }, (_, k) =>
    Math.round(10 ** (4 + 0.01 * (LIVE_WARMUP - k))),
  );
}

/** Figure 1 without its tanh panel: the three exact panels, at width m. */
function liveSettings(m: number): FigureSettings {
  return { ...FIGURE1, contrast: 'none', widths: [m, m] };
}

/** Host waits and submits on the GPU engine, counted by wrapping the prototypes. */
function countGpuWaits() {
  const counts = { submits: 0, workDone: 0, maps: 0 };
  const undo: (() => void)[] = [];
  const g = globalThis as unknown as Record<string, { prototype: Record<string, unknown> }>;
  const wrap = (cls: string, name: string, field: keyof typeof counts) => {
    const proto = g[cls]?.prototype;
    const original = proto?.[name];
    if (!proto || typeof original !== 'function') return;
    proto[name] = function (this: unknown, ...args: unknown[]) {
      counts[field]++;
      return original.apply(this, args);
    };
    undo.push(() => {
      proto[name] = original;
    });
  };
  wrap('GPUQueue', 'submit', 'submits');
  wrap('GPUQueue', 'onSubmittedWorkDone', 'workDone');
  wrap('GPUBuffer', 'mapAsync', 'maps');
  return {
    counts,
    restore: () => {
      for (const u of undo) u();
    },
  };
}

interface LiveResult {
  recomputesPerSecond: number;
  medianMs: number;
  minMs: number;
  /** GPU engine: submits and host waits (onSubmittedWorkDone + mapAsync) per figure. */
  submitsPerFigure?: number;
  waitsPerFigure?: number;
}

/**
 * Recomputes the exact panels at each width after the first LIVE_WARMUP, one after another:
 * `panels` as the app does (computePanel: the engine's request, then the panel's fits, model,
 * deviation and degree table), else the engine's three polynomial requests alone (the work the
 * numpy peer does).
 */
async function liveRecomputes(
  engine: Engine,
  widths: number[],
  gpu: boolean,
  panels: boolean,
): Promise<LiveResult> {
  const figure = async (m: number) => {
    const settings = liveSettings(m);
    for (const panel of planPanels(settings)) {
      if (panels) await computePanel(engine, settings, panel);
      else
        await engine.polynomial({
          spec: panel.spec,
          directions: directionRequest(settings, panel.blockMask),
          grouping: panelGrouping(panel),
        });
    }
  };
  for (const m of widths.slice(0, LIVE_WARMUP)) await figure(m);
  const counter = gpu ? countGpuWaits() : null;
  const times: number[] = [];
  for (const m of widths.slice(LIVE_WARMUP)) {
    const start = performance.now();
    await figure(m);
    times.push(performance.now() - start);
  }
  counter?.restore();
  const total = times.reduce((a, b) => a + b, 0);
  const result: LiveResult = {
    recomputesPerSecond: (times.length / total) * 1e3,
    medianMs: median(times),
    minMs: Math.min(...times),
  };
  if (counter) {
    result.submitsPerFigure = counter.counts.submits / times.length;
    result.waitsPerFigure = (counter.counts.workDone + counter.counts.maps) / times.length;
  }
  return result;
}

/**
 * The physical floor of one live recompute on this machine, from the work the CPU engine does:
 * FLOPs (products W H on every coefficient lane, the rank-one terms vᵀ X_c and u dots on the
 * perturbed layers; 45, 15 and 15 lanes for the three panels) over the float64 SIMD peak, the
 * bytes the wide states must move at least (each m × lanes float64 state written once and read
 * once; the weights are 4m float32) over the memory bandwidth (BENCH_BANDWIDTH_GBS, default 20),
 * and the new network's 4m weights through Philox (≈ 28 ns each per core, docs/engine.md).
 */
function liveFloor(m: number, cores: number) {
  const ghz = Number(process.env.BENCH_CPU_GHZ ?? 2.5);
  const bandwidth = Number(process.env.BENCH_BANDWIDTH_GBS ?? 20);
  const panels = [
    { lanes: 9 * LIVE_DIRECTIONS, perturbed: [true, true, true, true] },
    { lanes: 3 * LIVE_DIRECTIONS, perturbed: [true, true, false, false] },
    { lanes: 3 * LIVE_DIRECTIONS, perturbed: [false, false, true, true] },
  ];
  let flops = 0;
  let bytes = 4 * m * 4;
  for (const p of panels) {
    for (const perturbed of p.perturbed) flops += (perturbed ? 6 : 2) * m * p.lanes;
    bytes += 2 * 2 * m * p.lanes * 8; // two m-wide states per panel, written and read
  }
  const computeMs = (flops / (4 * ghz * 1e9 * cores)) * 1e3;
  const bytesMs = (bytes / (bandwidth * 1e9)) * 1e3;
  const generateMs = (4 * m * 28e-9 * 1e3) / cores;
  return {
    flops,
    bytes,
    computeMs,
    bytesMs,
    generateMs,
    floorMs: Math.max(computeMs, bytesMs) + generateMs,
  };
}

interface NumpyLive {
  recomputesPerSecond: number;
  medianMs: number;
  minMs: number;
  numpy?: string;
  blas?: Record<string, unknown>;
  error?: string;
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const cpuOnly = args.includes('--cpu-only');
  const liveOnly = args.includes('--live-only');
  const repeat = Number(args.find((a) => a.startsWith('--repeat='))?.slice(9) ?? 3);
  const outPath =
    args.find((a) => a.startsWith('--out='))?.slice(6) ?? 'bench/results/engine-bench.json';

  const cores = nodeCores();
  const cpu = new CpuEngine({
    spawn: nodeShardSpawner(new URL('./shard-worker.mjs', import.meta.url)),
    workers: cores,
  });
  console.log(
    `CPU engine: ${cpu.info.adapter}; store budget ${cpu.storeBudgetBytes / 2 ** 20} MiB`,
  );
  let gpu: GpuEngine | null = null;
  if (!cpuOnly) {
    try {
      gpu = await GpuEngine.create(nodeGpu());
      console.log(`GPU engine: ${gpu.info.adapter}`);
    } catch (error) {
      console.log(`GPU engine unavailable (${(error as Error).message}); CPU and numpy only`);
    }
  }
  // Start the shard workers (as the app has them started) before any timing.
  await cpu.polynomial(request({ name: 'warm-up', spec: spec(3, 512), family: 'aligned' }));

  const rows = [];
  for (const w of liveOnly ? [] : workloads(quick)) {
    const req = request(w);
    const width = Math.max(...w.spec.blocks.map((b) => b.width));
    const cold: number[] = [];
    const warm: number[] = [];
    let last: PolynomialResult | null = null;
    for (let i = 0; i < repeat; i++) {
      cpu.clearStore();
      const c = await timeRequest(cpu, req);
      cold.push(c.ms);
      const h = await timeRequest(cpu, req);
      warm.push(h.ms);
      last = h.result;
    }
    const numpy = numpyPeer(w, repeat);
    let gpuMs: number | null = null;
    let gpuKernelMs: number | null = null;
    if (gpu) {
      await gpu.polynomial(req);
      const times = [];
      const kernel = [];
      for (let i = 0; i < repeat; i++) {
        const g = await timeRequest(gpu, req);
        times.push(g.ms);
        if (g.result.timing.kernelMs !== undefined) kernel.push(g.result.timing.kernelMs);
      }
      gpuMs = median(times);
      gpuKernelMs = kernel.length > 0 ? median(kernel) : null;
    }
    const cpuMs = median(cold);
    const cpuWarmMs = median(warm);
    const macs = engineMultiplyAdds(w);
    const row = {
      workload: w.name,
      family: w.family,
      width,
      directions: DIRECTIONS,
      cpuMs,
      cpuWarmMs,
      numpyMs: numpy?.ms ?? null,
      numpySetupMs: numpy?.setupMs ?? null,
      ratio: numpy ? cpuMs / numpy.ms : null,
      warmRatio: numpy ? cpuWarmMs / numpy.ms : null,
      gpuMs,
      gpuKernelMs,
      gpuFloorMs: gpu ? gpuFloorMs(w, macs, `${gpu.info.adapter} ${gpu.adapterInfo.device}`) : null,
      cpuMultiplyAdds: macs,
      numpyMultiplyAdds: numpyMultiplyAdds(w),
      cpuWarmGmacs: macs / (cpuWarmMs * 1e6),
      cpuFloorMs: cpuFloorMs(macs, cores),
      numpyGmacs: numpy ? numpyMultiplyAdds(w) / (numpy.ms * 1e6) : null,
      storePath: last?.store.path,
      storeBytes: cpu.storeBytes,
      cores,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }

  const f = (v: number | null | undefined, d = 1) => (v == null ? '—' : v.toFixed(d));
  console.log(
    '\n| workload | family | CPU cold ms | CPU warm ms | numpy ms | cold/numpy | warm/numpy | GPU ms (kernel) | GPU floor ms | store | CPU GMAC/s (warm) | CPU floor ms | numpy GMAC/s |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.workload} | ${r.family} | ${f(r.cpuMs)} | ${f(r.cpuWarmMs)} | ${f(r.numpyMs)} | ${f(r.ratio, 3)} | ${f(r.warmRatio, 3)} | ${f(r.gpuMs)} (${f(r.gpuKernelMs)}) | ${f(r.gpuFloorMs, 3)} | ${r.storePath} ${f(r.storeBytes / 2 ** 20)} MiB | ${f(r.cpuWarmGmacs, 2)} | ${f(r.cpuFloorMs)} | ${f(r.numpyGmacs, 2)} |`,
    );
  }
  // The live row.
  const widths = notchWidths(quick ? 12 : 40);
  console.log(
    `\nlive: Figure 1's exact panels, ${widths.length - LIVE_WARMUP} recomputes, m = ${widths[LIVE_WARMUP]}, ${widths[LIVE_WARMUP + 1]}, … ${widths[widths.length - 1]} (one slider notch each)`,
  );
  const liveCpu = await liveRecomputes(cpu, widths, false, false);
  const liveCpuPanels = await liveRecomputes(cpu, widths, false, true);
  const liveGpu = gpu ? await liveRecomputes(gpu, widths, true, false) : null;
  const liveGpuPanels = gpu ? await liveRecomputes(gpu, widths, true, true) : null;
  const liveNumpy = runPythonPeer<NumpyLive>('bench/numpy_peer.py', [
    `--live-widths=${widths.join(',')}`,
    `--live-warmup=${LIVE_WARMUP}`,
    `--directions=${LIVE_DIRECTIONS}`,
  ]);
  const floor = liveFloor(widths[LIVE_WARMUP], cores);
  const live = {
    workload: 'live: Figure 1 exact panels, m one notch per recompute',
    widths,
    directions: LIVE_DIRECTIONS,
    cpu: liveCpu,
    cpuPanels: liveCpuPanels,
    gpu: liveGpu,
    gpuPanels: liveGpuPanels,
    gpuAdapter: gpu ? `${gpu.info.adapter}` : null,
    numpy: liveNumpy,
    cpuOverNumpy: liveNumpy ? liveCpu.recomputesPerSecond / liveNumpy.recomputesPerSecond : null,
    floor,
    cores,
  };
  console.log(JSON.stringify(live));
  console.log(
    '\n| live row | recomputes/s | median ms | min ms | waits/figure (submits) |\n|---|---|---|---|---|',
  );
  const liveLine = (name: string, r: LiveResult) =>
    console.log(
      `| ${name} | ${f(r.recomputesPerSecond)} | ${f(r.medianMs)} | ${f(r.minMs)} | ${r.waitsPerFigure === undefined ? '—' : `${f(r.waitsPerFigure)} (${f(r.submitsPerFigure)})`} |`,
    );
  liveLine('CPU engine, 3 requests', liveCpu);
  liveLine('CPU engine, 3 panels (+ fits, degree table)', liveCpuPanels);
  if (liveGpu && liveGpuPanels) {
    liveLine(`GPU engine (${gpu?.info.adapter}), 3 requests`, liveGpu);
    liveLine('GPU engine, 3 panels', liveGpuPanels);
  }
  if (liveNumpy) {
    console.log(
      `| numpy float64 (${liveNumpy.blas?.corename ?? liveNumpy.blas?.name ?? 'BLAS'}, ${liveNumpy.blas?.numThreads ?? '?'} threads) | ${f(liveNumpy.recomputesPerSecond)} | ${f(liveNumpy.medianMs)} | ${f(liveNumpy.minMs)} | — |`,
    );
    console.log(`numpy BLAS: ${JSON.stringify(liveNumpy.blas)}`);
  }
  console.log(
    `| floor (${(floor.flops / 1e6).toFixed(1)} MFLOP, ${(floor.bytes / 2 ** 20).toFixed(1)} MiB, 4m weights generated) | ${f(1e3 / floor.floorMs)} | ${f(floor.floorMs, 2)} | | |`,
  );

  writeFileSync(
    outPath,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        cpu: cpu.info.adapter,
        gpu: gpu?.info.adapter ?? null,
        cores,
        rows,
        live,
      },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${outPath}`);
  cpu.destroy();
  gpu?.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
