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
import { TRAINING_LIMITS } from '../model/training';
import {
  DEFAULT_TRAINING,
  OPTIMISERS,
  STEP_RULES,
  TRAINING_RANGES,
  type TrainingSettings,
  validateTraining,
} from './training';

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
  // ---- View settings: a change redraws, it never recomputes (see SETTING_FIELDS). ----
  /** y axes: fitted to each panel's curves, one axis shared by all panels, or spanning ≥ R. */
  yAxis: YAxis;
  /** Each panel plots g minus its least-squares polynomial of the predicted degree. */
  deviation: boolean;
  /** Presentation mode: slides of the presets, controls hidden. */
  present: boolean;
  /** Animations allowed (`motion=0`, like prefers-reduced-motion, stops every one). */
  motion: boolean;
}

export type YAxis = 'fit' | 'shared' | 'radius';
export const Y_AXES: readonly YAxis[] = ['fit', 'shared', 'radius'];

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
  yAxis: 'fit',
  deviation: false,
  present: false,
  motion: true,
};

export interface Preset {
  id: string;
  name: string;
  /** One line: the claim the preset shows (a presentation slide's headline). */
  claim: string;
  /** One or two sentences shown with the figure: what to look for, and why. */
  note: string;
  settings: FigureSettings;
}

export const PRESETS: Preset[] = [
  {
    id: 'figure1',
    claim: 'Linear in each block, quadratic overall: g is bilinear in (W_1, W_2).',
    name: "Paper's Figure 1",
    note: 'Widths [1, 10⁴, 1, 10⁴, 1], aligned directions. (a) tanh everywhere: inflection points, not quadratic. (b) identity, all weights: parabolas. (c, d) one block only: straight lines — bilinear.',
    settings: FIGURE1,
  },
  {
    id: 'figure1-gaussian',
    claim: 'Along literal random directions g barely moves: O(1/√m) inside the ball.',
    name: 'Figure 1, literal random directions',
    note: 'Same network, Δ with i.i.d. Gaussian entries (unit Frobenius norm per layer). Such a direction is almost orthogonal to the features each layer sees, so g moves only by O(1/√m) ≈ 1% inside the ball: the curves look flat. The theorem is about every direction; aligned ones show it.',
    // An axis spanning ±R shows how little g moves; a fitted one would magnify the O(1/√m).
    settings: { ...FIGURE1, family: 'gaussian', yAxis: 'radius' },
  },
  {
    id: 'wide-linear',
    claim: 'No bottleneck: a wide linear network is linear in its weights.',
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
    claim: 'Two bottlenecks, three blocks: cubic overall, linear in each block.',
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
    claim: 'Depth does not raise the degree: bottlenecks do.',
    name: 'Deep blocks (L_b = 4)',
    note: 'Eight layers, yet still quadratic overall and linear per block: the degree counts bottlenecks, not depth. The terms of degree 3 … 8 are small, not zero: along these aligned directions they fall like 1/m, well within Theorem 2’s O(1/√m) (the degree table’s verdict).',
    settings: {
      ...FIGURE1,
      layers: [4, 4],
      widths: [4096, 4096],
      contrast: 'none',
      directions: 3,
    },
  },
  {
    id: 'tanh-inside',
    claim: 'tanh inside the blocks breaks multilinearity, bottleneck or not.',
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
    claim: 'A non-linear first block followed by a wide linear one: bilinear again.',
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

/**
 * One URL parameter of the settings. `compute` settings change what the engines compute; `view`
 * settings only change how results are drawn, so a change redraws without recomputing. `read`
 * returns an error message (the value is then ignored and the default kept) or applies the value;
 * it sees the settings read so far, in table order (B before the per-block lists, k before o).
 */
export interface SettingField {
  key: string;
  /** What the setting is, for --help and documentation. */
  help: string;
  /** Its range or choices, given the settings read before it (e.g. "10 to 65536"). */
  range(s: FigureSettings): string;
  kind: 'compute' | 'view';
  /** The value for the URL, or null to leave the parameter out (it is the default). */
  write(s: FigureSettings): string | null;
  read(raw: string, s: FigureSettings): string | undefined;
}

const list = (v: number[]) => v.join(',');

function parseNumber(raw: string, integer: boolean, min: number, max: number): number | string {
  const v = Number(raw);
  const ok = raw.trim() !== '' && (integer ? Number.isInteger(v) : Number.isFinite(v));
  if (!ok || v < min || v > max)
    return `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  return v;
}

/** An integer or number setting in [min, max] (bounds may depend on the settings read so far). */
function scalar(
  key: string,
  help: string,
  kind: SettingField['kind'],
  integer: boolean,
  bounds: (s: FigureSettings) => [number, number],
  get: (s: FigureSettings) => number,
  set: (s: FigureSettings, v: number) => void,
): SettingField {
  return {
    key,
    help,
    range: (s) => `${integer ? 'integer' : 'number'} ${bounds(s).join(' to ')}`,
    kind,
    write: (s) => String(get(s)),
    read(raw, s) {
      const [min, max] = bounds(s);
      const v = parseNumber(raw, integer, min, max);
      if (typeof v === 'string') return v;
      set(s, v);
    },
  };
}

/** A per-block (or per-bottleneck) list of integers; one value stands for all. */
function integers(
  key: string,
  help: string,
  length: (s: FigureSettings) => number,
  min: number,
  max: number,
  get: (s: FigureSettings) => number[],
  set: (s: FigureSettings, v: number[]) => void,
): SettingField {
  return {
    key,
    help,
    range: (s) =>
      length(s) === 1
        ? `integer ${min} to ${max}`
        : `${length(s)} integers ${min} to ${max}, comma-separated, or one for all`,
    kind: 'compute',
    write: (s) => (length(s) > 0 ? list(get(s)) : null),
    read(raw, s) {
      const n = length(s);
      if (n === 0) return 'needs B ≥ 2 (with one block there is no bottleneck)';
      const parts = raw.split(',').map((p) => Number(p));
      const ok =
        raw.trim() !== '' &&
        parts.every((v) => Number.isInteger(v) && v >= min && v <= max) &&
        (parts.length === n || parts.length === 1);
      if (!ok) {
        const what = n === 1 ? 'an integer' : `${n} comma-separated integers (or one for all)`;
        return `must be ${what} from ${min} to ${max}`;
      }
      set(s, parts.length === n ? parts : Array(n).fill(parts[0]));
    },
  };
}

function oneOf<T extends string>(
  key: string,
  help: string,
  kind: SettingField['kind'],
  allowed: readonly T[],
  get: (s: FigureSettings) => T,
  set: (s: FigureSettings, v: T) => void,
): SettingField {
  return {
    key,
    help,
    range: () => allowed.join(' | '),
    kind,
    write: (s) => get(s),
    read(raw, s) {
      if (!(allowed as readonly string[]).includes(raw))
        return `must be one of ${allowed.join(', ')}`;
      set(s, raw as T);
    },
  };
}

/** A 0/1 flag, written only when on. */
function flag(
  key: string,
  help: string,
  get: (s: FigureSettings) => boolean,
  set: (s: FigureSettings, v: boolean) => void,
): SettingField {
  return {
    key,
    help,
    range: () => '0 | 1',
    kind: 'view',
    write: (s) => (get(s) ? '1' : null),
    read(raw, s) {
      if (raw !== '0' && raw !== '1') return 'must be 0 or 1';
      set(s, raw === '1');
    },
  };
}

/**
 * Every setting's URL key, range, parser and kind, in the order they are read. The one table the
 * URL, the store (recompute or redraw) and the command line use.
 */
export const SETTING_FIELDS: readonly SettingField[] = [
  scalar(
    'B',
    'number of blocks B (B − 1 bottlenecks)',
    'compute',
    true,
    () => [LIMITS.minBlocks, LIMITS.maxBlocks],
    (s) => s.blocks,
    (s, v) => {
      Object.assign(s, withBlocks(s, v));
    },
  ),
  integers(
    'L',
    'layers L_b per block (comma-separated, or one for all)',
    (s) => s.blocks,
    LIMITS.minLayersPerBlock,
    LIMITS.maxLayersPerBlock,
    (s) => s.layers,
    (s, v) => {
      s.layers = v;
    },
  ),
  integers(
    'm',
    'hidden width m_b per block (comma-separated, or one for all)',
    (s) => s.blocks,
    UI_WIDTH.min,
    UI_WIDTH.max,
    (s) => s.widths,
    (s, v) => {
      s.widths = v;
    },
  ),
  integers(
    'r',
    'bottleneck widths d_1 … d_{B−1} (B ≥ 2)',
    (s) => s.blocks - 1,
    1,
    LIMITS.maxNarrowSize,
    (s) => s.bottlenecks,
    (s, v) => {
      s.bottlenecks = v;
    },
  ),
  scalar(
    'd',
    'input size d',
    'compute',
    true,
    () => [1, LIMITS.maxNarrowSize],
    (s) => s.inputSize,
    (s, v) => {
      s.inputSize = v;
    },
  ),
  scalar(
    'k',
    'output size k',
    'compute',
    true,
    () => [1, LIMITS.maxNarrowSize],
    (s) => s.outputSize,
    (s, v) => {
      s.outputSize = v;
      if (s.outputIndex >= v) s.outputIndex = 0;
    },
  ),
  scalar(
    'o',
    'plotted output index (0 … k − 1)',
    'compute',
    true,
    (s) => [0, s.outputSize - 1],
    (s) => s.outputIndex,
    (s, v) => {
      s.outputIndex = v;
    },
  ),
  oneOf(
    'act',
    'activation σ',
    'compute',
    ACTIVATIONS,
    (s) => s.activation,
    (s, v) => {
      s.activation = v;
    },
  ),
  oneOf(
    'place',
    'where σ applies',
    'compute',
    PLACEMENTS,
    (s) => s.placement,
    (s, v) => {
      s.placement = v;
    },
  ),
  oneOf(
    'contrast',
    'extra panel: the same network with σ on every hidden layer (Figure 1a)',
    'compute',
    CONTRASTS,
    (s) => s.contrast,
    (s, v) => {
      s.contrast = v;
    },
  ),
  oneOf(
    'family',
    'direction family',
    'compute',
    DIRECTION_FAMILIES,
    (s) => s.family,
    (s, v) => {
      s.family = v;
    },
  ),
  oneOf(
    'norm',
    'normalisation of Δ',
    'compute',
    NORMALISATIONS,
    (s) => s.normalisation,
    (s, v) => {
      s.normalisation = v;
    },
  ),
  scalar(
    'dirs',
    'directions per panel',
    'compute',
    true,
    () => [1, MAX_PANEL_DIRECTIONS],
    (s) => s.directions,
    (s, v) => {
      s.directions = v;
    },
  ),
  scalar(
    'R',
    'radius: t ∈ [−R, R]',
    'compute',
    false,
    () => [RADIUS.min, RADIUS.max],
    (s) => s.radius,
    (s, v) => {
      s.radius = v;
    },
  ),
  scalar(
    'seed',
    'network seed (uint32)',
    'compute',
    true,
    () => [0, 0xffffffff],
    (s) => s.seed,
    (s, v) => {
      s.seed = v;
    },
  ),
  scalar(
    'dseed',
    'direction seed (uint32)',
    'compute',
    true,
    () => [0, 0xffffffff],
    (s) => s.directionSeed,
    (s, v) => {
      s.directionSeed = v;
    },
  ),
  {
    ...oneOf(
      'y',
      'y axes (view)',
      'view',
      Y_AXES,
      (s) => s.yAxis,
      (s, v) => {
        s.yAxis = v;
      },
    ),
    write: (s) => (s.yAxis === 'fit' ? null : s.yAxis),
  },
  flag(
    'dev',
    'deviation view: g minus its best polynomial of the predicted degree (view)',
    (s) => s.deviation,
    (s, v) => {
      s.deviation = v;
    },
  ),
  {
    ...flag(
      'motion',
      'animations on; 0 stops every animation, as prefers-reduced-motion does (view)',
      (s) => s.motion,
      (s, v) => {
        s.motion = v;
      },
    ),
    write: (s) => (s.motion ? null : '0'),
  },
  flag(
    'present',
    'presentation mode (view)',
    (s) => s.present,
    (s, v) => {
      s.present = v;
    },
  ),
];

/**
 * Parameters the page reads that are not figure settings: `gpu=0` (start on the CPU engine, read
 * once at start-up) and `fit` (older links: fit=1 is y=fit, fit=0 is y=radius).
 */
const OTHER_PARAMETERS: Record<string, (raw: string, s: FigureSettings) => string | undefined> = {
  gpu: (raw) => (raw === '0' || raw === '1' ? undefined : 'must be 0 (CPU engine) or 1'),
  // The page's view: `view=train` is the training page, read by trainingFromQuery instead.
  view: (raw) =>
    raw === 'figure'
      ? undefined
      : raw === 'train'
        ? 'is the training page (its settings are read by the training view, not the figure)'
        : `must be one of ${PAGE_VIEWS.join(', ')}`,
  fit(raw, s) {
    if (raw !== '0' && raw !== '1') return 'must be 0 or 1';
    s.yAxis = raw === '1' ? 'fit' : 'radius';
  },
};

export function settingsToQuery(s: FigureSettings, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  for (const field of SETTING_FIELDS) {
    const v = field.write(s);
    if (v !== null) q.set(field.key, v);
  }
  for (const [key, value] of Object.entries(extra)) q.set(key, value);
  // Commas are legal in a query string: `m=1000,4000` reads better in a link than `m=1000%2C4000`.
  return q.toString().replace(/%2C/g, ',');
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
  const report = (param: string, raw: string, message: string | undefined) => {
    if (message !== undefined) problems.push({ param, value: raw, message });
  };
  // `preset=ID`, a short link: start from that preset; any other key then overrides it.
  const presetId = q.get('preset');
  const preset = presetId === null ? undefined : PRESETS.find((p) => p.id === presetId);
  if (presetId !== null && !preset) {
    report('preset', presetId, `must be one of ${PRESETS.map((p) => p.id).join(', ')}`);
  }
  const s: FigureSettings = structuredClone(
    preset ? { ...preset.settings, present: defaults.present } : defaults,
  );
  const known = new Set<string>(['preset']);
  for (const field of SETTING_FIELDS) {
    known.add(field.key);
    const raw = q.get(field.key);
    if (raw !== null) report(field.key, raw, field.read(raw, s));
  }
  for (const [key, read] of Object.entries(OTHER_PARAMETERS)) {
    known.add(key);
    const raw = q.get(key);
    if (raw !== null) report(key, raw, read(raw, s));
  }
  for (const key of q.keys()) {
    if (!known.has(key)) report(key, q.get(key) ?? '', 'is not a setting of this app');
  }
  return { settings: s, problems };
}

/** The settings that decide what is computed, as a string: equal keys give equal results. */
export function computeKey(s: FigureSettings): string {
  const q = new URLSearchParams();
  for (const field of SETTING_FIELDS) {
    const v = field.kind === 'compute' ? field.write(s) : null;
    if (v !== null) q.set(field.key, v);
  }
  return q.toString();
}

/** Same computation (view settings may differ). */
export function sameSettings(a: FigureSettings, b: FigureSettings): boolean {
  return computeKey(a) === computeKey(b);
}

// ---- The training page (`view=train`) ---------------------------------------------------------

/** The page's two views: the figure (default) and the training experiments (`view=train`). */
export type PageView = 'figure' | 'train';
export const PAGE_VIEWS: readonly PageView[] = ['figure', 'train'];

/** Which view a query string opens (an invalid `view` opens the figure, which reports it). */
export function pageViewOf(query: string): PageView {
  return new URLSearchParams(query.replace(/^[?#]/, '')).get('view') === 'train'
    ? 'train'
    : 'figure';
}

/**
 * One URL parameter of the training page. With `view=train` the keys are read by this table
 * alone (B, L, m, d, k, r, act and seed then mean the training network's, not the figure's).
 */
export interface TrainingField {
  key: string;
  help: string;
  range(s: TrainingSettings): string;
  /** The value for the URL, or null to leave it out (a default that rarely changes). */
  write(s: TrainingSettings): string | null;
  read(raw: string, s: TrainingSettings): string | undefined;
  /** The TrainingSettings field it sets (validateTraining's messages are mapped back to it). */
  field: keyof TrainingSettings;
}

function trainingNumber(
  key: string,
  field: keyof TrainingSettings & string,
  help: string,
  integer: boolean,
  bounds: (s: TrainingSettings) => [number, number],
  options: {
    always?: boolean;
    openBelow?: boolean;
    writeIf?: (s: TrainingSettings) => boolean;
  } = {},
): TrainingField {
  const get = (s: TrainingSettings) => s[field] as number;
  return {
    key,
    field,
    help,
    range: (s) => {
      const [min, max] = bounds(s);
      return options.openBelow
        ? `number in (${min}, ${max}]`
        : `${integer ? 'integer' : 'number'} ${min} to ${max}`;
    },
    write: (s) =>
      options.always === false && !(options.writeIf?.(s) ?? get(s) !== DEFAULT_TRAINING[field])
        ? null
        : String(get(s)),
    read(raw, s) {
      const [min, max] = bounds(s);
      const v = Number(raw);
      const ok =
        raw.trim() !== '' &&
        (integer ? Number.isInteger(v) : Number.isFinite(v)) &&
        (options.openBelow ? v > min : v >= min) &&
        v <= max;
      if (!ok) {
        return options.openBelow
          ? `must be a number in (${min}, ${max}]`
          : `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
      }
      (s as unknown as Record<string, number>)[field] = v;
    },
  };
}

