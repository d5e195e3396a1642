// The settings of one figure, their defaults, presets, and their URL form. Every view is a URL:
// a copied link reopens the same figure, seeds included.

import {
  DIRECTION_FAMILIES,
  type DirectionFamily,
  NORMALISATIONS,
  type Normalisation,
} from '../model/directions';
import {
  ACTIVATIONS,
  type Activation,
  type ActivationPlacement,
  isLinearNetwork,
  LIMITS,
  type NetworkSpec,
  PLACEMENTS,
} from '../model/spec';

export type Contrast = 'none' | 'tanh' | 'relu';
export const CONTRASTS: readonly Contrast[] = ['none', 'tanh', 'relu'];

export interface FigureSettings {
  /** B: number of blocks (B − 1 bottlenecks). */
  blocks: number;
  /** L_b per block. */
  layers: number[];
  /** m_b per block. */
  widths: number[];
  /** d_1 … d_{B−1}. */
  bottlenecks: number[];
  inputSize: number;
  outputSize: number;
  /** Which output g_o is plotted. */
  outputIndex: number;
  activation: Activation;
  placement: ActivationPlacement;
  /** Panel (a) of Figure 1: the same network with this σ on every hidden layer, all weights. */
  contrast: Contrast;
  family: DirectionFamily;
  normalisation: Normalisation;
  directions: number;
  /** t ranges over [−R, R]. */
  radius: number;
  seed: number;
  directionSeed: number;
  /** Plot y fitted to the curves (zoom), instead of spanning at least R. */
  fitY: boolean;
}

/** Hidden widths the UI offers (the model accepts down to 1). */
export const UI_WIDTH = { min: 10, max: LIMITS.maxWidth } as const;
export const RADIUS = { min: 0.05, max: 100 } as const;
/** One colour-blind-safe colour per direction (Okabe–Ito), so at most 8 per panel. */
export const MAX_PANEL_DIRECTIONS = 8;

export const FIGURE1: FigureSettings = {
  blocks: 2,
  layers: [2, 2],
  widths: [10_000, 10_000],
  bottlenecks: [1],
  inputSize: 1,
  outputSize: 1,
  outputIndex: 0,
  activation: 'identity',
  placement: 'none',
  contrast: 'tanh',
  family: 'aligned',
  normalisation: 'per-layer',
  directions: 5,
  radius: 2,
  seed: 2024,
  directionSeed: 7,
  fitY: false,
};

export interface Preset {
  id: string;
  name: string;
  /** One or two sentences shown with the figure: what to look for, and why. */
  note: string;
  settings: FigureSettings;
}

export const PRESETS: Preset[] = [
  {
    id: 'figure1',
    name: "Paper's Figure 1",
    note: 'Widths [1, 10⁴, 1, 10⁴, 1], aligned directions. (a) tanh everywhere: inflection points, not quadratic. (b) identity, all weights: parabolas. (c, d) one block only: straight lines — bilinear.',
    settings: FIGURE1,
  },
  {
    id: 'figure1-gaussian',
    name: 'Figure 1, literal random directions',
    note: 'Same network, Δ with i.i.d. Gaussian entries (unit Frobenius norm per layer). Such a direction is almost orthogonal to the features each layer sees, so g moves only by O(1/√m) ≈ 1% inside the ball: the curves look flat. The theorem is about every direction; aligned ones show it.',
    settings: { ...FIGURE1, family: 'gaussian' },
  },
  {
    id: 'wide-linear',
    name: 'Wide network, no bottleneck (B = 1)',
    note: 'One wide block: the transition to linearity. Every curve is a straight line up to O(1/√m).',
    settings: {
      ...FIGURE1,
      blocks: 1,
      layers: [3],
      widths: [4096],
      bottlenecks: [],
      contrast: 'none',
    },
  },
  {
    id: 'two-bottlenecks',
    name: 'Two bottlenecks (B = 3): cubic',
    note: 'Three blocks: degree 3 overall and linear in each block (Theorem 2).',
    settings: {
      ...FIGURE1,
      blocks: 3,
      layers: [2, 2, 2],
      widths: [10_000, 10_000, 10_000],
      bottlenecks: [1, 1],
      contrast: 'none',
      radius: 1.5,
    },
  },
  {
    id: 'deep-blocks',
    name: 'Deep blocks (L_b = 4)',
    note: 'Eight layers, yet still quadratic overall and linear per block: the degree counts bottlenecks, not depth.',
    settings: { ...FIGURE1, layers: [4, 4], widths: [1024, 1024], contrast: 'none' },
  },
  {
    id: 'tanh-inside',
    name: 'tanh inside both blocks, linear bottleneck',
    note: "The paper's eq. 1–4: a cascade of two wide tanh networks is not bilinear even with a linear bottleneck unit — look at the single-block panels.",
    settings: {
      ...FIGURE1,
      activation: 'tanh',
      placement: 'inside-blocks',
      contrast: 'none',
      radius: 3,
    },
  },
  {
    id: 'tanh-first-block',
    name: 'tanh in the first block only',
    note: "The paper's closing claim: a non-linear f₁ followed by a wide linear block is bilinear again.",
    settings: {
      ...FIGURE1,
      activation: 'tanh',
      placement: 'first-block',
      contrast: 'none',
      radius: 3,
    },
  },
];

