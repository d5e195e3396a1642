// Short notes, typeset as mathematics by <Tex>, one per panel kind and per analysis: what is
// plotted, which result of the paper it shows, and what to look for. Pure functions of a small
// context. Numbers (eq., Lemma, Theorem, Definition) are the paper's; docs/model.md has the model.
// Math between $…$ (inline) or $$…$$ (display); \$ is a literal dollar sign. String.raw keeps the
// TeX backslashes readable; never start math with `{` right after `$` (that is `${…}`).

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

function familySentence(ctx: NoteContext): string {
  return ctx.family === 'gaussian'
    ? r` Gaussian directions move $g$ only by $O(1/\sqrt m)$: expect nearly flat curves.`
    : '';
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
  const model =
    B === 1
      ? r`Dashed: the multilinear model, here the tangent line $q(t) = g(W) + t\,\partial_\Delta g(W)$; $|g - q| = O(1/\sqrt m)$.`
      : B === 2
        ? r`Dashed: the bilinear model of eq. 18 along $\Delta$, $q(t) = g(W) + t\,(\partial_1 + \partial_2)\,g + t^2\,\partial_1\partial_2\,g$ with $\partial_b$ the derivative along $\Delta_b$ at $W$; $|g - q| = O(1/\sqrt m)$ (eq. 17).`
        : r`Dashed: the multilinear model $q$ along $\Delta$ (eq. 27); $|g - q| = O(1/\sqrt m)$.`;
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
    return [
      r`${what} $g(W + t\Delta)$ is a polynomial of degree at most $L_{${b}}$ in $t$.`,
      r`Theorem 2 with the single variable $t_{${b}}$: $g$ is linear in $W_{${b}}$ up to $O(1/\sqrt m)$ (Figure 1(c–d)).`,
      r`Expect a straight line however deep the block; $c_2, c_3, \dots$ shrink as $m$ grows.`,
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

function analysisSweep(ctx: NoteContext): string {
  const B = ctx.blocks;
  const aligned = ctx.family === 'aligned' || ctx.family === 'tilted';
  const chained = ctx.family === 'chained';
  const family = aligned
    ? r`Along aligned directions the second-order terms inside a block carry an extra overlap $\langle \hat h_{\ell+1}, \xi_\ell \rangle = O(1/\sqrt m)$: expect slope $\approx -1$; the chained family $\Delta^{(\ell)} = \xi_\ell \otimes \xi_{\ell-1}$ reaches $-1/2$.`
    : chained
      ? r`The chained family $\Delta^{(\ell)} = \xi_\ell \otimes \xi_{\ell-1}$ lines consecutive layers up, so nothing inside a block cancels: expect slope $-1/2$, the bound is tight.`
      : r`Aligned directions give slope $\approx -1$ (second-order terms inside a block are damped); the chained family $\Delta^{(\ell)} = \xi_\ell \otimes \xi_{\ell-1}$ reaches $-1/2$: the bound is tight.`;
  return [
    r`The part of $p(t_1,\dots,t_B)$ that is not multilinear, against $m$ on log–log axes, next to the slope $-1/2$ of Theorem 2's bound $O(1/\sqrt m)$.`,
    r`$|c_{${B}}|$ stays $\Omega(1)$ (Lemma 3 bounds the $B$-th derivative below) while $|c_{${B + 1}}|$ falls like $m^{-1/2}$ or faster (Lemma 2 bounds the $(B+1)$-th).`,
    family,
  ].join(' ');
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
    B === 1
      ? ''
      : r`Look for near-zero squares on the diagonal, one per block, and large entries across them; along aligned directions only pairs of layers with narrow outputs stay large (the lemma is about the worst direction).`,
  ]
    .join(' ')
    .trim();
}

function analysisDegrees(ctx: NoteContext): string {
  const B = ctx.blocks;
  const sets = 2 ** B - 1;
  return [
    r`For each non-empty set $S$ of perturbed blocks (${sets} here), the measured total degree of $t \mapsto g(W + t\Delta_S)$ and its degree in each $t_b$.`,
    r`Theorem 2: total degree $|S|$, degree $1$ in each block, whatever $L_b$.`,
    r`Depth does not enter: the exact polynomial has degree up to $\sum_{b \in S} L_b$, but the coefficients above $|S|$ are $O(1/\sqrt m)$.`,
  ].join(' ');
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
