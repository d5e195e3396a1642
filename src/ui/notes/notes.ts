// Short notes, typeset as mathematics by <Tex>, one per panel kind and per analysis: what is
// plotted, which result of the paper it shows, and what to look for. Pure functions of a small
// context. Numbers (eq., Lemma, Theorem, Definition) are the paper's; docs/model.md has the model.
// Math between $…$ (inline) or $$…$$ (display); \$ is a literal dollar sign. String.raw keeps the
// TeX backslashes readable; never start math with `{` right after `$` (that is `${…}`).
// Every sentence that states a rate, a slope, a degree or a bound is worded for the settings it
// is shown with (family, L_b); docs/claims.md lists them with their evidence and tests.

import { VERDICT_CONSTANT } from '../../experiments/degrees';
import { expectedSweepSlopes } from '../../experiments/sweep';
import type { DirectionFamily } from '../../model/directions';

export interface NoteContext {
  /** B, the number of blocks (B − 1 bottlenecks). */
  blocks: number;
  /** The perturbed block b (1-based, W_1 … W_B) for 'panel-block' and 'deviation'; else all. */
  block?: number;
  /** The direction family ('gaussian', 'aligned', 'tilted', 'gradient', 'chained', …). */
  family: string;
  /** σ = identity everywhere (the paper's linear network). */
  linear: boolean;
  /** The deviation view is on (curves show g minus their least-squares fit). */
  deviation: boolean;
  /** σ of the non-linear panels: 'tanh' (default), 'relu' or 'identity'. */
  activation?: string;
  /** Where σ acts in a non-linear network ('all', 'inside-blocks', 'first-block'); see model.md §1. */
  placement?: string;
  /**
   * L_b of each block (B entries). Rates depend on it (chained directions reach Theorem 2's
   * 1/√m only through two-layer blocks; one-layer blocks have no width m); without it the notes
   * say which L_b each rate is for.
   */
  layers?: readonly number[];
}

export type NoteId =
  | 'panel-contrast'
  | 'panel-all'
  | 'panel-block'
  | 'deviation'
  | 'model-q'
  | 'analysis-sweep'
  | 'analysis-blocks'
  | 'analysis-degrees'
  | 'analysis-surface'
  | 'presentation';

export const NOTE_IDS: readonly NoteId[] = [
  'panel-contrast',
  'panel-all',
  'panel-block',
  'deviation',
  'model-q',
  'analysis-sweep',
  'analysis-blocks',
  'analysis-degrees',
  'analysis-surface',
  'presentation',
];

const r = String.raw;

/** σ as TeX. */
function sigma(ctx: NoteContext): string {
  const act = ctx.activation ?? 'tanh';
  if (act === 'relu') return r`\mathrm{ReLU}`;
  if (act === 'identity') return r`\mathrm{id}`;
  return r`\tanh`;
}

/** The perturbed block, clamped to 1 … B. */
function blockOf(ctx: NoteContext): number {
  return Math.min(Math.max(1, Math.round(ctx.block ?? 1)), Math.max(1, ctx.blocks));
}

/** The multilinear model along Δ, explicit for B ≤ 2, as a sum over subsets S of blocks above. */
function qFormula(B: number): string {
  if (B <= 1) return r`q(t) = g(W) + t\,\partial_1 p`;
  if (B === 2)
    return r`q(t) = g(W) + t\,(\partial_1 + \partial_2)\,p + t^2\,\partial_1\partial_2\,p`;
  return r`q(t) = \sum_{S \subseteq \{1,\dots,${B}\}} t^{|S|}\,\partial_S\, p`;
}

/** "∂_b = ∂/∂t_b at t = 0" (and ∂_S for B ≥ 3). */
function partialsMeaning(B: number): string {
  return B >= 3
    ? r`$\partial_S = \prod_{b\in S} \partial/\partial t_b$ at $t = 0$`
    : r`$\partial_b = \partial/\partial t_b$ at $t = 0$`;
}

/** The deviation view's sentence for a panel whose predicted degree is d. */
function deviationSentence(d: number): string {
  return r`Deviation view: each curve is $g$ minus its least-squares polynomial of degree $${d}$, on its own axis.`;
}

