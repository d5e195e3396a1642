// Host waits of a warm recompute (issue 17 item 3: a GPU figure is one submission). Each wait
// through Dawn costs 0.1–1 ms on a real GPU, so the engine records a figure's panels — set-up and
// lane passes — into as few submissions as it can and reads back once. Counted on Dawn
// (SwiftShader in CI) by wrapping GPUQueue.submit / onSubmittedWorkDone, GPUBuffer.mapAsync and
// the device's pipeline, shader-module and layout constructors (tests/helpers/gpuCounts.ts); the
// numbers stay checked against the float64 CPU engine and against the same engine request by
// request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CpuEngine } from '../src/engine/cpuEngine';
import { GpuEngine } from '../src/engine/gpu';
import { BATCH_LIMITS } from '../src/engine/gpu/batch';
import { type Engine, EngineError } from '../src/engine/types';
import { type PanelResult, planPanels } from '../src/experiments/figure';
import { runFigure } from '../src/experiments/runFigure';
import { FIGURE1, type FigureSettings, PRESETS } from '../src/experiments/settings';
import { widthSweep } from '../src/experiments/sweep';
import { countGpuCalls, type GpuCounter } from './helpers/gpuCounts';
import { nodeGpu } from './helpers/nodeGpu';

let gpu: GpuEngine;
let counter: GpuCounter;
const cpu = new CpuEngine();

beforeAll(async () => {
  gpu = await GpuEngine.create(nodeGpu());
  counter = countGpuCalls();
});

afterAll(() => {
  counter?.restore();
  gpu?.destroy();
  cpu.destroy();
});

/** The engine without its batch method: every panel (or sweep point) its own request. */
function oneByOne(engine: Engine): Engine {
  return {
    info: engine.info,
    get peakBytes() {
      return engine.peakBytes;
    },
    destroy: () => undefined,
    polynomial: (req, options) => engine.polynomial(req, options),
    grid: (req, options) => engine.grid(req, options),
  };
}

function preset(id: string): FigureSettings {
  const found = PRESETS.find((p) => p.id === id);
  if (!found) throw new Error(`no preset ${id}`);
  return found.settings;
}

/** max |a − b| ≤ tol · max |b|, as tests/gpu.test.ts compares GPU with CPU. */
function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string) {
  expect(got.length, what).toBe(want.length);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  expect(Number.isFinite(err), `${what}: non-finite GPU value`).toBe(true);
  expect(err, `${what}: max error ${err} vs scale ${scale}`).toBeLessThanOrEqual(tol * scale);
}

/** What a panel's numbers are: its exact coefficients, or its grid values. */
function numbers(result: PanelResult): number[][] {
  return result.coefficients ?? result.curves.map((c) => Array.from(c.values));
}

/** Runs the figure twice and counts the second (warm) run. */
async function warmFigure(engine: Engine, settings: FigureSettings) {
  await runFigure(engine, settings);
  counter.reset();
  const start = performance.now();
  const results = await runFigure(engine, settings);
  const ms = performance.now() - start;
  return { results, counts: { ...counter.counts }, waits: counter.waits, ms };
}

