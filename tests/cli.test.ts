// The command-line tool (scripts/cli.mjs → src/cli/main.ts), run as a user runs it: a child
// process per command, each writing into its own empty temporary folder, and the file checked.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMParser, type Element, onWarningStopParsing } from '@xmldom/xmldom';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/args';
import { renderBar } from '../src/cli/progress';
import { CpuEngine } from '../src/engine/cpuEngine';
import { figureJson } from '../src/experiments/export';
import { runFigure } from '../src/experiments/runFigure';
import { FIGURE1, SETTING_FIELDS, settingsFromQuery } from '../src/experiments/settings';
import { cli, tempDirs } from './helpers/cli';

const freshDir = tempDirs('bottleneck-cli-');

/** Strict XML: any warning or error throws. */
function parseSvg(markup: string): Element {
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(
    markup,
    'image/svg+xml',
  );
  if (!doc.documentElement) throw new Error('no root element');
  return doc.documentElement;
}

/** One CSV line into cells ("…" quoted cells may hold commas and "" quotes). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  const re = /("(?:[^"]|"")*"|[^,]*)(,|$)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    cells.push(m[1].startsWith('"') ? m[1].slice(1, -1).replace(/""/g, '"') : m[1]);
    if (m[2] === '') break;
  }
  return cells;
}

/** The header and rows of a CSV whose leading comment lines start with "#". */
function readCsv(text: string): { comments: string[]; header: string[]; rows: string[][] } {
  const lines = text.trimEnd().split('\n');
  const comments = lines.filter((l) => l.startsWith('#'));
  const [header, ...rows] = lines.filter((l) => !l.startsWith('#')).map(csvCells);
  return { comments, header, rows };
}