/** L_b of the perturbed blocks (block b only, or all), when the context knows them. */
function perturbedLayers(ctx: NoteContext): readonly number[] | undefined {
  if (!ctx.layers) return undefined;
  return ctx.block === undefined ? ctx.layers : [ctx.layers[blockOf(ctx) - 1] ?? 2];
}

function familySentence(ctx: NoteContext): string {
  if (ctx.family !== 'gaussian') return '';
  const layers = perturbedLayers(ctx);
  if (!layers)
    return r` Gaussian directions move $g$ only by $O(1/\sqrt m)$ through blocks with a wide layer ($L_b \ge 2$): expect nearly flat curves.`;
  if (layers.every((l) => l === 1))
    return r` A one-layer block has no side of width $m$: Gaussian directions move $g$ by $O(1)$ here, like any other.`;
  if (layers.some((l) => l === 1))
    return r` Gaussian directions move $g$ only by $O(1/\sqrt m)$ through the blocks with a wide layer, by $O(1)$ through the one-layer blocks.`;
  return r` Gaussian directions move $g$ only by $O(1/\sqrt m)$: expect nearly flat curves.`;
}

function panelContrast(ctx: NoteContext): string {
  const B = ctx.blocks;
  const s = sigma(ctx);
  const look = ctx.deviation
    ? `${deviationSentence(B)} A structured residual remains, whatever $m$.`
    : B <= 2
      ? r`Look for inflection points: a polynomial of degree $B = ${B}$ has none.`
      : r`A polynomial of degree $B = ${B}$ can bend too; the deviation view shows what it misses.`;
  return [
    r`Figure 1(a): the same network with $\sigma = ${s}$ on every hidden layer, all weights perturbed, $g(W + t\Delta)$ evaluated on a grid of $t \in [-R, R]$.`,
    r`Each wide block alone is nearly linear in its own weights, but the cascade is not: in eq. 1–4, $\psi_2$ and $\varphi_2$ are non-linear in their input, which $W_1$ moves by $O(1)$, so $g$ is not a polynomial in $t$.`,
    look,
  ].join(' ');
}

function panelAll(ctx: NoteContext): string {
  const B = ctx.blocks;
  if (!ctx.linear) {
    const firstOnly = ctx.placement === 'first-block';
    const look = ctx.deviation
      ? `${deviationSentence(B)} ${firstOnly ? 'Flat to noise if Section 5 holds.' : 'A structured residual means not a polynomial of degree $B$.'}`
      : firstOnly
        ? r`With $\sigma$ only in block 1, Section 5 says $g$ is still multilinear: the fit should match.`
        : r`The blocks after the first are non-linear in their input (eq. 3–4): expect $g$ to bend away from the fit.`;
    return [
      r`$g(W + t\Delta)$ along $\Delta$ on all weights, with $\sigma = ${sigma(ctx)}$: not a polynomial in $t$, evaluated on a grid.`,
      r`Theorem 2 is about linear networks: the dashed curve is a least-squares fit of degree $B = ${B}$, not the theorem's model $q$.`,
      look,
    ].join(' ');
  }
  const limit =
    B === 1
      ? r`Theorem 2 with $B = 1$ (a wide network, Definition 7): as $m \to \infty$ it becomes linear in $W$, a straight line.`
      : r`Theorem 2: as $m \to \infty$ it becomes the multilinear $p(t,\dots,t)$ of degree $B = ${B}$${B === 2 ? ', a parabola' : ''}.`;
  // With one layer per block p is multilinear by construction: no O(1/√m) gap at all.
  const exact = ctx.layers?.every((l) => l === 1) ?? false;
  const gap = exact
    ? r`here $g = q$ exactly, as one layer per block makes $p$ multilinear`
    : r`$|g - q| = O(1/\sqrt m)$`;
  const model =
    B === 1
      ? r`Dashed: the multilinear model, here the tangent line $q(t) = g(W) + t\,\partial_\Delta g(W)$; ${gap}.`
      : B === 2
        ? r`Dashed: the bilinear model of eq. 18 along $\Delta$, $q(t) = g(W) + t\,(\partial_1 + \partial_2)\,g + t^2\,\partial_1\partial_2\,g$ with $\partial_b$ the derivative along $\Delta_b$ at $W$; ${gap}${exact ? '' : ' (eq. 17)'}.`
        : r`Dashed: the multilinear model $q$ along $\Delta$ (eq. 27); ${gap}.`;
  const look = ctx.deviation ? ` ${deviationSentence(B)}` : familySentence(ctx);
  return [
    r`$g(W + t\Delta)$ along $\Delta$ on ${B === 1 ? 'all weights (one block)' : `all $B = ${B}$ blocks`}: exactly a polynomial in $t$ of degree at most $\sum_b L_b$.`,
    limit,
    model,
  ]
    .join(' ')
    .concat(look);
}

