// `train` (src/cli/train.ts): its flags read by parseArgs and checked by validateTraining, and the
// command run as a user runs it (node scripts/cli.mjs) on the CPU trainer, on tiny cases.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArgs, TRAIN_FLAGS, type TrainRequest, UsageError } from '../src/cli/args';
import { median } from '../src/cli/train';
import { CpuTrainer } from '../src/engine/cpuTrainer';
import {
  DEFAULT_TRAINING,
  runTraining,
  sweepSlopes,
  trainingProblem,
} from '../src/experiments/training';
import { cli, tempDirs } from './helpers/cli';

const freshDir = tempDirs('bottleneck-train-');

function train(args: string[]): TrainRequest {
  const parsed = parseArgs(['train', ...args]);
  if (parsed.kind !== 'train') throw new Error(`parsed as ${parsed.kind}`);
  return parsed.request;
}

function usageError(args: string[]): string {
  try {
    parseArgs(['train', ...args]);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error(`no error for ${args.join(' ')}`);
}

const TINY = ['--blocks', '1,2', '--widths', '16,32', '--seeds', '2', '--steps', '30'];

describe('train: arguments', () => {
  it('defaults, lists, seeds and every setting flag', () => {
    const plain = train([]);
    expect(plain.blocks).toEqual([DEFAULT_TRAINING.blocks]);
    expect(plain.widths).toEqual([64, 256, 1024]);
    expect(plain.seeds).toEqual([1, 2, 3, 4, 5]);
    expect(plain.engine).toBe('cpu');
    expect(plain.includeDiverged).toBe(false);
    expect(plain.out).toBeUndefined();
    expect(plain.base).toEqual({ ...DEFAULT_TRAINING, width: 64 });

    const dir = freshDir();
    const r = train([
      ...['--blocks=1,2,3,2', '--widths', '64, 256', '--layers', '3', '--d', '5', '--k', '3'],
      ...['--r', '2', '--n', '10', '--held-out', '20', '--bottleneck', '2', '--lr', '0.5'],
      ...['--optimiser', 'alternating', '--steps', '7', '--step-rule', 'follow'],
      ...['--follow-every', '4', '--tolerance', '1e-9', '--activation', 'identity'],
      ...['--seed', '10', '--seeds', '3', '--engine', 'gpu', '--out', join(dir, 't.CSV')],
    ]);
    expect(r.blocks).toEqual([1, 2, 3]);
    expect(r.widths).toEqual([64, 256]);
    expect(r.seeds).toEqual([10, 11, 12]);
    expect(r.engine).toBe('gpu');
    expect(r.includeDiverged).toBe(false);
    expect(r.out).toBe(join(dir, 't.CSV'));
    expect(r.format).toBe('csv');
    expect(r.base).toEqual({
      ...{ blocks: 1, layers: 3, width: 64, bottleneck: 2, d: 5, k: 3, r: 2, n: 10 },
      ...{ heldOut: 20, activation: 'identity', optimiser: 'alternating', steps: 7, lr: 0.5 },
      ...{ stepRule: 'follow', followEvery: 4, tolerance: 1e-9, seed: 10 },
    });
    expect(parseArgs(['train', '--blocks', '9', '--help'])).toEqual({ kind: 'help' });
    // A switch: no value, and the next argument is the next flag.
    const kept = train(['--include-diverged', '--seeds', '2']);
    expect(kept.includeDiverged).toBe(true);
    expect(kept.seeds).toEqual([1, 2]);
  });

  const bad: [string[], string][] = [
    [['--bogus', '1'], 'unknown flag --bogus'],
    [['--B', '3'], 'unknown flag --B (train takes --blocks)'],
    [['--width', '64'], 'unknown flag --width (train takes --widths)'],
    [['--m', '64'], 'unknown flag --m (train takes --widths)'],
    [['--preset', 'figure1'], 'unknown flag --preset'],
    [['--steps'], '--steps needs a value'],
    [['--include-diverged=1'], '--include-diverged takes no value'],
    [['--include-diverged', '1'], 'unexpected argument "1"'],
    [
      ['--blocks', '1,9'],
      'blocks (B) = 9 is invalid: must be an integer from 1 to 4 (--blocks 1,9)',
    ],
    [
      ['--widths', '64,9000'],
      'width (m) = 9000 is invalid: must be an integer from 1 to 8192 (--widths 64,9000)',
    ],
    [
      ['--blocks', '1,,2'],
      'blocks (B) = "" is invalid: must be an integer from 1 to 4 (--blocks 1,,2)',
    ],
    [['--layers', '2.5'], 'layers (L_b) = 2.5 is invalid: must be an integer from 1 to 4'],
    [
      ['--optimiser', 'sgd'],
      'optimiser = "sgd" is invalid: must be one of gd, alternating (--optimiser sgd)',
    ],
    [['--lr', '0'], 'lr (c) = 0 is invalid: must be a number in (0, 10] (--lr 0)'],
    [['--lr', 'fast'], 'lr (c) = "fast" is invalid: must be a number in (0, 10] (--lr fast)'],
    [
      ['--step-rule', 'always'],
      'stepRule = "always" is invalid: must be one of fixed, follow (--step-rule always)',
    ],
    [['--follow-every', '0'], 'followEvery = 0 is invalid: must be an integer from 1 to 10000'],
    [['--tolerance', '-1'], 'tolerance = -1 is invalid: must be a number ≥ 0 (--tolerance -1)'],
    [['--activation', 'relu'], 'activation = "relu" is invalid: must be one of identity, tanh'],
    [
      ['--n', '32', '--k', '16'],
      'n × k = 512 is invalid: must be at most 256: the tangent kernel is nk × nk (--n 32 --k 16)',
    ],
    [
      ['--blocks', '2', '--r', '2', '--bottleneck', '1'],
      'r (target rank) = 2 is invalid: must be at most the bottleneck width (--r 2 --bottleneck 1)',
    ],
    [['--held-out', '0'], 'held-out samples = 0 is invalid: must be an integer from 1 to 256'],
    [
      ['--seed', '4294967295', '--seeds', '2'],
      'seed = 4294967296 is invalid: must be an integer from 0 to 4294967295 (--seed 4294967295 --seeds 2)',
    ],
    [['--seeds', '0'], '--seeds 0: must be an integer from 1 to 1000'],
    [['--engine', 'tpu'], '--engine tpu: must be cpu or gpu'],
    [['--out', 'train.txt'], 'train output must be .csv or .json (not .txt)'],
    [['--out', 'nowhere/train.json'], 'does not exist'],
  ];
  for (const [args, message] of bad) {
    it(`${args.join(' ')}: ${message}`, () => {
      expect(usageError(args)).toContain(message);
    });
  }

  it('the tool: exit code 2 and the message on stderr, nothing on stdout, no file', async () => {
    const dir = freshDir();
    const run = await cli(['train', '--widths', '0', '--out', join(dir, 't.json')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'error: width (m) = 0 is invalid: must be an integer from 1 to 8192 (--widths 0)',
    );
    expect(run.stdout).toBe('');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the figure commands do not take train flags', () => {
    expect(() => parseArgs(['figure', '--blocks', '2', '--out', 'f.svg'])).toThrow(
      'unknown flag --blocks',
    );
  });
});

describe('train: runs', () => {
  it('.json: one row per (blocks, width, seed), medians, slopes; deterministic; the table', async () => {
    const dir = freshDir();
    const [a, b] = await Promise.all(
      ['a.json', 'b.json'].map((f) => cli(['train', ...TINY, '--out', join(dir, f)])),
    );
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const text = readFileSync(join(dir, 'a.json'), 'utf8');
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(text);
    const table = (out: string) => out.slice(0, out.indexOf('wrote '));
    expect(table(b.stdout)).toBe(table(a.stdout));
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'b.json']);

    const doc = JSON.parse(text);
    expect(doc.settings).toMatchObject({ blocks: [1, 2], widths: [16, 32], seeds: [1, 2] });
    expect(doc.settings.steps).toBe(30);
    expect(doc.engine).toEqual({
      kind: 'cpu',
      adapter: 'CPU (float64 JavaScript, one thread)',
      precision: 'float64',
    });
    expect(doc.rows).toHaveLength(8);
    const keys = ['blocks', 'width', 'seed', 'loss', 'kernelChange', 'gapNtk', 'gapBlock'];
    for (const row of doc.rows) {
      for (const k of [...keys, 'steps', 'sweeps']) expect(row).toHaveProperty(k);
      expect(row.sweeps).toBeNull();
      expect(row.steps).toBeLessThanOrEqual(30);
      for (const k of ['kernelChange', 'gapNtk', 'gapBlock', 'loss']) {
        expect(row[k]).toBeGreaterThan(0);
        expect(Number.isFinite(row[k])).toBe(true);
      }
      // B = 1: the block model is the NTK model.
      if (row.blocks === 1) expect(row.gapBlock).toBe(row.gapNtk);
    }
    expect(doc.rows.map((r: { blocks: number; width: number; seed: number }) => r.seed)).toEqual([
      1, 2, 1, 2, 1, 2, 1, 2,
    ]);

    // The same numbers as runTraining on the CPU trainer in this process, to the last bit.
    const settings = { ...DEFAULT_TRAINING, blocks: 2, width: 32, seed: 2, steps: 30 };
    const direct = await runTraining(new CpuTrainer(trainingProblem(settings)), settings);
    const row = doc.rows.find(
      (r: { blocks: number; width: number; seed: number }) =>
        r.blocks === 2 && r.width === 32 && r.seed === 2,
    );
    expect(row.kernelChange).toBe(direct.summary.kernelChange);
    expect(row.gapNtk).toBe(direct.summary.gapNtk);
    expect(row.gapBlock).toBe(direct.summary.gapBlock);
    expect(row.loss).toBe(direct.summary.loss.network);

    // Medians over seeds, and sweepSlopes of each blocks' rows.
    expect(doc.medians).toHaveLength(4);
    for (const m of doc.medians) {
      const of = doc.rows.filter(
        (r: { blocks: number; width: number }) => r.blocks === m.blocks && r.width === m.width,
      );
      expect(m.seeds).toBe(2);
      expect(m.kernelChange).toBe(median(of.map((r: { kernelChange: number }) => r.kernelChange)));
      expect(m.gapBlock).toBe(median(of.map((r: { gapBlock: number }) => r.gapBlock)));
    }
    expect(doc.slopes.map((s: { blocks: number }) => s.blocks)).toEqual([1, 2]);
    const fit = sweepSlopes(doc.rows.filter((r: { blocks: number }) => r.blocks === 2));
    expect(doc.slopes[1].gapNtk).toBe(fit.gapNtk);

    // stdout: the table (4 rows of medians, 2 of slopes), then the file.
    const lines = a.stdout.split('\n');
    const header = lines.findIndex((l) =>
      /B +m +kernel change +gap NTK +gap block +loss +steps/.test(l),
    );
    expect(header).toBeGreaterThan(0);
    expect(lines[header + 1]).toMatch(/^ +1 +16 +\d\.\d\de[-+]\d+ /);
    expect(lines[header + 5]).toMatch(/^log–log slopes against m/);
    expect(lines[header + 6]).toMatch(/B +kernel change +gap NTK +gap block/);
    expect(lines[header + 8]).toMatch(/^ +2 +-?\d+\.\d\d +/);
    expect(a.stdout).toContain(`wrote ${join(dir, 'a.json')}`);
    // stderr: the engine, and a line per run.
    expect(a.stderr).toContain('engine: cpu — CPU (float64 JavaScript, one thread), float64');
    expect(a.stderr.match(/^\[\d\/8\] B = \d, m = \d+, seed \d: loss /gm)).toHaveLength(8);
  });

  it('alternating, .csv: sweeps per run and a median row per (blocks, width)', async () => {
    const dir = freshDir();
    const out = join(dir, 't.csv');
    const run = await cli([
      'train',
      ...['--blocks', '2', '--widths', '16', '--seeds', '2', '--optimiser', 'alternating'],
      ...['--steps', '3', '--out', out],
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/B +m +kernel change +gap NTK +gap block +loss +sweeps/);
    expect(run.stdout).not.toContain('slopes'); // one width: nothing to fit
    const lines = readFileSync(out, 'utf8').trimEnd().split('\n');
    const body = lines.filter((l) => !l.startsWith('#'));
    expect(body[0]).toBe(
      'kind,blocks,width,seed,kernel_change,gap_ntk,gap_block,loss,steps,sweeps,stopped,precision,diverged,diverged_kept',
    );
    expect(body.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'median,2,16,',
      'run,2,16,1',
      'run,2,16,2',
    ]);
    for (const l of body.slice(2)) {
      const cells = l.split(',');
      const sweeps = Number(cells[9]);
      expect(sweeps).toBeGreaterThanOrEqual(1);
      expect(sweeps).toBeLessThanOrEqual(3);
      expect(Math.ceil(Number(cells[8]) / 2)).toBe(sweeps); // block steps, B = 2 per sweep
    }
  });

  it('without --out: the table only; Ctrl-C: exit code 130, nothing written', async () => {
    const dir = freshDir();
    const plain = await cli(['train', '--widths', '8', '--seeds', '1', '--steps', '5']);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(
      'medians over 1 seed, diverged runs left out (--include-diverged keeps them):',
    );
    expect(plain.stdout).not.toContain('wrote');

    let sent = false;
    const run = await cli(
      ['train', '--widths', '2048', '--steps', '100000', '--out', join(dir, 't.json')],
      (text, child) => {
        if (!sent && text.includes('engine:')) {
          sent = true;
          setTimeout(() => child.kill('SIGINT'), 200);
        }
      },
    );
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('interrupted (SIGINT): nothing written');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('--engine gpu without a Vulkan driver: says so and trains on the CPU', async () => {
    const dir = freshDir();
    const run = await cli(
      ['train', '--engine', 'gpu', '--widths', '8', '--seeds', '1', '--steps', '5'],
      undefined,
      { VK_ICD_FILENAMES: join(dir, 'no-such-driver.json') },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/gpu: .*Using the CPU trainer\./);
    expect(run.stderr).toContain('engine: cpu');
    expect(run.stdout).toContain('engine: cpu');
  });

  it('--help lists train and every one of its flags', async () => {
    const run = await cli(['train', '--help']);
    expect(run.code).toBe(0);
    const text = run.stdout.replace(/\s+/g, ' ');
    expect(text).toContain(' train ');
    for (const f of TRAIN_FLAGS) expect(text).toContain(`--${f.name}`);
  });
});

interface JsonRow {
  blocks: number;
  width: number;
  seed: number;
  stopped: string;
  kernelChange: number;
  gapNtk: number | null;
  gapBlock: number | null;
  loss: number;
  steps: number;
}
type JsonMedian = Record<string, number | null> & {
  blocks: number;
  width: number;
  seeds: number;
  diverged: number;
  divergedKept: number;
};

const FIELDS = ['kernelChange', 'gapNtk', 'gapBlock', 'loss', 'steps'] as const;

describe('train: diverged runs (issue 16)', () => {
  // B = 3 with a step 0.5/λ_max fixed from K_0: the kernel grows, and some seeds diverge within a
  // few steps while others train for all 60 (found by trying; the test checks that both happen).
  const MIXED = ['--blocks', '3', '--widths', '8,16', '--seeds', '8', '--steps', '60'];
  const MIXED_LR = ['--lr', '0.5'];

  it('left out of the medians and slopes, counted and named; --include-diverged keeps them', async () => {
    const dir = freshDir();
    const [out, kept, csv] = await Promise.all([
      cli(['train', ...MIXED, ...MIXED_LR, '--out', join(dir, 'out.json')]),
      cli(['train', ...MIXED, ...MIXED_LR, '--include-diverged', '--out', join(dir, 'kept.json')]),
      cli(['train', ...MIXED, ...MIXED_LR, '--out', join(dir, 'out.csv')]),
    ]);
    for (const run of [out, kept, csv]) expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    const docKept = JSON.parse(readFileSync(join(dir, 'kept.json'), 'utf8'));
    const rows: JsonRow[] = doc.rows;
    expect(docKept.rows).toEqual(rows); // the same runs; only the medians differ
    expect(doc.includeDiverged).toBe(false);
    expect(docKept.includeDiverged).toBe(true);

    const groupOf = (m: JsonMedian) =>
      rows.filter((r) => r.blocks === m.blocks && r.width === m.width);
    const pick = (of: JsonRow[], f: (typeof FIELDS)[number]) => median(of.map((r) => r[f]));
    // The configuration does what the test needs: a group with runs of both kinds, where leaving
    // the diverged ones out changes the median block gap.
    const mixed = (doc.medians as JsonMedian[]).filter((m) => {
      const of = groupOf(m);
      const fine = of.filter((r) => r.stopped !== 'diverged');
      return fine.length > 0 && fine.length < of.length;
    });
    expect(mixed.length).toBeGreaterThan(0);
    expect(
      mixed.some((m) => {
        const of = groupOf(m);
        const fine = of.filter((r) => r.stopped !== 'diverged');
        return pick(fine, 'gapBlock') !== pick(of, 'gapBlock');
      }),
    ).toBe(true);

    const lines = out.stdout.split('\n');
    expect(out.stdout).toContain(
      'medians over 8 seeds, diverged runs left out (--include-diverged keeps them):',
    );
    expect(kept.stdout).toContain('medians over 8 seeds, diverged runs kept (--include-diverged):');
    for (const [i, m] of (doc.medians as JsonMedian[]).entries()) {
      const of = groupOf(m);
      const fine = of.filter((r) => r.stopped !== 'diverged');
      const bad = of.filter((r) => r.stopped === 'diverged');
      expect(m.seeds).toBe(fine.length);
      expect(m.diverged).toBe(bad.length);
      expect(m.divergedKept).toBe(0);
      for (const f of FIELDS) expect(m[f], f).toBe(pick(fine, f));
      const k: JsonMedian = docKept.medians[i];
      expect([k.blocks, k.width]).toEqual([m.blocks, m.width]);
      expect(k.seeds).toBe(of.length);
      expect(k.diverged).toBe(0);
      expect(k.divergedKept).toBe(bad.length);
      for (const f of FIELDS) expect(k[f], f).toBe(pick(of, f));
      // The table: the count in the row, and a line naming the seeds.
      const row = lines.find((l) => new RegExp(`^ +${m.blocks} +${m.width} +\\d`).test(l));
      expect(row, `row B = ${m.blocks}, m = ${m.width}`).toMatch(
        new RegExp(` ${bad.length} left out$`),
      );
      if (bad.length > 0) {
        const seeds = bad.map((r) => r.seed).join(', ');
        expect(out.stdout).toContain(
          `B = ${m.blocks}, m = ${m.width}: ${bad.length} of ${of.length} runs diverged, left out (seed${bad.length === 1 ? '' : 's'} ${seeds})`,
        );
        expect(kept.stdout).toContain(
          `B = ${m.blocks}, m = ${m.width}: ${bad.length} of ${of.length} runs diverged, kept (seed${bad.length === 1 ? '' : 's'} ${seeds})`,
        );
      }
    }
    // The slopes fit the medians of the runs that did not diverge (or of every run, when kept).
    const fine = rows.filter((r) => r.stopped !== 'diverged');
    const asSweep = (of: JsonRow[]) => of.map((r) => ({ ...r, stopped: 'steps' as const }));
    expect(doc.slopes[0].gapBlock).toBe(sweepSlopes(asSweep(fine)).gapBlock);
    expect(doc.slopes[0].kernelChange).toBe(sweepSlopes(asSweep(fine)).kernelChange);
    expect(docKept.slopes[0].gapBlock).toBe(sweepSlopes(asSweep(rows)).gapBlock);

    // CSV: the median rows count the diverged runs left out.
    const body = readFileSync(join(dir, 'out.csv'), 'utf8')
      .trimEnd()
      .split('\n')
      .filter((l) => !l.startsWith('#'));
    const header = body[0].split(',');
    const col = (name: string) => header.indexOf(name);
    for (const m of doc.medians as JsonMedian[]) {
      const cells = body
        .find((l) => l.startsWith(`median,${m.blocks},${m.width},`))
        ?.split(',') as string[];
      expect(Number(cells[col('diverged')])).toBe(m.diverged);
      expect(Number(cells[col('diverged_kept')])).toBe(0);
      expect(Number(cells[col('gap_block')])).toBe(m.gapBlock);
      expect(Number(cells[col('steps')])).toBe(m.steps);
    }
  });

  it('a row whose runs all diverged says so: no numbers, null in JSON', async () => {
    // c = 10 is five times the step gradient descent can take on K_0: every seed diverges.
    const dir = freshDir();
    const args = ['--blocks', '2', '--widths', '8', '--seeds', '3', '--steps', '60', '--lr', '10'];
    const run = await cli(['train', ...args, '--out', join(dir, 't.json')]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 't.json'), 'utf8'));
    expect(doc.rows.map((r: JsonRow) => r.stopped)).toEqual(['diverged', 'diverged', 'diverged']);
    expect(doc.medians).toHaveLength(1);
    const m: JsonMedian = doc.medians[0];
    expect(m).toMatchObject({ blocks: 2, width: 8, seeds: 0, diverged: 3, divergedKept: 0 });
    for (const f of [...FIELDS, 'sweeps']) expect(m[f], f).toBeNull();
    expect(run.stdout).toMatch(/^ +2 +8 +all 3 runs diverged$/m);
    expect(run.stdout).toContain('B = 2, m = 8: all 3 runs diverged (seeds 1, 2, 3)');
    // Kept, they give numbers again.
    const kept = await cli(['train', ...args, '--include-diverged']);
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stdout).not.toMatch(/^ +2 +8 +all 3 runs diverged$/m);
    expect(kept.stdout).toMatch(/^ +2 +8 +\S+ .* 3 kept$/m);
    expect(kept.stdout).toContain('B = 2, m = 8: all 3 runs diverged, kept (seeds 1, 2, 3)');
  });
});