describe('animate', () => {
  it('writes the play ladder as one well-formed SVG per width, one seed, into the directory', async () => {
    const dir = join(freshDir(), 'frames');
    const run = await cli([
      'animate',
      '--preset',
      'figure1',
      '--contrast',
      'none',
      '--to',
      '64',
      '--seed',
      '7',
      '--out',
      dir,
    ]);
    expect(run.code, run.stderr).toBe(0);
    const files = readdirSync(dir).sort();
    // 16 up to 64, six notches per doubling: 13 widths.
    expect(files).toHaveLength(13);
    expect(files[0]).toBe('frame-01-m16.svg');
    expect(files.at(-1)).toBe('frame-13-m64.svg');
    const widths = files.map((f) => Number(/-m(\d+)\./.exec(f)?.[1]));
    expect(widths).toEqual([...widths].sort((a, b) => a - b));
    for (const f of [files[0], files[6], files[12]]) {
      const root = parseSvg(readFileSync(join(dir, f), 'utf8'));
      const panels = Array.from(root.getElementsByTagName('g')).filter((g) =>
        g.hasAttribute('data-panel-id'),
      );
      expect(panels.map((g) => g.getAttribute('data-panel-id'))).toEqual([
        'all',
        'block-1',
        'block-2',
      ]);
    }
    expect(run.stdout).toContain('13 frames, m = 16 … 64, seed 7');
  });

  it('refuses a frame format it cannot write and an --out that is a file', async () => {
    const dir = freshDir();
    const bad = await cli(['animate', '--format', 'csv', '--out', join(dir, 'f')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format csv: animate writes svg or png frames');
    const file = join(dir, 'x.svg');
    await cli(['figure', '--m', '50', '--contrast', 'none', '--out', file]);
    const onFile = await cli(['animate', '--out', file]);
    expect(onFile.code).toBe(2);
    expect(onFile.stderr).toContain('this is a file');
  });
});

describe('figure', () => {
  it('Figure 1 as .svg: a well-formed document of 4 panels × 5 curve paths, plain progress lines', async () => {
    const dir = freshDir();
    const out = join(dir, 'figure1.svg');
    const run = await cli(['figure', '--preset', 'figure1', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(readdirSync(dir)).toEqual(['figure1.svg']);
    const root = parseSvg(readFileSync(out, 'utf8'));
    expect(root.tagName).toBe('svg');
    const panels = Array.from(root.getElementsByTagName('g')).filter((g) =>
      g.hasAttribute('data-panel-id'),
    );
    expect(panels.map((g) => g.getAttribute('data-panel-id'))).toEqual([
      'contrast',
      'all',
      'block-1',
      'block-2',
    ]);
    for (const panel of panels) {
      const curves = Array.from(panel.getElementsByTagName('path')).filter((p) =>
        p.hasAttribute('data-curve'),
      );
      expect(curves.map((p) => p.getAttribute('data-curve'))).toEqual(['0', '1', '2', '3', '4']);
      for (const c of curves)
        expect(c.getAttribute('d')).toMatch(/^M[\d.-]+ [\d.-]+(L[\d.-]+ [\d.-]+)+$/);
    }
    // Not a terminal: one plain line per panel on stderr, the file and a summary on stdout.
    expect(run.stderr).toContain('engine: cpu');
    for (let i = 1; i <= 4; i++) expect(run.stderr).toContain(`[${i}/4]`);
    expect(run.stderr).not.toContain('\r');
    expect(run.stdout).toContain(`wrote ${out}`);
  });

  it('.csv: the header and the columns of the app’s CSV export', async () => {
    const dir = freshDir();
    const out = join(dir, 'small.csv');
    const run = await cli(['figure', '--m', '100', '--dirs', '2', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const { comments, header, rows } = readCsv(readFileSync(out, 'utf8'));
    expect(comments[1]).toContain('m=100,100');
    expect(header).toEqual(['panel', 'title', 'direction', 'kind', 'x', 'value', 'precision']);
    expect(rows.length).toBeGreaterThan(4 * 2 * 100);
    for (const row of rows) expect(row).toHaveLength(header.length);
    expect(new Set(rows.map((r) => r[0]))).toEqual(
      new Set(['contrast', 'all', 'block-1', 'block-2']),
    );
    expect(new Set(rows.map((r) => r[3]))).toEqual(new Set(['curve', 'coefficient']));
    expect(new Set(rows.map((r) => r[6]))).toEqual(new Set(['float64']));
    expect(rows.every((r) => Number.isFinite(Number(r[5])))).toBe(true);
  });

  it('.json: exactly the app’s figureJson for the same URL (float64, bit for bit)', async () => {
    const dir = freshDir();
    const out = join(dir, 'b3.json');
    const url = 'B=3&m=300&dirs=3&family=chained&seed=11';
    const run = await cli(['figure', '--url', url, '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const fromCli = JSON.parse(readFileSync(out, 'utf8'));

    const { settings, problems } = settingsFromQuery(url);
    expect(problems).toEqual([]);
    const engine = new CpuEngine();
    const inProcess = JSON.parse(figureJson(settings, await runFigure(engine, settings)));
    engine.destroy();

    expect(fromCli.panels.map((p: { coefficients: number[][] }) => p.coefficients)).toEqual(
      inProcess.panels.map((p: { coefficients: number[][] }) => p.coefficients),
    );
    // The tanh contrast panel (a grid, no coefficients), all weights, and one per block.
    expect(fromCli.panels).toHaveLength(5);
    // The degree table the screen shows (7 sets of blocks for B = 3), with its verdict.
    expect(fromCli.degreeTable.rows).toHaveLength(7);
    expect(typeof fromCli.degreeTable.rows[0].consistent).toBe('boolean');
    expect(fromCli.panels[0].coefficients).toBeNull();
    expect(fromCli.panels[1].coefficients).toHaveLength(3);
    // Everything else too, but for the adapter's text (its thread count differs).
    const withoutAdapter = (doc: { panels: { engine: { adapter: string } }[] }) => {
      for (const p of doc.panels) p.engine.adapter = '';
      return doc;
    };
    expect(withoutAdapter(fromCli)).toEqual(withoutAdapter(inProcess));
  });

  it('.png: a PNG of the SVG’s size × --scale', async () => {
    const dir = freshDir();
    const out = join(dir, 'small.png');
    const run = await cli([
      'figure',
      ...['--m', '100', '--dirs', '2', '--contrast', 'none'],
      ...['--panel-width', '300', '--panel-height', '200', '--columns', '3', '--caption', '0'],
      ...['--scale', '1.5', '--out', out],
    ]);
    expect(run.code, run.stderr).toBe(0);
    const png = readFileSync(out);
    expect(Array.from(png.subarray(0, 8))).toEqual([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a,
    ]);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    // 3 panels in one row of 3 columns, no caption: 900 × 200, at 1.5 pixels per unit.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1350, 300]);
  });
});

describe('analyses', () => {
  it('sweep .csv: medians and samples per family and width, with slopes', async () => {
    const dir = freshDir();
    const out = join(dir, 'sweep.csv');
    const run = await cli(['sweep', '--preset', 'figure1', '--dirs', '1', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const { comments, header, rows } = readCsv(readFileSync(out, 'utf8'));
    expect(header).toEqual([
      'family',
      'width',
      'kind',
      'sample',
      'non_multilinear',
      'c_B',
      'c_B1',
      'precision',
    ]);
    for (const row of rows) expect(row).toHaveLength(header.length);
    const medians = rows.filter((r) => r[2] === 'median');
    expect(new Set(medians.map((r) => r[0]))).toEqual(new Set(['aligned', 'chained']));
    expect(medians.filter((r) => r[0] === 'aligned').map((r) => Number(r[1]))).toEqual(
      Array.from({ length: 11 }, (_, i) => 16 * 2 ** i),
    );
    // 8 networks × 1 direction per point.
    expect(rows.filter((r) => r[2] === 'sample')).toHaveLength(medians.length * 8);
    expect(comments.some((c) => c.startsWith('# slope chained: non_multilinear -0.'))).toBe(true);
    expect(run.stdout).toContain('slopes of the non-multilinear part');
  });

  it('blocks .json: the block structure with the settings that made it', async () => {
    const dir = freshDir();
    const out = join(dir, 'blocks.json');
    const run = await cli(['blocks', '--L', '3', '--m', '256', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(doc)).toEqual([
      'paper',
      'query',
      'settings',
      'analysis',
      'layers',
      'blocks',
    ]);
    expect(doc.query).toContain('L=3,3');
    expect(doc.settings.layers).toEqual([3, 3]);
    expect(doc.layers).toBe(6);
    expect(doc.blocks.blockOfLayer).toEqual([0, 0, 0, 1, 1, 1]);
    expect(doc.blocks.median).toHaveLength(36);
    expect(doc.blocks.precision).toBe('float64');
    // Lemma 1(b): small within blocks, O(1) across the bottleneck.
    expect(doc.blocks.withinBlocks).toBeLessThan(0.05);
    expect(doc.blocks.acrossBlocks).toBeGreaterThan(0.3);
  });
});

describe('usage', () => {
  it('--help lists every command, every option and every setting with its range', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    const text = run.stdout.replace(/\s+/g, ' ');
    for (const c of COMMANDS) expect(text).toContain(` ${c.name} `);
    for (const o of ['--out', '--preset', '--url', '--engine', '--workers', '--scale', '--help'])
      expect(text).toContain(o);
    for (const f of SETTING_FIELDS) {
      expect(text).toContain(`--${f.key} `);
      expect(text).toContain(f.range(FIGURE1).replace(/\s+/g, ' '));
    }
    expect((await cli(['figure', '--help'])).stdout).toBe(run.stdout);
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown flag', ['figure', '--bogus', '1', '--out', 'f.svg'], /unknown flag --bogus/],
    [
      'a bad value',
      ['figure', '--B', '9', '--out', 'f.svg'],
      /B: must be an integer from 1 to 6 \(--B 9\)/,
    ],
    [
      'a bad value in --url',
      ['figure', '--url', 'B=3&m=5', '--out', 'f.json'],
      /m: must be 3 comma-separated integers \(or one for all\) from 10 to 65536 \(m=5 in --url\)/,
    ],
    [
      'a bad extension',
      ['figure', '--out', 'x.txt'],
      /x\.txt: figure output must be .*\(not \.txt\)/,
    ],
    [
      'an extension the command cannot write',
      ['sweep', '--out', 's.svg'],
      /sweep output must be \.csv or \.json/,
    ],
    ['an unknown command', ['frobnicate', '--out', 'f.svg'], /unknown command "frobnicate"/],
    ['no --out', ['figure', '--B', '3'], /--out <file> is required/],
    ['a missing directory', ['figure', '--out', 'nowhere/f.svg'], /nowhere.* does not exist/],
    ['an unknown engine', ['figure', '--engine', 'tpu', '--out', 'f.svg'], /--engine tpu/],
  ];
  for (const [what, args, message] of bad) {
    it(`${what}: exit code 2, a message naming it, no file`, async () => {
      const dir = freshDir();
      const run = await cli(
        args.map((a) => (a.includes('.') && !a.includes('=') ? join(dir, a) : a)),
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
      expect(readdirSync(dir)).toEqual([]);
    });
  }

  it('over the CPU cap: exit code 1 with the cap message, no file', async () => {
    const dir = freshDir();
    const run = await cli(['figure', '--L', '4', '--m', '65536', '--out', join(dir, 'big.json')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/CPU engine is capped/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('Ctrl-C: stops, exit code 130, no file (not even a temporary one)', async () => {
    const dir = freshDir();
    let sent = false;
    const run = await cli(
      ['figure', '--preset', 'figure1', '--out', join(dir, 'f.svg')],
      (text, child) => {
        if (!sent && text.includes('figure:')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    expect(sent).toBe(true);
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('interrupted');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('the progress bar fits the terminal and shows the stage and an ETA', () => {
    const line = renderBar(0.5, '(b) identity, all weights: layer 3 of 4', 2000, 60);
    expect(line.length).toBeLessThanOrEqual(59);
    expect(line).toMatch(/^ 50% \[#+-+\] ETA 2\.0s +\(b\) identity/);
    expect(renderBar(0.5, 'x'.repeat(200), 2000, 40).length).toBe(39);
    expect(renderBar(0, 'starting', 0, 80)).toContain('ETA --');
  });
});

describe('--engine gpu', () => {
  it('runs on the WebGPU adapter Dawn finds, or says there is none and uses the CPU', async () => {
    const dir = freshDir();
    const out = join(dir, 'gpu.json');
    const run = await cli([
      'figure',
      ...['--engine', 'gpu', '--m', '64', '--dirs', '2', '--contrast', 'none', '--out', out],
    ]);
    console.log(`cli --engine gpu:\n${run.stderr}${run.stdout}`);
    expect(run.code, run.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    const used = /engine: (webgpu|cpu) — /.exec(run.stderr)?.[1];
    expect(used).toBeDefined();
    if (used === 'cpu') expect(run.stderr).toMatch(/gpu: .*Using the CPU engine\./);
    expect(doc.panels[0].engine.kind).toBe(used);
    expect(doc.panels[0].precision).toBe(used === 'webgpu' ? 'float32' : 'float64');
    expect(run.stdout).toContain(`engine ${used}`);
  });

  it('without a Vulkan driver: says no adapter was found and computes on the CPU', async () => {
    const dir = freshDir();
    const out = join(dir, 'cpu.json');
    const run = await cli(
      ['figure', '--engine', 'gpu', '--m', '64', '--dirs', '1', '--out', out],
      undefined,
      { VK_ICD_FILENAMES: join(dir, 'no-such-driver.json') },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('gpu: no WebGPU adapter found. Using the CPU engine.');
    expect(run.stderr).toContain('engine: cpu');
    expect(JSON.parse(readFileSync(out, 'utf8')).panels[0].precision).toBe('float64');
  });
});
