// Training benchmark (not a test): steps per second of full-batch gradient descent on the network
// (σ = identity, B = 2, d = 8, k = 4, r = 1, n = 6) at m = 1024 and 4096, L_b = 2 and 3, for
//   - the GPU trainer (float32 WGSL, weights in device buffers, steps batched per submit),
//   - the CPU trainer (float64 JavaScript, one thread; fewer steps where a step takes seconds),
//   - bench/train_numpy_peer.py (stored float32 weights, float32 BLAS, every core),
// with the physical floor of a step: bytes of weights read and written over the device's
// bandwidth and FLOPs over its fp32 peak. Prints a table; writes bench/results/train-bench.json.
//
//   node bench/dist/train-bench.mjs [--quick] [--gpu-only] [--seconds=S] [--out=FILE]

import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { CpuTrainer } from '../src/engine/cpuTrainer';
import { GpuTrainer } from '../src/engine/gpu/training';
import type { Trainer, TrainingProblem } from '../src/engine/trainer';
import { DEFAULT_TRAINING, trainingProblem } from '../src/experiments/training';
import { planLayers } from '../src/model/spec';
import { largestEigenvalue } from '../src/model/symmetric';
import { nodeGpu } from '../tests/helpers/nodeGpu';
import { type GpuRates, knownGpuRates } from './gpuRates';
import { runPythonPeer } from './peers';

/**
 * SwiftShader runs on the host's cores: nominal fp32 peak (AVX2, two 8-wide FMAs per cycle at
 * BENCH_CPU_GHZ, default 2.5) and a nominal 20 GB/s of memory bandwidth (BENCH_BANDWIDTH_GBS).
 */
function hostRates(): GpuRates {
  const ghz = Number(process.env.BENCH_CPU_GHZ ?? 2.5);
  return {
    fp32Tflops: (availableParallelism() * ghz * 32) / 1e3,
    bandwidthGBs: Number(process.env.BENCH_BANDWIDTH_GBS ?? 20),
  };
}

interface Job {
  width: number;
  layers: number;
}

function jobs(quick: boolean): Job[] {
  const out: Job[] = [];
  for (const width of quick ? [1024] : [1024, 4096]) {
    for (const layers of [2, 3]) out.push({ width, layers });
  }
  return out;
}

function problemOf(job: Job): TrainingProblem {
  const s = { ...DEFAULT_TRAINING, blocks: 2, layers: job.layers, width: job.width, d: 8, k: 4 };
  return { ...trainingProblem({ ...s, r: 1, n: 6 }), models: ['network'] };
}

/**
 * Per step, with the trainers' algorithm: each weight matrix read in the forward pass, read and
 * written in the fused backward-and-update pass (12 bytes per float32 weight); FLOPs: three
 * products with n columns (6 n per weight).
 */
function stepCost(problem: TrainingProblem) {
  const n = problem.trainInputs.cols;
  const weights = planLayers(problem.spec).reduce((s, l) => s + l.inSize * l.outSize, 0);
  return { weights, bytes: 12 * weights, flops: 6 * n * weights };
}

function floorMs(cost: { bytes: number; flops: number }, rates: GpuRates) {
  return {
    bandwidthMs: (cost.bytes / (rates.bandwidthGBs * 1e9)) * 1e3,
    computeMs: (cost.flops / (rates.fp32Tflops * 1e12)) * 1e3,
  };
}

/** Steps per second of `trainer`: a calibration run, then about `seconds` of steps. */
async function timeSteps(trainer: Trainer, eta: number, seconds: number, maxSteps: number) {
  await trainer.gradientSteps('network', eta, 2);
  let t = performance.now();
  await trainer.gradientSteps('network', eta, 1);
  const one = (performance.now() - t) / 1e3;
  const steps = Math.max(1, Math.min(maxSteps, Math.round(seconds / Math.max(one, 1e-5))));
  t = performance.now();
  await trainer.gradientSteps('network', eta, steps);
  const elapsed = (performance.now() - t) / 1e3;
  const out = await trainer.outputs('network', 'train');
  return {
    steps,
    msPerStep: (1e3 * elapsed) / steps,
    stepsPerSecond: steps / elapsed,
    finite: out.data.every(Number.isFinite),
  };
}

interface NumpyResult {
  steps: number;
  msPerStep: number;
  stepsPerSecond: number;
  lossBefore: number;
  lossAfter: number;
  dtype: string;
  numpy: string;
  error?: string;
}

