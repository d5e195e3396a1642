// The weight store: generated matrices (the weights W^(ℓ), and dense Gaussian directions when
// room is left) materialised once in device memory by store_fill.wgsl, so that products read
// them instead of regenerating every entry per lane tile. Matrices are keyed by what defines
// their values (seed, stream, layer, rows, cols), so any request with the same spec reuses them —
// directions, panels, recomputes — and a new seed or shape simply misses. The store holds at most
// `budgetBytes`, evicting the least recently used matrices; a matrix that does not fit (or is
// larger than one storage binding may be) is generated in the kernel instead, which gives the
// same values, only slower.

import { matrixKey } from '../matrixKey';
import type { BufferPool } from './buffers';
import { elementGroups, generatorParams, type MatrixKey } from './products';
import type { Dispatch } from './submit';

interface Entry {
  key: string;
  matrix: MatrixKey;
  buffer: GPUBuffer;
  lastUse: number;
}

/** What acquire() gives: one stored buffer (or null: generate it) per requested matrix. */
export interface Acquired {
  buffers: (GPUBuffer | null)[];
  /**
   * store_fill dispatches for the matrices stored just now: the caller records them ahead of
   * the first product that reads them (same pass or an earlier submit), so set-up and filling
   * share one submit.
   */
  fills: Dispatch[];
}

/** Bytes of a stored matrix: rows of ⌈cols/4⌉ vec4 quads (store_fill.wgsl). */
export function storedBytes(m: MatrixKey): number {
  return m.rows * Math.ceil(m.cols / 4) * 16;
}

export class WeightStore {
  private readonly entries = new Map<string, Entry>();
  private clock = 0;
  private held = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly pool: BufferPool,
    /** Bytes the store may hold (0: every matrix is generated). */
    public budgetBytes: number,
    /** Largest single matrix: one storage binding. */
    private readonly maxMatrixBytes: number,
  ) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.held;
  }

  /**
   * Stored buffers for `matrices`, in priority order (weights before dense directions). A matrix
   * already stored is reused; a new one is stored when it fits the budget after evicting, first,
   * least recently used matrices this call does not need and then this call's own lower-priority
   * ones; otherwise its entry is null and the caller generates it. Awaits the device only when
   * it allocates (to learn whether the allocation succeeded).
   */
  async acquire(matrices: MatrixKey[]): Promise<Acquired> {
    const tick = ++this.clock;
    const keys = matrices.map(matrixKey);
    const priority = new Map<string, number>();
    keys.forEach((key, i) => {
      if (!priority.has(key)) priority.set(key, i);
    });
    const claimed = new Set<string>();
    const fresh: Entry[] = [];
    matrices.forEach((matrix, i) => {
      const key = keys[i];
      if (claimed.has(key)) return;
      const existing = this.entries.get(key);
      if (existing) {
        existing.lastUse = tick;
        claimed.add(key);
        return;
      }
      const bytes = storedBytes(matrix);
      if (bytes > this.maxMatrixBytes || !this.makeRoom(bytes, claimed, priority)) return;
      if (fresh.length === 0) this.device.pushErrorScope('out-of-memory');
      const buffer = this.pool.allocate(`store.matrix(${key})`, bytes, GPUBufferUsage.STORAGE);
      const entry = { key, matrix, buffer, lastUse: tick };
      this.entries.set(key, entry);
      this.held += buffer.size;
      claimed.add(key);
      fresh.push(entry);
    });
    const memory = fresh.length > 0 ? await this.device.popErrorScope() : null;
    if (memory) {
      // The device refused the memory the budget allowed: keep what is already stored, generate
      // the rest, and never ask for more than is held now.
      for (const entry of fresh) this.evict(entry);
      fresh.length = 0;
      this.budgetBytes = this.held;
    }
    const fills: Dispatch[] = fresh.map(({ matrix, buffer }) => ({
      kernel: 'store_fill',
      params: generatorParams(matrix),
      groups: elementGroups(matrix.rows, Math.ceil(matrix.cols / 4)),
      dst: buffer,
    }));
    return { buffers: keys.map((key) => this.entries.get(key)?.buffer ?? null), fills };
  }

  /** Frees every stored matrix. */
  clear(): void {
    for (const entry of [...this.entries.values()]) this.evict(entry);
  }

  /**
   * Evicts until `bytes` more fit the budget: matrices this call does not use, least recently
   * used first, then this call's unclaimed ones, lowest priority first. False if they cannot.
   */
  private makeRoom(bytes: number, claimed: Set<string>, priority: Map<string, number>): boolean {
    if (bytes > this.budgetBytes) return false;
    const victims = [...this.entries.values()]
      .filter((e) => !claimed.has(e.key))
      .sort((a, b) => {
        const pa = priority.get(a.key);
        const pb = priority.get(b.key);
        if (pa === undefined || pb === undefined) {
          if (pa !== pb) return pa === undefined ? -1 : 1;
          return a.lastUse - b.lastUse;
        }
        return pb - pa;
      });
    const free = () => this.budgetBytes - this.held;
    let room = free();
    let n = 0;
    while (room < bytes && n < victims.length) room += victims[n++].buffer.size;
    if (room < bytes) return false;
    for (const victim of victims.slice(0, n)) this.evict(victim);
    return true;
  }

  private evict(entry: Entry): void {
    this.entries.delete(entry.key);
    this.held -= entry.buffer.size;
    this.pool.release(entry.buffer);
  }
}
