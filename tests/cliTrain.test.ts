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
    expect(r.out).toBe(join(dir, 't.CSV'));
    expect(r.format).toBe('csv');
    expect(r.base).toEqual({
      ...{ blocks: 1, layers: 3, width: 64, bottleneck: 2, d: 5, k: 3, r: 2, n: 10 },
      ...{ heldOut: 20, activation: 'identity', optimiser: 'alternating', steps: 7, lr: 0.5 },
      ...{ stepRule: 'follow', followEvery: 4, tolerance: 1e-9, seed: 10 },
    });
    expect(parseArgs(['train', '--blocks', '9', '--help'])).toEqual({ kind: 'help' });
  });

  const bad: [string[], string][] = [
    [['--bogus', '1'], 'unknown flag --bogus'],
    [['--B', '3'], 'unknown flag --B (train takes --blocks)'],
    [['--width', '64'], 'unknown flag --width (train takes --widths)'],
    [['--m', '64'], 'unknown flag --m (train takes --widths)'],
    [['--preset', 'figure1'], 'unknown flag --preset'],
    [['--steps'], '--steps needs a value'],
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
      'kind,blocks,width,seed,kernel_change,gap_ntk,gap_block,loss,steps,sweeps,stopped,precision',
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
    expect(plain.stdout).toContain('medians over 1 seed:');
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
