// Engine benchmark (not a test): the GPU engine on whatever adapter Dawn finds, against the CPU
// engine on the same work in the same run. Prints a table and writes JSON.
//
//   npm run bench                 full run
//   npm run bench -- --quick      smaller widths (for software adapters)
//
// Work per experiment = the exact-polynomial lane pass of `directions` aligned directions with
// all weights perturbed (lanes = directions × (L + 1) coefficients), directions set-up included.
// Floors: FLOPs / fp32 rate, bytes / bandwidth and Philox integer ops / int32 rate, for the
// device named in DEVICE_RATES (or BENCH_FP32_TFLOPS / BENCH_INT32_TOPS / BENCH_BANDWIDTH_GBS).

import { writeFileSync } from 'node:fs';
import { CpuEngine } from '../src/engine/cpuEngine';
import { GpuEngine } from '../src/engine/gpuEngine';
import type { Engine, PolynomialRequest } from '../src/engine/types';
import type { NetworkSpec } from '../src/model/spec';
import { planLayers } from '../src/model/spec';
import { nodeGpu } from '../tests/helpers/nodeGpu';

interface DeviceRates {
  fp32Tflops: number;
  int32Tops: number;
  bandwidthGBs: number;
}

/** Published peak rates (dense, no tensor cores). int32 runs at half the fp32 FMA rate on Hopper. */
const DEVICE_RATES: [RegExp, DeviceRates][] = [
  [/H100.*PCIe/i, { fp32Tflops: 51.2, int32Tops: 25.6, bandwidthGBs: 2000 }],
  [/H100/i, { fp32Tflops: 66.9, int32Tops: 33.5, bandwidthGBs: 3350 }],
  [/H200/i, { fp32Tflops: 66.9, int32Tops: 33.5, bandwidthGBs: 4800 }],
];

/** Integer ops of one Philox4x32-10 call as written in shaders/random.wgsl (4 entries). */
const PHILOX_INT_OPS = 10 * (2 * 13 + 2 + 4 + 2);
/** Lanes per workgroup tile in generated_matmul.wgsl: each tile regenerates its rows. */
const TILE_LANES = 32;

interface Workload {
  name: string;
  spec: NetworkSpec;
  directions: number;
}

function spec(blocks: [number, number][], d: number, r: number[], k: number): NetworkSpec {
  return {
    blocks: blocks.map(([layers, width]) => ({ layers, width })),
    inputSize: d,
    bottleneckWidths: r,
    outputSize: k,
    activation: 'identity',
    placement: 'none',
    seed: 1,
  };
}

function workloads(quick: boolean): Workload[] {
  const deepWidths = quick ? [256, 512] : [256, 1024, 4096];
  return [
    {
      name: 'figure1 m=10^4',
      spec: spec(
        [
          [2, 10_000],
          [2, 10_000],
        ],
        1,
        [1],
        1,
      ),
      directions: 15,
    },
    ...deepWidths.map((m) => ({
      name: `deep B=2 L_b=3 m=${m}`,
      spec: spec(
        [
          [3, m],
          [3, m],
        ],
        1,
        [1],
        1,
      ),
      directions: 15,
    })),
  ];
}

function request(w: Workload): PolynomialRequest {
  return {
    spec: w.spec,
    directions: {
      family: 'aligned',
      normalisation: 'per-layer',
      blockMask: w.spec.blocks.map(() => true),
      count: w.directions,
      seed: 7,
      outputIndex: 0,
    },
    grouping: 'single',
  };
}

/** Work of one experiment: the forward trace (1 lane) plus the lane pass. */
function workOf(w: Workload) {
  const layers = planLayers(w.spec);
  const L = layers.length;
  const lanes = w.directions * (L + 1);
  let flops = 0;
  let bytes = 0;
  let philox = 0;
  for (const layer of layers) {
    const mn = layer.outSize * layer.inSize;
    // Lane pass: W^(ℓ) over all lanes + rank-one Δ terms; trace: W^(ℓ) over one lane.
    flops += 2 * mn * lanes + 2 * (layer.outSize + layer.inSize) * lanes + 2 * mn;
    // Every state read once and written once (float32).
    bytes += 4 * (layer.inSize + layer.outSize) * (lanes + 1);
    philox += (mn / 4) * (Math.ceil(lanes / TILE_LANES) + 1);
  }
  return { flops, bytes, intOps: philox * PHILOX_INT_OPS, lanes };
}

function ratesFor(adapter: string): DeviceRates | null {
  const env = process.env;
  if (env.BENCH_FP32_TFLOPS) {
    return {
      fp32Tflops: Number(env.BENCH_FP32_TFLOPS),
      int32Tops: Number(env.BENCH_INT32_TOPS ?? Number(env.BENCH_FP32_TFLOPS) / 2),
      bandwidthGBs: Number(env.BENCH_BANDWIDTH_GBS ?? 1000),
    };
  }
  return DEVICE_RATES.find(([re]) => re.test(adapter))?.[1] ?? null;
}