function trainingChoice<K extends 'activation' | 'optimiser' | 'stepRule'>(
  key: string,
  field: K,
  help: string,
  allowed: readonly TrainingSettings[K][],
): TrainingField {
  return {
    key,
    field,
    help,
    range: () => allowed.join(' | '),
    write: (s) => s[field],
    read(raw, s) {
      if (!(allowed as readonly string[]).includes(raw))
        return `must be one of ${allowed.join(', ')}`;
      s[field] = raw as TrainingSettings[K];
    },
  };
}

const NARROW = TRAINING_RANGES;

/** Every setting of the training page, in the order they are read (B before bw, bw before r). */
export const TRAINING_FIELDS: readonly TrainingField[] = [
  trainingNumber('B', 'blocks', 'number of blocks B (B − 1 bottlenecks)', true, () => [
    ...NARROW.blocks,
  ]),
  trainingNumber('L', 'layers', 'layers L_b in every block', true, () => [...NARROW.layers]),
  trainingNumber('m', 'width', 'hidden width m of every block', true, () => [...NARROW.width]),
  trainingNumber('bw', 'bottleneck', 'width of every bottleneck (B ≥ 2)', true, () => [1, 64], {
    always: false,
    writeIf: (s) => s.blocks > 1,
  }),
  trainingNumber('d', 'd', 'input size d', true, () => [1, 64]),
  trainingNumber('k', 'k', 'output size k', true, () => [1, 64]),
  trainingNumber('r', 'r', 'rank of the target map (at most the bottleneck width)', true, (s) => [
    1,
    s.blocks > 1 ? s.bottleneck : Math.min(s.d, s.k),
  ]),
  trainingNumber('n', 'n', 'training samples n (n·k ≤ 256)', true, (s) => [
    1,
    Math.min(TRAINING_LIMITS.maxSamples, Math.floor(TRAINING_LIMITS.maxKernelSize / s.k)),
  ]),
  trainingNumber('ho', 'heldOut', 'held-out samples', true, () => [1, TRAINING_LIMITS.maxHeldOut], {
    always: false,
  }),
  trainingChoice('act', 'activation', 'σ inside the blocks (tanh trains the network alone)', [
    'identity',
    'tanh',
  ]),
  trainingChoice('opt', 'optimiser', 'optimiser', OPTIMISERS),
  trainingNumber('steps', 'steps', 'gradient steps (or Gauss–Newton sweeps)', true, () => [
    ...NARROW.steps,
  ]),
  trainingNumber('lr', 'lr', 'c in η = c / λ_max(K/n)', false, () => [0, 10], { openBelow: true }),
  trainingChoice(
    'rule',
    'stepRule',
    'step rule: fixed from K_0, or following the current kernel',
    STEP_RULES,
  ),
  trainingNumber(
    'every',
    'followEvery',
    're-estimate λ_max every this many steps (rule=follow)',
    true,
    () => [...NARROW.followEvery],
    { always: false },
  ),
  trainingNumber(
    'tol',
    'tolerance',
    'stop a model once its loss is below this',
    false,
    () => [0, 1],
    {
      always: false,
    },
  ),
  trainingNumber('seed', 'seed', 'seed of the network and the data (uint32)', true, () => [
    0, 0xffffffff,
  ]),
];