function panelBlock(ctx: NoteContext): string {
  const B = ctx.blocks;
  const b = blockOf(ctx);
  const what = r`Only $W_{${b}}$ perturbed ($\Delta$ is zero on the other blocks):`;
  if (ctx.linear) {
    const look = ctx.deviation ? ` ${deviationSentence(1)}` : familySentence(ctx);
    const L = ctx.layers?.[b - 1];
    if (L === 1)
      return [
        r`${what} the block is a single matrix, so $g(W + t\Delta)$ is exactly linear in $t$ (degree at most $L_{${b}} = 1$), whatever $m$.`,
      ]
        .join(' ')
        .concat(look);
    return [
      r`${what} $g(W + t\Delta)$ is a polynomial of degree at most $L_{${b}}$ in $t$.`,
      r`Theorem 2 with the single variable $t_{${b}}$: $g$ is linear in $W_{${b}}$ up to $O(1/\sqrt m)$ (Figure 1(c–d)).`,
      blockShape(ctx.family, b, L),
    ]
      .join(' ')
      .concat(look);
  }
  const s = sigma(ctx);
  let why: string;
  if (b === B) {
    why = r`This is the last block: $g$ is the wide network $f_{${b}}(W_{${b}};\cdot)$ at a fixed input, nearly linear in its own weights with or without $\sigma$, so expect a nearly straight line.`;
  } else if (ctx.placement === 'first-block') {
    why = r`The blocks after $W_{${b}}$ are linear, so $g$ stays nearly linear in $W_{${b}}$ (Section 5): expect a straight line.`;
  } else if (ctx.placement === 'all' || ctx.placement === 'inside-blocks') {
    why = r`The blocks after $W_{${b}}$ are non-linear in their input, which $W_{${b}}$ moves by $O(1)$ (eq. 3–4), so the curve bends.`;
  } else {
    why = r`It bends when the blocks after $W_{${b}}$ are non-linear in their input, which $W_{${b}}$ moves by $O(1)$ (eq. 3–4), and stays nearly straight when they are linear.`;
  }
  const look = ctx.deviation ? ` ${deviationSentence(1)}` : '';
  return [
    r`${what} $g(W + t\Delta)$ on a grid of $t$, with $\sigma = ${s}$; Theorem 2 does not apply.`,
    why,
  ]
    .join(' ')
    .concat(look);
}

/** What a single-block panel's curve looks like for this family and L_b (undefined: unknown). */
function blockShape(family: string, b: number, L: number | undefined): string {
  if (family === 'chained' && (L === undefined || L === 2)) {
    const which = L === undefined ? r`with $L_{${b}} = 2$` : r`$L_{${b}} = 2$ here`;
    return r`Along chained directions $c_2$ is not small next to $c_1$ (${which}): both are $O(1/\sqrt m)$, so on a fitted axis the curve bends, and on the ball's scale ($y$ axis spanning $\pm R$) it is flat.${L === undefined ? r` With $L_b \ge 3$, $c_2$ falls faster than $c_1$ and the curve straightens.` : ''}`;
  }
  return r`Expect a straight line however deep the block; $c_2, c_3, \dots$ shrink as $m$ grows, faster than $c_1$.`;
}