interface Times {
  totalMs: number;
  setupMs: number;
  passMs: number;
}

/** Medians over `repeats` runs of the whole request and of its two parts. */
async function time(engine: Engine, req: PolynomialRequest, repeats: number): Promise<Times> {
  const runs: Times[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    const result = await engine.polynomial(req);
    runs.push({
      totalMs: performance.now() - start,
      setupMs: result.timing.setupMs,
      passMs: result.timing.passMs,
    });
  }
  const median = (key: keyof Times) =>
    runs.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(runs.length / 2)];
  return { totalMs: median('totalMs'), setupMs: median('setupMs'), passMs: median('passMs') };
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const skipCpuAbove = Number(process.env.BENCH_CPU_MAX_WIDTH ?? 4096);
  const outPath =
    args.find((a) => a.startsWith('--out='))?.slice(6) ?? 'bench/results/engine-bench.json';

  const gpu = await GpuEngine.create(nodeGpu());
  const cpu = new CpuEngine();
  const adapter = gpu.info.adapter;
  const rates = ratesFor(`${adapter} ${gpu.adapterInfo.device}`);
  console.log(
    `adapter: ${adapter} (vendor=${gpu.adapterInfo.vendor}, architecture=${gpu.adapterInfo.architecture}, device=${gpu.adapterInfo.device})`,
  );
  console.log(
    rates
      ? `peak rates used for floors: fp32 ${rates.fp32Tflops} TFLOP/s, int32 ${rates.int32Tops} TOP/s, ${rates.bandwidthGBs} GB/s`
      : 'no peak rates known for this adapter: floors not computed (set BENCH_FP32_TFLOPS etc.)',
  );

  const rows = [];
  for (const w of workloads(quick)) {
    const req = request(w);
    await gpu.polynomial(req); // warm-up: pipelines, buffers
    const gpuTimes = await time(gpu, req, quick ? 2 : 5);
    const gpuMs = gpuTimes.totalMs;
    const width = Math.max(...w.spec.blocks.map((b) => b.width));
    const deep = w.spec.blocks.some((b) => b.layers > 2);
    const cpuMs = deep && width > skipCpuAbove ? null : (await time(cpu, req, 1)).totalMs;
    const work = workOf(w);
    const floorMs = rates
      ? Math.max(
          work.flops / (rates.fp32Tflops * 1e12),
          work.bytes / (rates.bandwidthGBs * 1e9),
          work.intOps / (rates.int32Tops * 1e12),
        ) * 1e3
      : null;
    const row = {
      workload: w.name,
      lanes: work.lanes,
      gpuMs,
      gpuSetupMs: gpuTimes.setupMs,
      gpuPassMs: gpuTimes.passMs,
      cpuMs,
      speedup: cpuMs === null ? null : cpuMs / gpuMs,
      // Rates over the lane pass alone (the wide products), where the floor applies.
      gflops: work.flops / (gpuTimes.passMs * 1e6),
      gbs: work.bytes / (gpuTimes.passMs * 1e6),
      gigaIntOps: work.intOps / (gpuTimes.passMs * 1e6),
      peakGpuBytes: gpu.peakBytes,
      flops: work.flops,
      bytes: work.bytes,
      intOps: work.intOps,
      floorMs,
      overFloor: floorMs === null ? null : gpuTimes.passMs / floorMs,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }

  const fmt = (v: number | null, digits = 1) => (v === null ? '—' : v.toFixed(digits));
  console.log(
    '\n| workload | lanes | GPU ms (setup + pass) | CPU ms | CPU/GPU | pass GFLOP/s | pass GB/s | pass Gint/s | peak GPU MiB | floor ms | pass/floor |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.workload} | ${r.lanes} | ${fmt(r.gpuMs)} (${fmt(r.gpuSetupMs)} + ${fmt(r.gpuPassMs)}) | ${fmt(r.cpuMs)} | ${fmt(r.speedup)} | ${fmt(r.gflops, 2)} | ${fmt(r.gbs, 2)} | ${fmt(r.gigaIntOps, 1)} | ${fmt(r.peakGpuBytes / 2 ** 20)} | ${fmt(r.floorMs, 3)} | ${fmt(r.overFloor)} |`,
    );
  }
  writeFileSync(
    outPath,
    JSON.stringify(
      {
        adapter,
        adapterInfo: {
          vendor: gpu.adapterInfo.vendor,
          architecture: gpu.adapterInfo.architecture,
          device: gpu.adapterInfo.device,
          description: gpu.adapterInfo.description,
        },
        rates,
        date: new Date().toISOString(),
        rows,
      },
      null,
      2,
    ),
  );
  console.log(`\nwrote ${outPath}`);
  gpu.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
