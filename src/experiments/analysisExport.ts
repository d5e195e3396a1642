// Exported data of the analyses beside the figure (the width sweep and Lemma 1(b)'s block
// structure), in the style of export.ts: the numbers and the settings that made them.
import type { BlockStructure } from './blockStructure';
import type { DegreeSweepResult } from './degreeSweep';
import { PAPER } from './export';
import { type FigureSettings, settingsToQuery } from './settings';
import type { SweepResult } from './sweep';

/** NaN and ±∞ as JSON null (JSON.stringify does that too), in CSV as an empty cell. */
const cell = (v: number | null) => (v === null || !Number.isFinite(v) ? '' : String(v));

export function sweepJson(settings: FigureSettings, sweep: SweepResult): string {
  return JSON.stringify(
    {
      paper: PAPER,
      query: settingsToQuery(settings),
      settings,
      analysis: 'width sweep',
      /** Per family: the median non-multilinear size, |c_B| and |c_{B+1}| at every width. */
      sweep,
    },
    null,
    1,
  );
}

/**
 * One row per family × width with the medians (kind=median) and one per sample (kind=sample,
 * `sample` = network · directions + direction); the fitted slopes as comment lines.
 */
export function sweepCsv(settings: FigureSettings, sweep: SweepResult): string {
  const lines = [
    `# ${PAPER}`,
    `# settings: ?${settingsToQuery(settings)}`,
    `# width sweep: B = ${sweep.blocks}, networks with seeds ${sweep.seeds.join(', ')}; slopes fitted over m ≥ ${sweep.fitFrom}`,
    '# non_multilinear: Σ |p_α| R^|α| over the non-multilinear terms α; c_B, c_B1: |c_B|, |c_{B+1}| of t ↦ g(W + tΔ; x)',
    `# theorem slopes: non_multilinear ${sweep.theorem.nonMultilinear}, c_B ${sweep.theorem.cB}, c_B1 ${sweep.theorem.cB1}`,
  ];
  for (const s of sweep.series) {
    const cB1 = s.slopeCB1 === null ? 'none (c_{B+1} ≡ 0)' : cell(s.slopeCB1) || 'NaN';
    lines.push(
      `# slope ${s.family}: non_multilinear ${cell(s.slope) || 'NaN'}, c_B ${cell(s.slopeCB) || 'NaN'}, c_B1 ${cB1}; noise floor ${s.noiseFloor}`,
    );
  }
  lines.push('family,width,kind,sample,non_multilinear,c_B,c_B1,precision');
  for (const s of sweep.series) {
    for (const p of s.points) {
      lines.push(
        `${s.family},${p.width},median,,${cell(p.median)},${cell(p.cB)},${cell(p.cB1)},${sweep.precision}`,
      );
      p.perDirection.forEach((v, i) => {
        lines.push(
          `${s.family},${p.width},sample,${i},${cell(v)},${cell(p.perDirectionCB[i])},${cell(p.perDirectionCB1[i])},${sweep.precision}`,
        );
      });
    }
  }
  return `${lines.join('\n')}\n`;
}

export function blocksJson(settings: FigureSettings, blocks: BlockStructure): string {
  return JSON.stringify(
    {
      paper: PAPER,
      query: settingsToQuery(settings),
      settings,
      analysis: 'block structure',
      layers: blocks.blockOfLayer.length,
      /** median[ℓ · layers + ℓ'] = median over directions of |∂²g/∂t_ℓ∂t_ℓ'|. */
      blocks,
    },
    null,
    1,
  );
}

/** One row per pair of layers ℓ < ℓ' (1-based, as in the paper), with their blocks. */
export function blocksCsv(settings: FigureSettings, blocks: BlockStructure): string {
  const L = blocks.blockOfLayer.length;
  const lines = [
    `# ${PAPER}`,
    `# settings: ?${settingsToQuery(settings)}`,
    "# block structure (Lemma 1(b)): median over directions of |∂²g/∂t_ℓ∂t_ℓ'|, one variable per layer",
    `# largest within blocks ${blocks.withinBlocks}, across blocks ${blocks.acrossBlocks}`,
    'layer,layer2,block,block2,same_block,median_abs_d2g,precision',
  ];
  for (let a = 0; a < L; a++) {
    for (let b = a + 1; b < L; b++) {
      const [ba, bb] = [blocks.blockOfLayer[a], blocks.blockOfLayer[b]];
      lines.push(
        `${a + 1},${b + 1},${ba + 1},${bb + 1},${ba === bb ? 1 : 0},${cell(blocks.median[a * L + b])},${blocks.precision}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The degree verdict against m (degreeSweep.ts): every row's excess at every width, and slopes. */
export function verdictJson(settings: FigureSettings, verdict: DegreeSweepResult): string {
  return JSON.stringify(
    {
      paper: PAPER,
      query: settingsToQuery(settings),
      settings,
      analysis: 'degree verdict against m',
      rule: `within Theorem 2's scale when excess · √m ≤ ${verdict.verdictConstant} (excess: the part above degree |S|, relative to g's size on the ball, worst direction)`,
      verdict,
    },
    null,
    1,
  );
}

/** One row per set S × width: the relative excess, excess·√m and the verdict (1 within). */
export function verdictCsv(settings: FigureSettings, verdict: DegreeSweepResult): string {
  const lines = [
    `# ${PAPER}`,
    `# settings: ?${settingsToQuery(settings)}`,
    `# degree verdict against m (${verdict.source}), seed ${verdict.seed}; within Theorem 2's scale when excess · sqrt(m) <= ${verdict.verdictConstant}`,
    ...verdict.series.map((s) => `# slope S={${s.blocks.join(' ')}}: ${cell(s.slope)}`),
    'blocks,width,excess,scaled_excess,consistent,precision',
  ];
  for (const s of verdict.series) {
    for (const p of s.points) {
      lines.push(
        `${s.blocks.join(' ')},${p.width},${cell(p.excess)},${cell(p.scaledExcess)},${p.consistent ? 1 : 0},${verdict.precision}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
