// Where the degree verdict's constant comes from (experiments/degrees.ts VERDICT_CONSTANT,
// docs/views.md "The degree verdict"): the relative excess · √m of every degree-table row, worst
// direction, on the float64 CPU engine, over networks the presets do not use. Linear networks are
// the theorem's own (their rows must stay under K); tanh inside a block breaks it (its rows should
// exceed K); tanh in the first block only is bilinear again (paper's closing claim).
//
//   node bench/build.mjs && node bench/dist/degree-verdict.mjs [--quick]
//
// Prints, per group and width, the largest and smallest excess · √m seen, and the count of rows.

import { CpuEngine } from '../src/engine/cpuEngine';
import { VERDICT_CONSTANT } from '../src/experiments/degrees';
import { computePanel, figureDegreeTable, planPanels } from '../src/experiments/figure';
import { FIGURE1, type FigureSettings, settingsToQuery } from '../src/experiments/settings';
import type { DirectionFamily } from '../src/model/directions';

const quick = process.argv.includes('--quick');
const engine = new CpuEngine();

/** A small deterministic generator for the sampled configurations (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

interface Sample {
  group: string;
  width: number;
  scaled: number;
  /** The row and the settings, for the outliers. */
  what: string;
}
const samples: Sample[] = [];
/** Per network: its worst row (the table's verdict is its worst row's). */
const networks: { group: string; width: number; radius: number; worst: number }[] = [];

async function measure(group: string, settings: FigureSettings): Promise<void> {
  const panels = planPanels(settings);
  const results = [];
  for (const panel of panels) results.push(await computePanel(engine, settings, panel));
  const table = figureDegreeTable(results);
  const worst = Math.max(...(table?.rows ?? []).map((row) => row.scaledExcess));
  networks.push({ group, width: table?.rows[0]?.width ?? 0, radius: settings.radius, worst });
  for (const row of table?.rows ?? []) {
    samples.push({
      group,
      width: row.width,
      scaled: row.scaledExcess,
      what: `S = {${row.blocks}} excess ${row.excess.toExponential(2)} rel ${row.excessRelative.toExponential(2)}: ${settingsToQuery(settings)}`,
    });
  }
}

const widths = quick ? [16, 64, 256, 1024] : [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
// --chained: only the chained family (the bound is tight there: the tail that sets K), 3× the networks.
const chainedOnly = process.argv.includes('--chained');
const families: DirectionFamily[] = chainedOnly
  ? ['chained']
  : ['aligned', 'tilted', 'chained', 'gaussian', 'gradient'];
const shapes: { blocks: number; layers: number[] }[] = [
  { blocks: 1, layers: [2] },
  { blocks: 1, layers: [3] },
  { blocks: 2, layers: [2, 2] },
  { blocks: 2, layers: [3, 2] },
  { blocks: 2, layers: [4, 4] },
  { blocks: 3, layers: [2, 2, 2] },
  { blocks: 3, layers: [2, 3, 2] },
  { blocks: 3, layers: [3, 3, 3] },
];
const r = rng(20261208);
const perWidth = (quick ? 6 : 14) * (chainedOnly ? 3 : 1);
for (const width of widths) {
  for (let i = 0; i < perWidth; i++) {
    const shape = pick(r, shapes);
    // Square m × m layers (L_b ≥ 3) cost m² per layer: keep those to m ≤ 2048.
    if (width > 2048 && shape.layers.some((l) => l >= 3)) continue;
    const family = pick(r, families);
    const B = shape.blocks;
    const settings: FigureSettings = {
      ...FIGURE1,
      blocks: B,
      layers: shape.layers,
      widths: shape.layers.map(() => width),
      bottlenecks: Array.from({ length: B - 1 }, () => pick(r, [1, 1, 2, 3])),
      inputSize: pick(r, [1, 2, 3, 5]),
      outputSize: 1,
      contrast: 'none',
      family,
      directions: 3,
      radius: pick(r, [0.5, 1, 1.5, 2, 3]),
      seed: 1000 + Math.floor(r() * 1e6),
      directionSeed: 7 + Math.floor(r() * 1e6),
    };
    await measure(
      `linear, ${family}, ${B === 1 ? 'B = 1' : `L_b ≥ 3: ${shape.layers.some((l) => l >= 3)}`}`,
      settings,
    );
    await measure('linear, all', settings);
  }
  for (const placement of ['inside-blocks', 'first-block'] as const) {
    for (let s = 0; s < (quick ? 2 : 4); s++) {
      const settings: FigureSettings = {
        ...FIGURE1,
        activation: 'tanh',
        placement,
        contrast: 'none',
        widths: [width, width],
        radius: pick(r, [0.5, 1, 1.5, 2, 3]),
        seed: 5000 + Math.floor(r() * 1e6),
        directionSeed: 9 + Math.floor(r() * 1e6),
      };
      await measure(`tanh ${placement}, R ${settings.radius >= 2 ? '≥ 2' : '= 1'}`, settings);
    }
  }
  process.stderr.write(`m = ${width} done\n`);
}

const groups = [...new Set(samples.map((s) => s.group))].sort();
console.log(`relative excess · √m per degree-table row (worst direction); K = ${VERDICT_CONSTANT}`);
console.log(['group'.padEnd(34), ...widths.map((m) => `m=${m}`.padStart(15))].join(''));
for (const g of groups) {
  const cells = widths.map((m) => {
    const xs = samples.filter((s) => s.group === g && s.width === m).map((s) => s.scaled);
    if (!xs.length) return '—'.padStart(15);
    return `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`.padStart(15);
  });
  console.log([g.padEnd(34), ...cells].join(''));
}

const verbose = process.argv.includes('--verbose');
if (verbose) {
  console.log('\nlinear rows above K, and tanh-inside rows below K at m ≥ 64:');
  for (const s of samples) {
    const linear = s.group.startsWith('linear') && s.group !== 'linear, all';
    if (
      (linear && s.scaled > VERDICT_CONSTANT) ||
      (s.group.includes('inside') && s.width >= 64 && s.scaled <= VERDICT_CONSTANT)
    )
      console.log(`${s.group} m=${s.width} ${s.scaled.toFixed(2)} ${s.what}`);
  }
}

if (process.argv.includes('--by-radius')) {
  console.log('\nworst row per network, by radius: linear max | tanh-inside min (over networks)');
  for (const R of [0.5, 1, 1.5, 2, 3]) {
    const cells = widths.map((m) => {
      const at = networks.filter((n) => n.radius === R && n.width === m);
      const lin = at.filter((n) => n.group.startsWith('linear') && n.group !== 'linear, all');
      const tanh = at.filter((n) => n.group.includes('inside'));
      const f = (xs: number[], g: (...v: number[]) => number) =>
        xs.length ? g(...xs).toFixed(2) : '—';
      return `${f(
        lin.map((n) => n.worst),
        Math.max,
      )}|${f(
        tanh.map((n) => n.worst),
        Math.min,
      )}`.padStart(15);
    });
    console.log([`R = ${R}`.padEnd(34), ...cells].join(''));
  }
}