/** The network of the main panels. */
export function networkSpec(s: FigureSettings): NetworkSpec {
  return {
    blocks: s.layers.map((layers, b) => ({ layers, width: s.widths[b] })),
    inputSize: s.inputSize,
    bottleneckWidths: s.bottlenecks,
    outputSize: s.outputSize,
    activation: s.activation,
    placement: s.placement,
    seed: s.seed,
  };
}

/** True when the main network is linear, so its panels and analyses use exact polynomials. */
export function isLinearFigure(s: FigureSettings): boolean {
  return isLinearNetwork(networkSpec(s));
}

/** Resizes the per-block lists when B changes, repeating the last entry. */
export function withBlocks(s: FigureSettings, blocks: number): FigureSettings {
  const resize = (list: number[], n: number, fill: number) =>
    Array.from({ length: n }, (_, i) => list[i] ?? list[list.length - 1] ?? fill);
  return {
    ...s,
    blocks,
    layers: resize(s.layers, blocks, 2),
    widths: resize(s.widths, blocks, 1000),
    bottlenecks: resize(s.bottlenecks, blocks - 1, 1),
  };
}

// ---- URL form ---------------------------------------------------------------------------------

/** A URL parameter that was ignored, and why. */
export interface UrlProblem {
  param: string;
  value: string;
  message: string;
}

const list = (v: number[]) => v.join(',');

export function settingsToQuery(s: FigureSettings): string {
  const q = new URLSearchParams();
  q.set('B', String(s.blocks));
  q.set('L', list(s.layers));
  q.set('m', list(s.widths));
  if (s.blocks > 1) q.set('r', list(s.bottlenecks));
  q.set('d', String(s.inputSize));
  q.set('k', String(s.outputSize));
  q.set('o', String(s.outputIndex));
  q.set('act', s.activation);
  q.set('place', s.placement);
  q.set('contrast', s.contrast);
  q.set('family', s.family);
  q.set('norm', s.normalisation);
  q.set('dirs', String(s.directions));
  q.set('R', String(s.radius));
  q.set('seed', String(s.seed));
  q.set('dseed', String(s.directionSeed));
  if (s.fitY) q.set('fit', '1');
  return q.toString();
}

/**
 * Reads settings from a query string. Every parameter that is missing keeps its default; every
 * one that is invalid is reported and falls back to the default, so any URL gives a valid figure.
 */