function deviation(ctx: NoteContext): string {
  const one = ctx.block !== undefined;
  const d = one ? 1 : ctx.blocks;
  const which = one ? r`one block` : r`all $B = ${ctx.blocks}$ blocks`;
  return [
    r`Deviation view: each curve is $g$ minus its least-squares polynomial of the predicted degree, here $${d}$ for ${which} ($1$ for one block, $|S|$ for a set $S$ of blocks, $B$ for all), on its own axis.`,
    r`Where the theorem holds (linear network, large $m$) it is flat down to the noise, of size $O(1/\sqrt m)$; where it does not ($\sigma$ after a block, small $m$) a clear structured residual remains.`,
  ].join(' ');
}

function modelQ(ctx: NoteContext): string {
  const B = Math.max(1, ctx.blocks);
  const cite = B === 2 ? ' (eq. 18 along $\\Delta$)' : ' (Theorem 2, eq. 27)';
  return r`$q(t)$ is the multilinear part of $p(t_1,\dots,t_B) = g(W + \sum_b t_b \Delta_b)$, the terms of degree at most $1$ in every $t_b$, evaluated at $t_b = t$: $${qFormula(B)}$, with ${partialsMeaning(B)}${cite}.`;
}

const FAMILY_NAMES: Record<string, string> = {
  gaussian: 'Gaussian',
  aligned: 'aligned',
  tilted: 'tilted',
  gradient: 'gradient',
  chained: 'chained',
};

/** "$m^{-1}$", "$m^{-3/2}$", "$m^{-1/2}$" for a slope −k/2. */
function power(slope: number): string {
  const halves = Math.round(-slope * 2);
  return halves % 2 === 0 ? r`$m^{-${halves / 2}}$` : r`$m^{-${halves}/2}$`;
}

/** The chained family's rate for these L_b (TeX), the wording of expectedSweepSlopes. */
function chainedRate(layers: readonly number[] | undefined): string {
  const chain = r`Chained directions $\Delta^{(\ell)} = \xi_\ell \otimes \xi_{\ell-1}$ line consecutive layers up`;
  if (!layers)
    return r`${chain}: with two-layer blocks ($L_b = 2$) a block's square term does not cancel, slope $-1/2$, the bound is tight; deeper blocks fall faster ($\approx m^{-1}$ at $L_b = 3$), and with $L_b = 1$ the part is exactly $0$.`;
  const e = expectedSweepSlopes('chained', layers);
  const deeper = layers.some((l) => l >= 3);
  if (e.atBound)
    return deeper
      ? r`${chain}, so the square term of a two-layer block does not cancel: slope $-1/2$ as $m$ grows, the bound is tight (the blocks of $L_b \ge 3$ add terms falling like $m^{-1}$, so at small $m$ the fit reads steeper).`
      : r`${chain}, so the square term of a two-layer block does not cancel: slope $-1/2$, the bound is tight (with $L_b = 2$; deeper blocks fall faster, $\approx m^{-1}$ at $L_b = 3$).`;
  return r`${chain}, but reach the bound only with two-layer blocks: with $L_b \ge 3$ the chain's square terms pass an $m \times m$ layer and the part falls faster, $\approx m^{-1}$ (measured $-0.9$ to $-1.4$ at $L_b = 3$ and $4$).`;
}

function analysisSweep(ctx: NoteContext): string {
  const B = ctx.blocks;
  const plotted = r`The part of $p(t_1,\dots,t_B)$ that is not multilinear, against $m$ on log–log axes, next to the slope $-1/2$ of Theorem 2's bound $O(1/\sqrt m)$.`;
  if (ctx.layers?.every((l) => l === 1))
    return [
      plotted,
      r`With one layer per block ($L_b = 1$) no layer has width $m$ and $p$ is multilinear by construction: that part is exactly $0$, $c_{${B + 1}} \equiv 0$, and $|c_{${B}}|$ does not change with $m$, along every family.`,
    ].join(' ');
  const own = ctx.family;
  const others = own !== 'aligned' && own !== 'chained' && own in FAMILY_NAMES;
  const name = FAMILY_NAMES[own] ?? own;
  // |c_B|: Ω(1) along aligned (and tilted, gradient), falling along gaussian and chained.
  let cB = r`Along aligned directions $|c_{${B}}|$ stays $\Omega(1)$ (Lemma 3 bounds the $B$-th derivative below, for the worst direction)`;
  if (own === 'tilted' || own === 'gradient') cB += `, and along ${name} ones too`;
  if (own === 'gaussian') {
    const slope = ctx.layers ? expectedSweepSlopes('gaussian', ctx.layers).cB : -B / 2;
    cB += r`; along Gaussian ones it falls like ${power(slope)}${ctx.layers ? '' : r` (blocks of $L_b \ge 2$)`}`;
  }
  cB += r`; along chained ones it falls too, like $m^{-1/2}$ or faster. $|c_{${B + 1}}|$ falls like $m^{-1/2}$ or faster along every family (Lemma 2 bounds the $(B+1)$-th).`;
  const aligned = r`Aligned directions: slope $\approx -1$, faster than the bound (the second-order terms inside a block carry an extra overlap $\langle \hat h_{\ell+1}, \xi_\ell \rangle = O(1/\sqrt m)$)${others ? `; ${name} ones too` : ''}.`;
  return [plotted, cB, aligned, chainedRate(ctx.layers)].join(' ');
}

