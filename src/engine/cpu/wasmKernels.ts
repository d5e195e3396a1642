// The WebAssembly SIMD build of the CPU kernels (wasm/kernels.c), behind the same calls as
// kernels.ts. Measured on this project's 2-core machines (docs/engine.md): the f64x2 product
// runs about 4× faster than the JavaScript loop and Philox with 64-bit multiplies fills weights
// about 2.5× faster. Results: fill_rows is bit-identical to the JavaScript generator (tested);
// products differ from kernels.ts only by float64 rounding (the SIMD tile keeps one sum per entry
// in k order, so a pool of 1 and of N still agree bit for bit).
//
// Memory: one linear memory per executor. Arrays are copied in and out of fixed slots; an input
// matrix passed again (the same Float64Array for every block of a message) is not copied again.

import type { Activation } from '../../model/spec';
import type { KernelSet } from './kernels';
import { KERNELS_WASM_BASE64 } from './wasm/kernelsWasm';

interface Exports {
  memory: WebAssembly.Memory;
  __heap_base: WebAssembly.Global;
  fill_rows(
    seed: number,
    stream: number,
    layer: number,
    cols: number,
    r0: number,
    r1: number,
    out: number,
  ): void;
  philox_words(inputs: number, count: number, out: number): void;
  product_rows(
    g: number,
    rows: number,
    cols: number,
    x: number,
    n: number,
    c0: number,
    c1: number,
    alpha: number,
    y: number,
    accumulate: number,
    scratch: number,
  ): void;
  transposed_product_rows(
    g: number,
    rows: number,
    cols: number,
    x: number,
    n: number,
    p: number,
  ): void;
  sum_of_squares(g: number, count: number): number;
  activate(y: number, count: number, kind: number): void;
  rank_one_dots(
    h: number,
    rows: number,
    n: number,
    c0: number,
    c1: number,
    v: number,
    w: number,
    dots: number,
  ): void;
  rank_one_add(
    y: number,
    rows: number,
    n: number,
    c0: number,
    c1: number,
    u: number,
    alpha: number,
    dots: number,
  ): void;
  scale_columns(h: number, rows: number, n: number, w: number, out: number): void;
  gather_columns(h: number, rows: number, n: number, src: number, w: number, out: number): void;
  log_for_tests(x: number): number;
  log_x2_for_tests(x: number, count: number, out: number): void;
}

function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

let module: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is missing (then kernels.ts is used). */
function kernelModule(): WebAssembly.Module | null {
  if (module === undefined) {
    try {
      const bytes = decodeBase64(KERNELS_WASM_BASE64);
      module = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
    } catch {
      module = null;
    }
  }
  return module;
}

/**
 * Slots of linear memory, in order: two input matrices (X, X_c), the weight rows, the output, the
 * product's scratch, and last the region of the in-place kernels (last, so that growing it moves
 * no other slot).
 */
type Slot = 'x0' | 'x1' | 'g' | 'y' | 's' | 'a';
const SLOTS: Slot[] = ['x0', 'x1', 'g', 'y', 's', 'a'];
const ACTIVATION_CODE: Record<Activation, number> = { identity: 0, tanh: 1, relu: 2 };

export class WasmKernels implements KernelSet {
  readonly name = 'wasm-simd' as const;
  private readonly e: Exports;
  private readonly base: number;
  private readonly sizes: Record<Slot, number> = { x0: 0, x1: 0, g: 0, y: 0, s: 0, a: 0 };
  private readonly offsets: Record<Slot, number> = { x0: 0, x1: 0, g: 0, y: 0, s: 0, a: 0 };
  private readonly loaded: Record<'x0' | 'x1', Float64Array | null> = { x0: null, x1: null };

  /** Null where WebAssembly SIMD is not available. */
  static create(): WasmKernels | null {
    const m = kernelModule();
    return m
      ? new WasmKernels(new WebAssembly.Instance(m, {}).exports as unknown as Exports)
      : null;
  }

