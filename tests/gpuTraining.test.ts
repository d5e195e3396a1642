// The GPU trainer against the float64 CPU trainer on a real WebGPU adapter (Dawn on SwiftShader in
// CI). Like tests/gpu.test.ts these fail, never skip, when no adapter is found.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuTrainer } from '../src/engine/cpuTrainer';
import { openDevice } from '../src/engine/gpu/device';
import { GpuTrainer } from '../src/engine/gpu/training';
import { TRAIN_PARAM_FIELDS } from '../src/engine/gpu/training/params';
import type { TrainedModel, Trainer } from '../src/engine/trainer';
import { createTrainer, isSoftwareAdapter } from '../src/engine/trainerFactory';
import { EngineError } from '../src/engine/types';
import {
  DEFAULT_TRAINING,
  runTraining,
  type TrainingSettings,
  trainedModels,
  trainingProblem,
} from '../src/experiments/training';
import type { Matrix } from '../src/model/network';
import { largestEigenvalue } from '../src/model/symmetric';
import { nodeGpu } from './helpers/nodeGpu';

const made: Trainer[] = [];
/** One device for every trainer here: pipelines compile once (seconds on SwiftShader). */
let shared: { device: GPUDevice; adapter: GPUAdapter };

beforeAll(async () => {
  shared = await openDevice(nodeGpu(), { timestamps: false });
  const info = shared.adapter.info;
  console.log(
    `WebGPU adapter: ${info.description || info.device} (vendor=${info.vendor}, architecture=${info.architecture})`,
  );
});

afterAll(() => {
  for (const t of made) t.destroy();
  shared?.device.destroy();
});

function settings(over: Partial<TrainingSettings>): TrainingSettings {
  return {
    ...DEFAULT_TRAINING,
    width: 24,
    d: 3,
    k: 2,
    r: 1,
    n: 4,
    heldOut: 11,
    steps: 40,
    ...over,
  };
}

async function pair(s: TrainingSettings): Promise<{ cpu: CpuTrainer; gpu: GpuTrainer }> {
  const problem = trainingProblem(s);
  const cpu = new CpuTrainer(problem);
  const gpu = await GpuTrainer.create(nodeGpu(), problem, { shared });
  made.push(cpu, gpu);
  return { cpu, gpu };
}