function analysisBlocks(ctx: NoteContext): string {
  const B = ctx.blocks;
  const lemma =
    B === 1
      ? r`With $B = 1$ there is no bottleneck: all of them vanish as $m$ grows (a wide network becomes linear).`
      : r`Lemma 1(b) (eq. 21–22): within a block they vanish like $\tilde O(1/\sqrt m)$, across a bottleneck they stay $\Omega(1)$, $\|H_{\mathrm{init}}\|_{\mathrm{op}} \ge \|x\| / (24\sqrt{rd})$.`;
  return [
    r`Mixed second derivatives $\partial^2 g / \partial t_\ell\, \partial t_{\ell'}$ at $W$ for every pair of layers $\ell, \ell'$ (one $t_\ell$ per layer); the diagonal is $0$, since $g$ is linear in each layer.`,
    lemma,
    B === 1 ? '' : blocksLook(ctx),
  ]
    .join(' ')
    .trim();
}

/** What the block-structure grid shows along this family (B ≥ 2), for these L_b when known. */
function blocksLook(ctx: NoteContext): string {
  const layers = ctx.layers;
  if (ctx.family === 'gaussian')
    return r`Along Gaussian directions the entries across a bottleneck shrink as well, about like $1/m$: the lemma is about the worst direction, and these are far from it.`;
  // With one layer per block chained directions are aligned ones (every layer starts a block).
  if (ctx.family === 'chained' && !layers?.every((l) => l === 1)) {
    const two = layers ? layers.some((l) => l === 2) : undefined;
    const within =
      two === false
        ? r`the within-block entries fall about like $1/m$`
        : r`the within-block entries${two ? '' : r` of two-layer blocks ($L_b = 2$)`} fall only like $1/\sqrt m$, the lemma's rate`;
    const across = layers?.some((l) => l === 1)
      ? r`those across a bottleneck fall too (a block's last layer reads $\xi$, not the features)`
      : r`those across a bottleneck${layers ? '' : r` (every $L_b \ge 2$)`} fall like $1/m$ (a block's last layer reads $\xi$, not the features)`;
    return two === false
      ? r`Along chained directions both fall: ${within}, and ${across}; the lemma is about the worst direction.`
      : r`Along chained directions it is the other way round: ${within}, and ${across}.`;
  }
  const look = r`Look for near-zero squares on the diagonal, one per block, and large entries across them`;
  if (ctx.family === 'gradient')
    return r`${look}; along gradient directions every pair across a bottleneck stays large, wide-output layers included (a gradient's output side follows the weights after it).`;
  const name =
    ctx.family === 'aligned'
      ? 'aligned'
      : ctx.family === 'chained'
        ? 'chained (here aligned: one layer per block)'
        : `${FAMILY_NAMES[ctx.family] ?? ctx.family} (as along aligned)`;
  return r`${look}; along ${name} directions only pairs of layers with narrow outputs stay large (the lemma is about the worst direction).`;
}