function numpyPeer(job: Job, eta: number, seconds: number): NumpyResult | null {
  const args = [
    `--layers=${job.layers}`,
    `--width=${job.width}`,
    '--blocks=2',
    '--d=8',
    '--k=4',
    '--r=1',
    '--n=6',
    `--eta=${eta}`,
    `--seconds=${seconds}`,
  ];
  return runPythonPeer<NumpyResult>('bench/train_numpy_peer.py', args);
}

async function main() {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const gpuOnly = args.includes('--gpu-only');
  const seconds = Number(args.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 2);
  const outPath =
    args.find((a) => a.startsWith('--out='))?.slice(6) ?? 'bench/results/train-bench.json';
  const gpu = nodeGpu();
  const rows = [];
  let adapterName: string | null = null;
  for (const job of jobs(quick)) {
    const problem = problemOf(job);
    const cost = stepCost(problem);
    let gpuResult: Awaited<ReturnType<typeof timeSteps>> | null = null;
    let eta: number;
    let rates: GpuRates | null = null;
    let gpuTrainer: GpuTrainer | null = null;
    try {
      gpuTrainer = await GpuTrainer.create(gpu, problem);
      const info = gpuTrainer.adapterInfo;
      adapterName = `${gpuTrainer.info.adapter} (vendor=${info.vendor}, architecture=${info.architecture}, device=${info.device})`;
      rates =
        knownGpuRates(`${info.description} ${info.device}`) ??
        (info.architecture === 'swiftshader' ? hostRates() : null);
    } catch (error) {
      console.log(`GPU trainer unavailable (${(error as Error).message}); CPU and numpy only`);
    }
    // One η for all three programs: a fifth of the stable step at W_0 (slow enough for any count).
    const k0 = await (gpuTrainer ?? new CpuTrainer(problem)).kernel('network');
    eta = 0.2 / (largestEigenvalue(k0) / problem.trainInputs.cols);
    if (gpuTrainer) {
      gpuResult = await timeSteps(gpuTrainer, eta, seconds, 20_000);
      gpuTrainer.destroy();
    }
    let cpuResult: Awaited<ReturnType<typeof timeSteps>> | null = null;
    if (!gpuOnly) {
      const cpu = new CpuTrainer(problem);
      cpuResult = await timeSteps(cpu, eta, seconds, 20_000);
      cpu.destroy();
    }
    const numpy = gpuOnly ? null : numpyPeer(job, eta, seconds);
    const floor = rates ? floorMs(cost, rates) : null;
    const row = {
      width: job.width,
      layersPerBlock: job.layers,
      eta,
      weights: cost.weights,
      bytesPerStep: cost.bytes,
      flopsPerStep: cost.flops,
      gpu: gpuResult,
      cpu: cpuResult,
      numpy,
      gpuFloor: floor && { ...floor, ms: Math.max(floor.bandwidthMs, floor.computeMs) },
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const f = (v: number | null | undefined, d = 1) => (v == null ? '—' : v.toFixed(d));
  console.log(`\nGPU trainer adapter: ${adapterName ?? 'none'}`);
  console.log(
    '\n| m | L_b | weights | MB/step (r+w) | GPU steps/s | CPU trainer steps/s (steps) | numpy steps/s | GPU/numpy | GPU ms/step | floor ms (bandwidth, FLOPs) | GPU / floor |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const ratio = r.gpu && r.numpy ? r.gpu.stepsPerSecond / r.numpy.stepsPerSecond : null;
    const overFloor = r.gpu && r.gpuFloor ? r.gpu.msPerStep / r.gpuFloor.ms : null;
    console.log(
      `| ${r.width} | ${r.layersPerBlock} | ${(r.weights / 1e6).toFixed(2)} M | ${f(r.bytesPerStep / 1e6)} | ${f(r.gpu?.stepsPerSecond)} | ${f(r.cpu?.stepsPerSecond, 2)} (${r.cpu?.steps ?? '—'}) | ${f(r.numpy?.stepsPerSecond)} | ${f(ratio, 2)} | ${f(r.gpu?.msPerStep, 3)} | ${r.gpuFloor ? `${f(r.gpuFloor.ms, 4)} (${f(r.gpuFloor.bandwidthMs, 4)}, ${f(r.gpuFloor.computeMs, 4)})` : '— (unknown adapter rates)'} | ${f(overFloor)} |`,
    );
  }
  writeFileSync(
    outPath,
    JSON.stringify({ date: new Date().toISOString(), adapter: adapterName, rows }, null, 2),
  );
  console.log(`\nwrote ${outPath}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
