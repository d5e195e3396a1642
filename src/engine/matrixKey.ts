// The identity of a generated Gaussian matrix: its values are a pure function of these five
// numbers (src/model/random.ts), so both engines' weight stores key what they hold by them.

export interface GeneratedMatrix {
  seed: number;
  stream: number;
  layer: number;
  rows: number;
  cols: number;
}

export function matrixKey(m: GeneratedMatrix): string {
  return `${m.seed >>> 0}:${m.stream >>> 0}:${m.layer}:${m.rows}x${m.cols}`;
}