function analysisDegrees(ctx: NoteContext): string {
  const B = ctx.blocks;
  const sets = 2 ** B - 1;
  const text = [
    r`For each non-empty set $S$ of perturbed blocks (${sets} here), the part of $t \mapsto g(W + t\Delta_S)$ above degree $|S|$ — the non-multilinear terms of $p$ restricted to $S$, $\sum |p_\alpha| R^{|\alpha|}$, relative to $g$'s size on the ball — against Theorem 2's $O(1/\sqrt m)$.`,
    r`The row is within the theorem's scale while $\mathrm{excess} \cdot \sqrt m \le K$ ($K = ${VERDICT_CONSTANT}$, measured across widths, families, depths and radii; docs/views.md).`,
    r`The exact polynomial has degree up to $\sum_{b \in S} L_b$, and its coefficients above $|S|$ are small, not zero: a fixed threshold (the old $10^{-3}$ rule, still shown) calls them significant at small $m$.`,
  ];
  if (!ctx.linear)
    text.push(
      r`Here $\sigma \ne \mathrm{id}$: $g$ is not a polynomial and Theorem 2 does not apply; the excess is $\max |g - \mathrm{fit}|$ on the grid, the fit of degree $|S|$, judged by the same rule.`,
    );
  return text.join(' ');
}

function analysisSurface(ctx: NoteContext): string {
  const text = [
    r`$p(t_1, t_2) = g(W + t_1\Delta_1 + t_2\Delta_2)$ over $(t_1, t_2) \in [-R, R]^2$.`,
    r`For $B = 2$ Theorem 1 makes it bilinear, $p \approx p_{00} + p_{10}\,t_1 + p_{01}\,t_2 + p_{11}\,t_1 t_2$ with $p_{11}$ the $H_{\mathrm{init}}$ term of eq. 18: a saddle, straight along every line $t_1 = \mathrm{const}$ or $t_2 = \mathrm{const}$.`,
    r`Its diagonal $t_1 = t_2 = t$ is the parabola of the all-weights panel.`,
  ];
  if (ctx.blocks !== 2)
    text.push(r`Shown for linear networks with $B = 2$ only (here $B = ${ctx.blocks}$).`);
  return text.join(' ');
}

/** W_1, …, W_B as TeX. */
function blockList(B: number): string {
  return B <= 3
    ? Array.from({ length: B }, (_, i) => `W_{${i + 1}}`).join(', ')
    : r`W_1, \dots, W_{${B}}`;
}

function presentation(ctx: NoteContext): string {
  const B = ctx.blocks;
  const bottlenecks = B - 1 === 1 ? '1 bottleneck' : `${B - 1} bottlenecks`;
  return B === 1
    ? r`Each curve is $g(W + t\Delta)$ along a direction $\Delta$ in weight space: as the width $m$ grows, a wide linear network becomes linear in its weights.`
    : r`Each curve is $g(W + t\Delta)$ along a direction $\Delta$ in weight space: as the width $m$ grows, a linear network with ${bottlenecks} becomes multilinear in its blocks $${blockList(B)}$, of degree $B = ${B}$ however deep they are.`;
}

// ---- Plain-text sentences (no TeX): the figure's family note and the width sweep's "about" ----

/** "with two-layer blocks" style facts about L_b used by the plain-text sentences. */
function depthFacts(layers: readonly number[]) {
  return {
    allOne: layers.every((l) => l === 1),
    someOne: layers.some((l) => l === 1),
    twoLayer: layers.some((l) => l === 2),
    deeper: layers.some((l) => l >= 3),
  };
}

/** The chained family's rate in plain text, for these L_b (as chainedRate). */
function chainedRateText(layers: readonly number[]): string {
  const d = depthFacts(layers);
  if (d.allOne)
    return 'With one layer per block every layer is the first of its block, so chained directions are aligned ones and p is multilinear: the non-multilinear part is exactly 0.';
  if (expectedSweepSlopes('chained', layers).atBound)
    return d.deeper
      ? 'Inside a two-layer block the second-order terms no longer cancel: the non-multilinear part falls like 1/√m, the theorem’s rate (aligned: 1/m); the blocks of three or more layers add terms falling like 1/m.'
      : 'Inside a two-layer block the second-order terms no longer cancel: the non-multilinear part falls like 1/√m, the theorem’s rate (aligned: 1/m); deeper blocks fall faster (≈ 1/m at L_b = 3).';
  return 'With L_b ≥ 3 the chain’s square terms pass an m × m layer: the non-multilinear part falls like 1/m (as along aligned directions), faster than the theorem’s 1/√m, which chained directions reach only with two-layer blocks.';
}