describe('a warm recompute of a figure', () => {
  for (const id of ['figure1', 'two-bottlenecks']) {
    it(`${id}: at most 2 host waits, no new pipeline, the numbers of the float64 model`, async () => {
      const settings = preset(id);
      const { results, counts, waits, ms } = await warmFigure(gpu, settings);
      console.log(`${id} warm: ${JSON.stringify(counts)}, ${waits} waits, ${ms.toFixed(0)} ms`);
      expect(waits).toBeLessThanOrEqual(2);
      expect(counts.submits).toBeLessThanOrEqual(2);
      expect(counts.pipelines).toBe(0);
      expect(counts.modules).toBe(0);
      expect(counts.layouts).toBe(0);
      expect(results.map((r) => r.panel.id)).toEqual(planPanels(settings).map((p) => p.id));

      const reference = await runFigure(cpu, settings);
      const single = await runFigure(oneByOne(gpu), settings);
      results.forEach((r, i) => {
        expect(r.engine.precision).toBe('float32');
        expect(r.store.path).toBe('stored');
        const want = numbers(reference[i]);
        numbers(r).forEach((got, d) => {
          expectClose(got, want[d], 1e-4, `${id} ${r.panel.id} direction ${d}`);
        });
        // The batch gives what the same engine gives panel by panel, to the bit.
        expect(numbers(r)).toEqual(numbers(single[i]));
        expect(Object.keys(r).sort()).toEqual(Object.keys(single[i]).sort());
      });
    });
  }

  it('every direction family: made on the device in one submission but gradient', async () => {
    // Figure 1's panels at m = 1000 (the tanh panel included), one normalisation or the other.
    const cases = [
      ['gaussian', 'global'],
      ['tilted', 'per-layer'],
      ['chained', 'global'],
      ['aligned', 'global'],
      ['gradient', 'per-layer'],
    ] as const;
    for (const [family, normalisation] of cases) {
      const settings: FigureSettings = {
        ...FIGURE1,
        widths: [1000, 1000],
        family,
        normalisation,
        directions: 2,
      };
      const { results, waits } = await warmFigure(gpu, settings);
      console.log(`${family} ${normalisation} warm: ${JSON.stringify(counter.counts)}`);
      // Gradient directions need the backward trace, still made on the host.
      if (family !== 'gradient') expect(waits, family).toBeLessThanOrEqual(2);
      const reference = await runFigure(cpu, settings);
      results.forEach((r, i) => {
        const want = numbers(reference[i]);
        numbers(r).forEach((got, d) => {
          expectClose(got, want[d], 1e-4, `${family} ${r.panel.id} direction ${d}`);
        });
      });
    }
  });

  it('split into groups and into waited submissions, the numbers stay the same', async () => {
    const settings = preset('figure1');
    const whole = await runFigure(gpu, settings);
    const saved = { ...BATCH_LIMITS };
    try {
      // Groups of at most 1 MiB of vectors (one or two panels each): a submit per group, still
      // one read-back and no wait in between.
      BATCH_LIMITS.groupBufferBytes = 2 ** 20;
      counter.reset();
      const grouped = await runFigure(gpu, settings);
      expect(counter.counts.maps).toBe(1);
      expect(counter.counts.workDone).toBe(0);
      expect(counter.counts.submits).toBeGreaterThan(1);
      expect(counter.counts.submits).toBeLessThanOrEqual(planPanels(settings).length);
      // A set-up too large for a group is made on the host (one read-back per panel), in float64
      // from float32 traces: close to the device's, not equal.
      BATCH_LIMITS.groupBufferBytes = 1;
      counter.reset();
      const host = await runFigure(gpu, settings);
      expect(counter.counts.maps).toBe(planPanels(settings).length + 1);
      host.forEach((r, i) => {
        const want = numbers(whole[i]);
        numbers(r).forEach((got, d) => {
          expectClose(got, want[d], 1e-5, `host-built ${r.panel.id} direction ${d}`);
        });
      });
      // A wait after every lane pass: one onSubmittedWorkDone per panel but the last.
      BATCH_LIMITS.groupBufferBytes = saved.groupBufferBytes;
      BATCH_LIMITS.waitEveryFlops = 1;
      counter.reset();
      const waited = await runFigure(gpu, settings);
      expect(counter.counts.maps).toBe(1);
      expect(counter.counts.workDone).toBe(planPanels(settings).length - 1);
      for (const other of [grouped, waited]) {
        other.forEach((r, i) => {
          expect(numbers(r)).toEqual(numbers(whole[i]));
        });
      }
    } finally {
      Object.assign(BATCH_LIMITS, saved);
    }
  });

  it('a cancelled figure stops within one submission', async () => {
    const settings = preset('figure1');
    const saved = { ...BATCH_LIMITS };
    BATCH_LIMITS.waitEveryFlops = 1; // one submission per panel, a wait between them
    try {
      const controller = new AbortController();
      let submitsAtCancel = -1;
      counter.reset();
      const error = await runFigure(gpu, settings, {
        signal: controller.signal,
        onProgress: (fraction) => {
          // The first report after a finished submission.
          if (fraction > 0 && !controller.signal.aborted) {
            submitsAtCancel = counter.counts.submits;
            controller.abort();
          }
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect((error as EngineError).kind).toBe('cancelled');
      expect(submitsAtCancel).toBeGreaterThanOrEqual(1);
      expect(counter.counts.submits).toBeLessThanOrEqual(submitsAtCancel + 1);
      expect(counter.counts.submits).toBeLessThan(planPanels(settings).length);
    } finally {
      Object.assign(BATCH_LIMITS, saved);
    }
    // The engine works afterwards.
    const again = await runFigure(gpu, settings);
    expect(again).toHaveLength(planPanels(settings).length);
  });
});

describe('a warm width sweep', () => {
  it('makes at most 2 host waits per width, with the numbers of one request at a time', async () => {
    // Figure 1's network with one direction. An engine reporting kind 'cpu' gets the CPU's
    // widths (16 … 16384) so that SwiftShader stays quick; the GPU engine does the work.
    const settings: FigureSettings = { ...FIGURE1, directions: 1 };
    const engine: Engine = {
      ...oneByOne(gpu),
      info: { ...gpu.info, kind: 'cpu' },
      batch: (requests, options) => gpu.batch(requests, options),
    };
    await widthSweep(engine, settings);
    counter.reset();
    const batched = await widthSweep(engine, settings);
    const counts = { ...counter.counts };
    const waits = counter.waits;
    console.log(`sweep warm (${batched.widths.length} widths): ${JSON.stringify(counts)}`);
    expect(waits).toBeLessThanOrEqual(2 * batched.widths.length);
    expect(counts.pipelines + counts.modules + counts.layouts).toBe(0);
    const single = await widthSweep({ ...engine, batch: undefined }, settings);
    expect(batched.series).toEqual(single.series);
  });
});