  private constructor(exports: Exports) {
    this.e = exports;
    this.base = Number(exports.__heap_base.value);
  }

  /**
   * Makes room for every slot's bytes at once (moving slots drops the cached inputs, so inputs
   * are copied only after this) and returns the slots' offsets.
   */
  private reserve(need: Partial<Record<Slot, number>>): Record<Slot, number> {
    let moved = false;
    for (const slot of SLOTS) {
      const bytes = need[slot] ?? 0;
      if (bytes > this.sizes[slot]) {
        this.sizes[slot] = Math.ceil((bytes * 1.25) / 16) * 16;
        moved = true;
      }
    }
    if (moved) {
      let at = Math.ceil(this.base / 16) * 16;
      for (const s of SLOTS) {
        this.offsets[s] = at;
        at += this.sizes[s];
      }
      const need = at - this.e.memory.buffer.byteLength;
      if (need > 0) this.e.memory.grow(Math.ceil(need / 65536));
      this.loaded.x0 = null;
      this.loaded.x1 = null;
    }
    return this.offsets;
  }

  /** Copies x into its slot unless that very array is already there. */
  private input(slot: 'x0' | 'x1', x: Float64Array): void {
    if (this.loaded[slot] === x) return;
    new Float64Array(this.e.memory.buffer, this.offsets[slot], x.length).set(x);
    this.loaded[slot] = x;
  }

  fillRows(
    seed: number,
    stream: number,
    layer: number,
    cols: number,
    rowStart: number,
    rowEnd: number,
    out: Float32Array,
  ): void {
    const count = (rowEnd - rowStart) * cols;
    const at = this.reserve({ g: count * 4 }).g;
    this.e.fill_rows(seed, stream, layer, cols, rowStart, rowEnd, at);
    out.set(new Float32Array(this.e.memory.buffer, at, count));
  }

  /** As kernels.ts productRows; `slot` 1 for the coupled lanes X_c, 0 for the state X. */
  productRows(
    g: Float32Array,
    rowCount: number,
    cols: number,
    x: Float64Array,
    slot: 0 | 1,
    n: number,
    c0: number,
    c1: number,
    alpha: number,
    y: Float64Array,
    accumulate: boolean,
  ): void {
    const xSlot = slot === 0 ? 'x0' : 'x1';
    const at = this.reserve({
      [xSlot]: x.byteLength,
      g: rowCount * cols * 4,
      y: rowCount * n * 8,
      s: rowCount * n * 8,
    });
    this.input(xSlot, x);
    const [xAt, gAt, yAt] = [at[xSlot], at.g, at.y];
    const memory = this.e.memory.buffer;
    new Float32Array(memory, gAt, rowCount * cols).set(g.subarray(0, rowCount * cols));
    const yView = new Float64Array(memory, yAt, rowCount * n);
    if (accumulate) yView.set(y.subarray(0, rowCount * n));
    this.e.product_rows(gAt, rowCount, cols, xAt, n, c0, c1, alpha, yAt, accumulate ? 1 : 0, at.s);
    if (c0 === 0 && c1 === n) y.set(yView);
    else
      for (let r = 0; r < rowCount; r++) y.set(yView.subarray(r * n + c0, r * n + c1), r * n + c0);
  }

  /** As kernels.ts transposedProductRows (x: the block's rows only). */
  transposedProductRows(
    g: Float32Array,
    rowCount: number,
    cols: number,
    x: Float64Array,
    n: number,
    p: Float64Array,
  ): void {
    const at = this.reserve({ x0: rowCount * n * 8, g: rowCount * cols * 4, y: cols * n * 8 });
    this.loaded.x0 = null;
    const [xAt, gAt, pAt] = [at.x0, at.g, at.y];
    const memory = this.e.memory.buffer;
    new Float64Array(memory, xAt, rowCount * n).set(x.subarray(0, rowCount * n));
    new Float32Array(memory, gAt, rowCount * cols).set(g.subarray(0, rowCount * cols));
    const pView = new Float64Array(memory, pAt, cols * n);
    pView.set(p);
    this.e.transposed_product_rows(gAt, rowCount, cols, xAt, n, pAt);
    p.set(pView);
  }