/** Keys the training page reads besides its settings: the engine and the motion switch. */
const TRAINING_OTHER: Record<string, (raw: string) => string | undefined> = {
  view: (raw) => (raw === 'train' ? undefined : `must be one of ${PAGE_VIEWS.join(', ')}`),
  gpu: (raw) => (raw === '0' || raw === '1' ? undefined : 'must be 0 (CPU engine) or 1'),
  motion: (raw) => (raw === '0' || raw === '1' ? undefined : 'must be 0 or 1'),
};

/** Maps validateTraining's field names ("width (m)", "n × k", …) back to a URL key. */
function keyOfSpecField(field: string): string {
  const table: [RegExp, string][] = [
    [/^blocks/, 'B'],
    [/^layers/, 'L'],
    [/^width/, 'm'],
    [/^bottleneck/, 'bw'],
    [/^d \(/, 'd'],
    [/^k \(/, 'k'],
    [/^r \(/, 'r'],
    [/^n( |$)/, 'n'],
    [/^held-out/, 'ho'],
    [/^steps/, 'steps'],
    [/^followEvery/, 'every'],
    [/^lr/, 'lr'],
    [/^tolerance/, 'tol'],
    [/^seed/, 'seed'],
  ];
  return table.find(([re]) => re.test(field))?.[1] ?? field;
}

/**
 * Reads the training page's settings from a query string: every missing key keeps its default,
 * every invalid one is reported (and the default kept), every unknown key is reported. The result
 * always passes validateTraining.
 */
export function trainingFromQuery(query: string): {
  settings: TrainingSettings;
  problems: UrlProblem[];
} {
  const q = new URLSearchParams(query.replace(/^[?#]/, ''));
  const problems: UrlProblem[] = [];
  const s: TrainingSettings = { ...DEFAULT_TRAINING };
  const known = new Set<string>();
  for (const field of TRAINING_FIELDS) {
    known.add(field.key);
    const raw = q.get(field.key);
    if (raw === null) continue;
    const message = field.read(raw, s);
    if (message !== undefined) problems.push({ param: field.key, value: raw, message });
  }
  for (const [key, read] of Object.entries(TRAINING_OTHER)) {
    known.add(key);
    const raw = q.get(key);
    if (raw === null) continue;
    const message = read(raw);
    if (message !== undefined) problems.push({ param: key, value: raw, message });
  }
  for (const key of q.keys()) {
    if (!known.has(key))
      problems.push({
        param: key,
        value: q.get(key) ?? '',
        message: 'is not a setting of the training page',
      });
  }
  // Combinations (r ≤ bottleneck, n·k ≤ 256, the network's size): report the key, keep its default.
  for (let tries = 0; tries < TRAINING_FIELDS.length; tries++) {
    try {
      validateTraining(s);
      return { settings: s, problems };
    } catch (error) {
      const field = (error as { field?: unknown }).field;
      const key = typeof field === 'string' ? keyOfSpecField(field) : '';
      const entry = TRAINING_FIELDS.find((f) => f.key === key);
      const message = error instanceof Error ? error.message : String(error);
      if (!entry || s[entry.field] === DEFAULT_TRAINING[entry.field]) break;
      problems.push({ param: key, value: q.get(key) ?? String(s[entry.field]), message });
      (s as unknown as Record<string, unknown>)[entry.field] = DEFAULT_TRAINING[entry.field];
    }
  }
  try {
    validateTraining(s);
    return { settings: s, problems };
  } catch (error) {
    problems.push({
      param: 'view',
      value: 'train',
      message: `these settings together are invalid (${error instanceof Error ? error.message : String(error)}); the defaults stand in`,
    });
    return { settings: { ...DEFAULT_TRAINING }, problems };
  }
}

/** The training page's query string (without `?`): `view=train&B=2&…`, plus `extra` (gpu). */
export function trainingToQuery(s: TrainingSettings, extra: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  q.set('view', 'train');
  for (const field of TRAINING_FIELDS) {
    const v = field.write(s);
    if (v !== null) q.set(field.key, v);
  }
  for (const [key, value] of Object.entries(extra)) q.set(key, value);
  return q.toString();
}
