// The buffer pool: named buffers that grow and are reused across requests, buffers of their own
// for the weight store, the bind groups over them, and the byte accounting behind peakBytes.

import { EngineError } from '../types';
import { formatBytes, storageLimit } from './device';
import { PARAMS_SLOT } from './params';

/** Floats `scratch` always has: room for the norm kernel's per-workgroup partials. */
export const MIN_SCRATCH_FLOATS = 1024;

export class BufferPool {
  private readonly named = new Map<string, GPUBuffer>();
  /** Ids that are never reused, so a bind group cached for a released buffer is never hit. */
  private readonly ids = new WeakMap<GPUBuffer, number>();
  private nextId = 1;
  private groups = new Map<string, GPUBindGroup>();
  private currentBytes = 0;
  peakBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly layouts: { layout: GPUBindGroupLayout; weightsLayout: GPUBindGroupLayout },
  ) {}

  /** Bytes of device memory the engine holds now (named buffers and the weight store). */
  get bytes(): number {
    return this.currentBytes;
  }

  /** A reusable buffer that grows (never shrinks) to at least `size` bytes. */
  buffer(name: string, size: number, usage: number): GPUBuffer {
    const bytes = this.checkedSize(name, size, usage);
    const existing = this.named.get(name);
    if (existing && existing.size >= bytes) return existing;
    if (existing) this.release(existing);
    const buffer = this.allocate(name, bytes, usage);
    this.named.set(name, buffer);
    return buffer;
  }

  /** A buffer of its own (a stored matrix), counted until release(). */
  allocate(name: string, size: number, usage: number): GPUBuffer {
    const bytes = this.checkedSize(name, size, usage);
    const buffer = this.device.createBuffer({ label: `GpuEngine.${name}`, size: bytes, usage });
    this.ids.set(buffer, this.nextId++);
    this.currentBytes += bytes;
    this.peakBytes = Math.max(this.peakBytes, this.currentBytes);
    return buffer;
  }

  /** Destroys `buffer` (work already submitted still completes) and drops its bind groups. */
  release(buffer: GPUBuffer): void {
    this.currentBytes -= buffer.size;
    buffer.destroy();
    this.groups.clear();
  }

  /** Scratch space for split-K partials, dots and set-up results, at least `floats` long. */
  scratch(floats: number): GPUBuffer {
    return this.buffer(
      'scratch',
      Math.max(MIN_SCRATCH_FLOATS, floats) * 4,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC,
    );
  }

  /** Lane descriptors (source, weight) of the layer being recorded. */
  laneDesc(bytes: number): GPUBuffer {
    return this.buffer(
      'laneDesc',
      Math.max(8, bytes),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    );
  }

  /** Rank-one vectors u, v (and test inputs) of the layer being recorded. */
  vecs(bytes: number): GPUBuffer {
    return this.buffer(
      'vecs',
      Math.max(4, bytes),
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST,
    );
  }

  /** Kernels that do not touch a binding still need something bound there. */
  placeholder(which: 'src' | 'dst' | 'weights'): GPUBuffer {
    return this.buffer(`placeholder.${which}`, 16, GPUBufferUsage.STORAGE);
  }

  /**
   * Group 0 over `params` (one PARAMS_SLOT per dispatch), src, dst and the shared buffers;
   * `vecs` replaces the pool's vecs buffer (a batch's direction vectors).
   */
  bindGroup(
    params: GPUBuffer,
    src: GPUBuffer,
    dst: GPUBuffer,
    vecsBuffer?: GPUBuffer,
  ): GPUBindGroup {
    const desc = this.laneDesc(8);
    const vecs = vecsBuffer ?? this.vecs(4);
    const scratch = this.scratch(1);
    const key = [params, src, dst, desc, vecs, scratch].map((b) => this.ids.get(b)).join('|');
    let group = this.groups.get(key);
    if (!group) {
      group = this.device.createBindGroup({
        label: `GpuEngine.bindGroup(${src.label}→${dst.label})`,
        layout: this.layouts.layout,
        entries: [
          { binding: 0, resource: { buffer: params, size: PARAMS_SLOT } },
          { binding: 1, resource: { buffer: src } },
          { binding: 2, resource: { buffer: dst } },
          { binding: 3, resource: { buffer: desc } },
          { binding: 4, resource: { buffer: vecs } },
          { binding: 5, resource: { buffer: scratch } },
        ],
      });
      this.groups.set(key, group);
    }
    return group;
  }

  /** Group 1 over a stored matrix, or over a placeholder for kernels that read none. */
  weightsGroup(weights: GPUBuffer | null): GPUBindGroup {
    const buffer = weights ?? this.placeholder('weights');
    const key = `weights|${this.ids.get(buffer)}`;
    let group = this.groups.get(key);
    if (!group) {
      group = this.device.createBindGroup({
        label: `GpuEngine.weightsGroup(${buffer.label})`,
        layout: this.layouts.weightsLayout,
        entries: [{ binding: 0, resource: { buffer } }],
      });
      this.groups.set(key, group);
    }
    return group;
  }

  destroy(): void {
    for (const buffer of this.named.values()) buffer.destroy();
    this.named.clear();
    this.groups.clear();
  }

  /**
   * Bytes of a buffer of `size` (rounded up to 16), or EngineError('too-large') past the device's
   * limits. Requests are checked before they allocate anything (requestSize.ts); this is the
   * guard behind that check.
   */
  private checkedSize(name: string, size: number, usage: number): number {
    const bytes = Math.max(16, Math.ceil(size / 16) * 16);
    const limits = this.device.limits;
    const limit =
      usage & GPUBufferUsage.STORAGE
        ? storageLimit(limits)
        : { bytes: limits.maxBufferSize, name: 'maxBufferSize' };
    if (bytes > limit.bytes) {
      throw new EngineError(
        'too-large',
        `GpuEngine.${name} would need ${formatBytes(bytes)}, over this device's ${limit.name} of ${formatBytes(limit.bytes)}`,
      );
    }
    return bytes;
  }
}