  sumOfSquares(g: Float32Array, count: number): number {
    const at = this.reserve({ g: count * 4 }).g;
    new Float32Array(this.e.memory.buffer, at, count).set(g.subarray(0, count));
    return this.e.sum_of_squares(at, count);
  }

  region(bytes: number): { buffer: ArrayBufferLike; offset: number } {
    const offset = this.reserve({ a: bytes }).a;
    return { buffer: this.e.memory.buffer, offset };
  }

  /** The address of a view into the region (any other array is a caller's error). */
  private at(view: Float64Array | Float32Array | Int32Array): number {
    if (view.buffer !== this.e.memory.buffer)
      throw new Error('WasmKernels: an in-place kernel got an array outside its region');
    return view.byteOffset;
  }

  productInRegion(
    g: Float32Array,
    rows: number,
    cols: number,
    x: Float64Array,
    n: number,
    c0: number,
    c1: number,
    alpha: number,
    y: Float64Array,
    accumulate: boolean,
    scratch: Float64Array,
  ): void {
    this.e.product_rows(
      this.at(g),
      rows,
      cols,
      this.at(x),
      n,
      c0,
      c1,
      alpha,
      this.at(y),
      accumulate ? 1 : 0,
      this.at(scratch),
    );
  }

  activate(kind: Activation, y: Float64Array): void {
    if (kind !== 'identity') this.e.activate(this.at(y), y.length, ACTIVATION_CODE[kind]);
  }

  rankOneDots(
    h: Float64Array,
    rows: number,
    n: number,
    c0: number,
    c1: number,
    v: Float64Array,
    w: Float64Array,
    dots: Float64Array,
  ): void {
    this.e.rank_one_dots(this.at(h), rows, n, c0, c1, this.at(v), this.at(w), this.at(dots));
  }

  rankOneAdd(
    y: Float64Array,
    rows: number,
    n: number,
    c0: number,
    c1: number,
    u: Float64Array,
    alpha: number,
    dots: Float64Array,
  ): void {
    this.e.rank_one_add(this.at(y), rows, n, c0, c1, this.at(u), alpha, this.at(dots));
  }

  scaleColumns(h: Float64Array, rows: number, n: number, w: Float64Array, out: Float64Array): void {
    this.e.scale_columns(this.at(h), rows, n, this.at(w), this.at(out));
  }

  gatherColumns(
    h: Float64Array,
    rows: number,
    n: number,
    src: Int32Array,
    w: Float64Array,
    out: Float64Array,
  ): void {
    this.e.gather_columns(this.at(h), rows, n, this.at(src), this.at(w), this.at(out));
  }

  /** Philox4x32-10 words for (c0, c1, c2, c3, k0, k1) sextuples (the tests' bit-identity check). */
  philoxWords(inputs: Uint32Array): Uint32Array {
    const count = inputs.length / 6;
    const at = this.reserve({ g: inputs.byteLength + count * 16 }).g;
    new Uint32Array(this.e.memory.buffer, at, inputs.length).set(inputs);
    this.e.philox_words(at, count, at + inputs.byteLength);
    return new Uint32Array(this.e.memory.buffer, at + inputs.byteLength, count * 4).slice();
  }

  /** fdlibm's log as compiled here (the tests compare it with Math.log). */
  log(x: number): number {
    return this.e.log_for_tests(x);
  }

  /** The two-lane SIMD logarithm the generator uses, over an even number of arguments. */
  logPairs(x: Float64Array): Float64Array {
    const at = this.reserve({ x0: x.byteLength, y: x.byteLength });
    this.loaded.x0 = null;
    new Float64Array(this.e.memory.buffer, at.x0, x.length).set(x);
    this.e.log_x2_for_tests(at.x0, x.length, at.y);
    return new Float64Array(this.e.memory.buffer, at.y, x.length).slice();
  }
}