/**
 * The figure's note on the direction family (shown under the preset's note), for blocks of
 * `layers` (L_b each): the rates it states are the ones that hold for them (docs/claims.md).
 */
export function familyNoteText(family: DirectionFamily, layers: readonly number[]): string {
  const d = depthFacts(layers);
  if (family === 'gaussian') {
    const moves = d.allOne
      ? 'With one layer per block no layer has width m, so they move g by O(1) here, like any direction.'
      : d.someOne
        ? 'They are nearly orthogonal to what each wide layer sees, so g moves only by O(1/√m) through the blocks of L_b ≥ 2 (by O(1) through the one-layer blocks).'
        : 'They are nearly orthogonal to what each layer sees, so g moves only by O(1/√m) — flat curves.';
    return `Gaussian directions: i.i.d. N(0,1) entries, each layer scaled to unit Frobenius norm. ${moves} Theorems 1–2 hold for every direction; aligned ones move g by O(1).`;
  }
  if (family === 'aligned')
    return 'Aligned directions: Δ⁽ˡ⁾ = ξ ⊗ h(x)/‖h(x)‖, rank one, random ξ, aligned with the features layer ℓ sees; they move g by O(1). With 1-wide layers ξ = ±1 there, so curves coincide in groups (try “aligned + random tilt”).';
  if (family === 'tilted')
    return 'Tilted directions: aligned ones turned by a random angle θ towards a random orthogonal vector, so each layer moves g by O(cos θ): the curves differ in size, unlike aligned ones, which with 1-wide layers differ only in sign.';
  if (family === 'chained') {
    const small = d.allOne
      ? ''
      : d.someOne
        ? ' A one-layer block reads its input as aligned directions do and moves g by O(1); the other blocks move it by O(1/√m).'
        : ' Every non-constant term is O(1/√m) here, so the curves are small.';
    return `Chained directions: Δ⁽ˡ⁾ = ξₗ ⊗ ξₗ₋₁, each layer reading the previous layer’s ξ (a block’s first layer reads its features), unit norm. ${chainedRateText(layers)}${small}`;
  }
  return 'Gradient directions: Δ = ∇_W g(W₀; xⱼ) for fresh inputs xⱼ, normalised.';
}

/** The width sweep's one-line description, for blocks of `layers` (undefined: not known). */
export function sweepAbout(layers?: readonly number[]): string {
  const head =
    'On log–log axes against m, for the settings’ family, aligned and chained directions: the non-multilinear size beside Theorem 2’s 1/√m (slope −1/2), |c_B| (B-th derivative / B!) and |c_{B+1}|.';
  if (layers && depthFacts(layers).allOne)
    return `${head} With one layer per block (L_b = 1) the non-multilinear size and c_{B+1} are exactly 0 and nothing depends on m.`;
  const chained = !layers
    ? 'like 1/√m along chained ones with two-layer blocks (L_b = 2: the bound is tight; deeper blocks fall like 1/m)'
    : expectedSweepSlopes('chained', layers).atBound
      ? 'like 1/√m along chained ones (two-layer blocks: the bound is tight)'
      : 'like 1/m along chained ones too (L_b ≥ 3: chained directions reach the bound only with two-layer blocks)';
  return `${head} The size falls like 1/m along aligned directions (faster than the bound) and ${chained}; |c_B| stays O(1) along aligned directions (Ω(1), Lemma 3) and falls along chained ones; |c_{B+1}| falls at least like 1/√m.`;
}

const NOTES: Record<NoteId, (ctx: NoteContext) => string> = {
  'panel-contrast': panelContrast,
  'panel-all': panelAll,
  'panel-block': panelBlock,
  deviation,
  'model-q': modelQ,
  'analysis-sweep': analysisSweep,
  'analysis-blocks': analysisBlocks,
  'analysis-degrees': analysisDegrees,
  'analysis-surface': analysisSurface,
  presentation,
};

/** The note `id` for context `ctx`: a few sentences with `$…$` math, for <Tex>. */
export function note(id: NoteId, ctx: NoteContext): string {
  return NOTES[id](ctx);
}