export function settingsFromQuery(
  query: string,
  defaults: FigureSettings = FIGURE1,
): {
  settings: FigureSettings;
  problems: UrlProblem[];
} {
  const q = new URLSearchParams(query.replace(/^[?#]/, ''));
  const problems: UrlProblem[] = [];
  const s: FigureSettings = structuredClone(defaults);

  const scalar =
    (integer: boolean) => (param: string, min: number, max: number, set: (v: number) => void) => {
      const raw = q.get(param);
      if (raw === null) return;
      const v = Number(raw);
      const ok = integer ? Number.isInteger(v) : Number.isFinite(v);
      if (raw.trim() === '' || !ok || v < min || v > max) {
        const kind = integer ? 'an integer' : 'a number';
        problems.push({ param, value: raw, message: `must be ${kind} from ${min} to ${max}` });
        return;
      }
      set(v);
    };
  const int = scalar(true);
  const num = scalar(false);
  const ints = (
    param: string,
    length: number,
    min: number,
    max: number,
    set: (v: number[]) => void,
  ) => {
    const raw = q.get(param);
    if (raw === null) return;
    const parts = raw.split(',').map((p) => Number(p));
    const ok =
      raw.trim() !== '' &&
      parts.every((v) => Number.isInteger(v) && v >= min && v <= max) &&
      (parts.length === length || parts.length === 1);
    if (!ok) {
      problems.push({
        param,
        value: raw,
        message: `must be ${length === 1 ? 'an integer' : `${length} comma-separated integers (or one for all)`} from ${min} to ${max}`,
      });
      return;
    }
    set(parts.length === length ? parts : Array(length).fill(parts[0]));
  };
  const oneOf = <T extends string>(param: string, allowed: readonly T[], set: (v: T) => void) => {
    const raw = q.get(param);
    if (raw === null) return;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push({ param, value: raw, message: `must be one of ${allowed.join(', ')}` });
      return;
    }
    set(raw as T);
  };

  int('B', LIMITS.minBlocks, LIMITS.maxBlocks, (v) => Object.assign(s, withBlocks(s, v)));
  ints('L', s.blocks, LIMITS.minLayersPerBlock, LIMITS.maxLayersPerBlock, (v) => (s.layers = v));
  ints('m', s.blocks, UI_WIDTH.min, UI_WIDTH.max, (v) => (s.widths = v));
  if (s.blocks > 1) ints('r', s.blocks - 1, 1, LIMITS.maxNarrowSize, (v) => (s.bottlenecks = v));
  int('d', 1, LIMITS.maxNarrowSize, (v) => (s.inputSize = v));
  int('k', 1, LIMITS.maxNarrowSize, (v) => (s.outputSize = v));
  int('o', 0, s.outputSize - 1, (v) => (s.outputIndex = v));
  if (s.outputIndex >= s.outputSize) s.outputIndex = 0;
  oneOf('act', ACTIVATIONS, (v) => (s.activation = v));
  oneOf('place', PLACEMENTS, (v) => (s.placement = v));
  oneOf('contrast', CONTRASTS, (v) => (s.contrast = v));
  oneOf('family', DIRECTION_FAMILIES, (v) => (s.family = v));
  oneOf('norm', NORMALISATIONS, (v) => (s.normalisation = v));
  int('dirs', 1, MAX_PANEL_DIRECTIONS, (v) => (s.directions = v));
  num('R', RADIUS.min, RADIUS.max, (v) => (s.radius = v));
  int('seed', 0, 0xffffffff, (v) => (s.seed = v));
  int('dseed', 0, 0xffffffff, (v) => (s.directionSeed = v));
  int('fit', 0, 1, (v) => (s.fitY = v === 1));
  const known = new Set([
    'B',
    'L',
    'm',
    'r',
    'd',
    'k',
    'o',
    'act',
    'place',
    'contrast',
    'family',
    'norm',
    'dirs',
    'R',
    'seed',
    'dseed',
    'fit',
  ]);
  for (const key of q.keys()) {
    if (!known.has(key))
      problems.push({
        param: key,
        value: q.get(key) ?? '',
        message: 'is not a setting of this app',
      });
  }
  return { settings: s, problems };
}

export function sameSettings(a: FigureSettings, b: FigureSettings): boolean {
  return settingsToQuery(a) === settingsToQuery(b);
}