/** max |a − b| ≤ tol · max |b|. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void {
  expect(a.length, what).toBe(b.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  expect(Number.isFinite(err), `${what}: non-finite`).toBe(true);
  expect(
    err,
    `${what}: max error ${err.toExponential(2)}, scale ${scale.toExponential(2)}`,
  ).toBeLessThanOrEqual(tol * scale);
}

async function compare(cpu: Trainer, gpu: Trainer, model: TrainedModel, what: string, tol = 3e-4) {
  for (const inputs of ['train', 'heldOut'] as const) {
    const [a, b] = await Promise.all([gpu.outputs(model, inputs), cpu.outputs(model, inputs)]);
    expect([a.rows, a.cols]).toEqual([b.rows, b.cols]);
    expectClose(a.data, b.data, tol, `${what}: ${model} outputs (${inputs})`);
  }
  expectClose(
    await gpu.distances(model),
    await cpu.distances(model),
    tol * 3,
    `${what}: ${model} distances`,
  );
}

// [name, settings, gradient steps]; widths over 64 reach the workgroup-reduction forward kernel.
// SwiftShader costs about a millisecond per dispatch, and a
// linearised step of B = 3, L_b = 3 is about 80 dispatches.
const CASES: [string, Partial<TrainingSettings>, number][] = [
  ['B = 1, L_b = 1', { blocks: 1, layers: 1 }, 25],
  ['B = 2, L_b = 2, m = 80', { blocks: 2, layers: 2, width: 80 }, 10],
  ['B = 3, L_b = 3, bottleneck 2', { blocks: 3, layers: 3, bottleneck: 2 }, 6],
  ['B = 2, L_b = 3, m = 72, tanh', { blocks: 2, layers: 3, width: 72, activation: 'tanh' }, 25],
  [
    'B = 2, L_b = 2, n = 10 (unfused update), tanh',
    { blocks: 2, layers: 2, n: 10, k: 1, activation: 'tanh' },
    25,
  ],
];

describe('GpuTrainer against CpuTrainer', () => {
  for (const [name, over, steps] of CASES) {
    it(`${name}: kernel, gradient steps, pull-back, distances`, async () => {
      const s = settings(over);
      const { cpu, gpu } = await pair(s);
      expect(gpu.info.kind).toBe('webgpu');
      const k0 = await cpu.kernel('network');
      expectClose((await gpu.kernel('network')).data, k0.data, 2e-4, `${name}: K_0`);
      const eta = 0.3 / (largestEigenvalue(k0) / s.n);
      for (const model of trainedModels(s)) {
        await compare(cpu, gpu, model, `${name} at W_0`);
        await Promise.all([
          cpu.gradientSteps(model, eta, steps),
          gpu.gradientSteps(model, eta, steps),
        ]);
        await compare(cpu, gpu, model, `${name} after ${steps} steps`);
        const kc = await cpu.kernel(model);
        expectClose((await gpu.kernel(model)).data, kc.data, 3e-4, `${name}: ${model} kernel`);
        // Per-block kernels (what Gauss–Newton uses) on the network and the block model.
        for (let b = 0; b < (model === 'ntk' ? 0 : s.blocks); b++) {
          const kb = await cpu.kernel(model, [b]);
          expectClose(
            (await gpu.kernel(model, [b])).data,
            kb.data,
            3e-4,
            `${name}: ${model} K_${b}`,
          );
        }
        const block = s.blocks - 1;
        const alpha: Matrix = {
          rows: s.k,
          cols: s.n,
          data: Float64Array.from({ length: s.k * s.n }, (_, i) => 0.05 * Math.sin(1 + i)),
        };
        await Promise.all([cpu.pullBack(model, block, alpha), gpu.pullBack(model, block, alpha)]);
        await compare(cpu, gpu, model, `${name} after a pull-back on block ${block}`);
      }
    }, 30_000);
  }

  it('gives close runTraining summaries (B = 2, L_b = 2, three models)', async () => {
    const s = settings({ blocks: 2, layers: 2, width: 24, steps: 20 });
    const { cpu, gpu } = await pair(s);
    const [a, b] = [await runTraining(gpu, s), await runTraining(cpu, s)];
    expect(a.engine.kind).toBe('webgpu');
    expect(a.eta0).toBeCloseTo(b.eta0, 3);
    for (const model of trainedModels(s)) {
      expect(a.summary.steps[model]).toBe(b.summary.steps[model]);
      const [la, lb] = [a.summary.loss[model], b.summary.loss[model]];
      expect(Math.abs(la - lb), `${model} loss ${la} vs ${lb}`).toBeLessThanOrEqual(
        1e-3 * lb + 1e-6,
      );
    }
    expect(a.summary.kernelChange).toBeCloseTo(b.summary.kernelChange, 3);
    expect(a.summary.gapNtk ?? 0).toBeCloseTo(b.summary.gapNtk ?? 0, 3);
    expect(a.summary.gapBlock ?? 0).toBeCloseTo(b.summary.gapBlock ?? 0, 3);
  }, 30_000);

  // A block's kernel behind a width-1 bottleneck is rank-deficient; in float32 its zero
  // eigenvalues are rounding noise, and a pseudo-inverse that divides by them threw the first
  // H100 run's losses to 1e11. This runs the whole optimiser on the GPU, as the view does.
  it('alternating Gauss–Newton converges on the GPU like on the CPU (B = 2 and 3, bottleneck 1)', async () => {
    for (const blocks of [2, 3]) {
      const s = settings({
        blocks,
        layers: 2,
        width: 64,
        optimiser: 'alternating',
        steps: 5,
        tolerance: 1e-10,
      });
      const { cpu, gpu } = await pair(s);
      const [a, b] = [await runTraining(gpu, s), await runTraining(cpu, s)];
      expect(a.summary.loss.network, `B = ${blocks} GPU loss`).toBeLessThan(1e-10);
      expect(a.runs.every((r) => r.stopped !== 'diverged')).toBe(true);
      expect(a.summary.sweeps).toBeLessThanOrEqual((b.summary.sweeps ?? 0) + 1);
      expect(Math.abs((a.summary.gapBlock ?? 0) - (b.summary.gapBlock ?? 0))).toBeLessThan(0.01);
    }
  }, 60_000);
});

describe('GpuTrainer set-up', () => {
  it('refuses a problem over its memory budget with a message naming widths and bytes', async () => {
    const problem = trainingProblem(settings({ width: 64 }));
    const error = await GpuTrainer.create(nodeGpu(), problem, { budgetBytes: 4096 }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(EngineError);
    expect(error.kind).toBe('too-large');
    expect(error.message).toMatch(/widths 64/);
    expect(error.message).toMatch(/budget/);
  });

  it('the page avoids software adapters: the CPU trainer runs there, saying why', async () => {
    const info = (over: Partial<GPUAdapterInfo>) =>
      ({ vendor: '', architecture: '', device: '', description: '', ...over }) as GPUAdapterInfo;
    expect(isSoftwareAdapter(info({ vendor: 'google', architecture: 'swiftshader' }))).toBe(true);
    expect(isSoftwareAdapter(info({ description: 'llvmpipe (LLVM 15.0.6, 256 bits)' }))).toBe(true);
    expect(isSoftwareAdapter(info({ vendor: 'nvidia', device: 'nvidia-h100-80gb-hbm3' }))).toBe(
      false,
    );
    // Whatever this machine's adapter is, the choice follows it.
    const adapter = await nodeGpu().requestAdapter();
    const software = isSoftwareAdapter(adapter?.info);
    const trainer = await createTrainer(trainingProblem(settings({})), {
      gpu: nodeGpu(),
      avoidSoftwareAdapter: true,
    });
    expect(trainer.info.kind).toBe(software ? 'cpu' : 'webgpu');
    if (software) expect(trainer.fallbackReason).toMatch(/software/);
    trainer.destroy();
  });

  it('createTrainer falls back to the CPU, saying why, when there is no adapter', async () => {
    const noAdapter = { requestAdapter: async () => null } as unknown as GPU;
    const trainer = await createTrainer(trainingProblem(settings({})), { gpu: noAdapter });
    made.push(trainer);
    expect(trainer.info.kind).toBe('cpu');
    expect(trainer.fallbackReason).toMatch(/no adapter/);
    const gpuTrainer = await createTrainer(trainingProblem(settings({})), {
      gpu: nodeGpu(),
      gpuOptions: { shared },
    });
    made.push(gpuTrainer);
    expect(gpuTrainer.info.kind).toBe('webgpu');
    expect(gpuTrainer.fallbackReason).toBeUndefined();
  });

  it('TrainParams in WGSL matches TRAIN_PARAM_FIELDS', () => {
    const wgsl = readFileSync('shaders/train_bindings.wgsl', 'utf8');
    const body = /struct TrainParams \{([^}]*)\}/.exec(wgsl)?.[1] ?? '';
    const fields = [...body.matchAll(/(\w+):\s*(u32|f32)/g)].map((m) => [m[1], m[2]]);
    const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
    expect(fields).toEqual(TRAIN_PARAM_FIELDS.map(([n, t]) => [snake(n), t]));
  });

  it('reports device loss as an EngineError', async () => {
    // On the shared device (compiling pipelines on a fresh one costs seconds): this test runs last.
    const gpu = await GpuTrainer.create(nodeGpu(), trainingProblem(settings({})), { shared });
    made.push(gpu);
    gpu.simulateDeviceLoss();
    await new Promise((r) => setTimeout(r, 50));
    const error = await gpu.outputs('network', 'train').catch((e) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(['device-lost', 'validation']).toContain(error.kind);
  });
});
