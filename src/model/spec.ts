// Network specification for a bottleneck network (the paper's Definitions 7 and 8, eq. 11, 13).
//
// A network with B blocks is a cascade f_B ∘ … ∘ f_1. Block b maps R^{d_{b-1}} → R^{d_b} with
// L_b weight matrices and hidden width m_b. d_0 is the input size, d_1 … d_{B-1} the bottleneck
// widths (r in the paper) and d_B the output size k. Every weight matrix is scaled by
// 1/√fan-in ("NTK parametrisation"), so the scale of a layer is 1/√(its input size).

export type Activation = 'identity' | 'tanh' | 'relu';

/**
 * Where σ applies (model.md section 1). Each placement tells its own part of the story:
 * - `none`: σ nowhere; the paper's linear network, bilinear for B = 2 (Figure 1b–d).
 * - `all`: every hidden layer including the bottleneck units (Figure 1a: not quadratic).
 * - `inside-blocks`: hidden layers inside blocks, bottleneck units linear (eq. 1–4: still not
 *   bilinear).
 * - `first-block`: hidden layers of block 1 only (the paper's closing claim: bilinear again).
 */
export type ActivationPlacement = 'none' | 'all' | 'inside-blocks' | 'first-block';

export interface BlockSpec {
  /** L_b ≥ 1: number of weight matrices in the block. */
  layers: number;
  /** m_b: hidden width inside the block (unused when layers = 1). */
  width: number;
}

export interface NetworkSpec {
  blocks: BlockSpec[];
  /** d: input size. */
  inputSize: number;
  /** d_1 … d_{B-1}: one entry per bottleneck (length B − 1). */
  bottleneckWidths: number[];
  /** k: output size. */
  outputSize: number;
  activation: Activation;
  placement: ActivationPlacement;
  /** uint32 seed of the weights W_init and of the input x. */
  seed: number;
}

/** One weight matrix of the flattened network. Shape out×in, entries N(0,1), scale 1/√in. */
export interface LayerPlan {
  /** Global layer index ℓ = 0 … L−1 (also the generator's `layer` coordinate). */
  index: number;
  block: number;
  indexInBlock: number;
  inSize: number;
  outSize: number;
  /** s_ℓ = 1/√fan-in. */
  scale: number;
  /** σ applied to this layer's output (identity on the network output). */
  activation: Activation;
}

export const LIMITS = {
  minBlocks: 1,
  maxBlocks: 6,
  minLayersPerBlock: 1,
  maxLayersPerBlock: 8,
  minWidth: 1,
  /** Largest hidden width m_b. Memory grows like m × columns, time like m² per layer. */
  maxWidth: 65536,
  /** Inputs, bottlenecks and outputs are narrow by design. */
  maxNarrowSize: 64,
} as const;

export const ACTIVATIONS: readonly Activation[] = ['identity', 'tanh', 'relu'];
export const PLACEMENTS: readonly ActivationPlacement[] = [
  'none',
  'all',
  'inside-blocks',
  'first-block',
];

/** A rejected specification or request; `field` names the offending setting. */
export class SpecError extends Error {
  readonly field: string;
  readonly value: unknown;
  constructor(field: string, value: unknown, allowed: string) {
    super(`${field} = ${formatValue(value)} is invalid: ${allowed}`);
    this.name = 'SpecError';
    this.field = field;
    this.value = value;
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  return String(value);
}

/** Checks an integer setting against an inclusive range; throws a SpecError naming it. */
export function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SpecError(field, value, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function checkOneOf<T extends string>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new SpecError(field, value, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** Throws a SpecError for the first invalid field; returns the spec unchanged otherwise. */
export function validateSpec(spec: NetworkSpec): NetworkSpec {
  if (!Array.isArray(spec.blocks)) throw new SpecError('blocks', spec.blocks, 'must be a list');
  const B = checkInteger(
    'blocks.length (B)',
    spec.blocks.length,
    LIMITS.minBlocks,
    LIMITS.maxBlocks,
  );
  spec.blocks.forEach((block, b) => {
    checkInteger(
      `blocks[${b}].layers`,
      block?.layers,
      LIMITS.minLayersPerBlock,
      LIMITS.maxLayersPerBlock,
    );
    checkInteger(`blocks[${b}].width`, block?.width, LIMITS.minWidth, LIMITS.maxWidth);
  });
  checkInteger('inputSize', spec.inputSize, 1, LIMITS.maxNarrowSize);
  checkInteger('outputSize', spec.outputSize, 1, LIMITS.maxNarrowSize);
  if (!Array.isArray(spec.bottleneckWidths) || spec.bottleneckWidths.length !== B - 1) {
    throw new SpecError(
      'bottleneckWidths',
      spec.bottleneckWidths,
      `must list B − 1 = ${B - 1} widths`,
    );
  }
  spec.bottleneckWidths.forEach((r, i) => {
    checkInteger(`bottleneckWidths[${i}]`, r, 1, LIMITS.maxNarrowSize);
  });
  checkOneOf('activation', spec.activation, ACTIVATIONS);
  checkOneOf('placement', spec.placement, PLACEMENTS);
  checkInteger('seed', spec.seed, 0, 0xffffffff);
  return spec;
}

/** d_0 … d_B: the sizes between blocks. */
export function boundarySizes(spec: NetworkSpec): number[] {
  return [spec.inputSize, ...spec.bottleneckWidths, spec.outputSize];
}

/** Whether σ applies to the output of layer `indexInBlock` of block `block`. */
function hasActivation(spec: NetworkSpec, block: number, indexInBlock: number): boolean {
  const B = spec.blocks.length;
  const lastInBlock = indexInBlock === spec.blocks[block].layers - 1;
  if (lastInBlock && block === B - 1) return false; // the network output is linear
  switch (spec.placement) {
    case 'none':
      return false;
    case 'all':
      return true;
    case 'inside-blocks':
      return !lastInBlock;
    case 'first-block':
      return block === 0 && !lastInBlock;
  }
}

/** Flattens the blocks into L = Σ L_b layers with their shapes, scales and activations. */
export function planLayers(spec: NetworkSpec): LayerPlan[] {
  validateSpec(spec);
  const sizes = boundarySizes(spec);
  const layers: LayerPlan[] = [];
  spec.blocks.forEach((block, b) => {
    for (let i = 0; i < block.layers; i++) {
      const inSize = i === 0 ? sizes[b] : block.width;
      const outSize = i === block.layers - 1 ? sizes[b + 1] : block.width;
      const active = spec.activation !== 'identity' && hasActivation(spec, b, i);
      layers.push({
        index: layers.length,
        block: b,
        indexInBlock: i,
        inSize,
        outSize,
        scale: 1 / Math.sqrt(inSize),
        activation: active ? spec.activation : 'identity',
      });
    }
  });
  return layers;
}

/** True when every layer is linear, so t ↦ g(W + tΔ) is an exact polynomial (model.md §4). */
export function isLinearNetwork(spec: NetworkSpec): boolean {
  return planLayers(spec).every((layer) => layer.activation === 'identity');
}
