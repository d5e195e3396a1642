// The Params struct and the tile sizes are described once in TypeScript (src/engine/gpu/params.ts,
// tiles.ts); the WGSL side must agree field for field. No GPU needed.
import { describe, expect, it } from 'vitest';
import bindingsWgsl from '../shaders/bindings.wgsl?raw';
import {
  encodeParams,
  PARAM_FIELDS,
  PARAMS_BYTES,
  PARAMS_SLOT,
  wgslFieldName,
} from '../src/engine/gpu/params';
import {
  MICRO_LANES,
  MICRO_ROWS,
  productThreads,
  REDUCE_THREADS,
  TILE_K,
  TILE_LANES,
  TILE_ROWS,
  tileConstants,
  WIDE_TILE_LANES,
} from '../src/engine/gpu/tiles';

const shaders = import.meta.glob('../shaders/*.wgsl', {
  query: '?raw',
  import: 'default',
  eager: true,
}) as Record<string, string>;

/** [name, type] of every field of `struct Params { … }`, comments stripped. */
function wgslParams(source: string): [string, string][] {
  const body = /struct\s+Params\s*\{([^}]*)\}/.exec(source)?.[1];
  if (!body) throw new Error('no struct Params in bindings.wgsl');
  return body
    .replace(/\/\/[^\n]*/g, '')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean)
    .map((f) => {
      const [name, type] = f.split(':').map((s) => s.trim());
      return [name, type];
    });
}

describe('Params: one field list for TypeScript and WGSL', () => {
  it('bindings.wgsl declares exactly PARAM_FIELDS, in order, with the same types', () => {
    const expected = PARAM_FIELDS.map(([name, type]) => [wgslFieldName(name), type]);
    expect(wgslParams(bindingsWgsl)).toEqual(expected);
  });

  it('fits one dynamic-offset slot', () => {
    expect(PARAMS_BYTES).toBeLessThanOrEqual(PARAMS_SLOT);
  });

  it('encodes field i at byte 4·i with its type and defaults', () => {
    const view = new DataView(new ArrayBuffer(PARAMS_SLOT * 2));
    encodeParams({ gRows: 7, alpha: 0.25, outOffset: 0xffffffff }, view, PARAMS_SLOT);
    PARAM_FIELDS.forEach(([name, type], i) => {
      const at = PARAMS_SLOT + 4 * i;
      const value = type === 'f32' ? view.getFloat32(at, true) : view.getUint32(at, true);
      const want = { gRows: 7, alpha: 0.25, outOffset: 0xffffffff, laneGroup: 1 }[name as string];
      expect(value, name).toBe(want ?? 0);
    });
  });
});

describe('tile sizes: defined in tiles.ts, passed as overrides', () => {
  it('bindings.wgsl declares every override tileConstants() sets, without a default', () => {
    const declared = [...bindingsWgsl.matchAll(/^override\s+(\w+)\s*:\s*u32\s*;/gm)].map(
      (m) => m[1],
    );
    expect(declared.sort()).toEqual(Object.keys(tileConstants()).sort());
    expect(Object.keys(tileConstants(WIDE_TILE_LANES))).toEqual(Object.keys(tileConstants()));
  });

  it('no shader restates a tile size as a number', () => {
    for (const [path, source] of Object.entries(shaders)) {
      for (const name of Object.keys(tileConstants())) {
        expect(source, `${path} defines ${name}`).not.toMatch(
          new RegExp(`(const|override)\\s+${name}\\s*:\\s*u32\\s*=`),
        );
      }
    }
  });

  it('are consistent with the WGSL micro-tile and device limits', () => {
    for (const source of [
      shaders['../shaders/generated_matmul.wgsl'],
      shaders['../shaders/stored_matmul.wgsl'],
    ]) {
      expect(source).toContain(`const MICRO_ROWS: u32 = ${MICRO_ROWS}u;`);
      expect(source).toContain(`const MICRO_LANES: u32 = ${MICRO_LANES}u;`);
    }
    for (const lanes of [TILE_LANES, WIDE_TILE_LANES]) {
      expect(lanes % MICRO_LANES).toBe(0);
      // WebGPU's default maxComputeInvocationsPerWorkgroup.
      expect(productThreads(lanes)).toBeLessThanOrEqual(256);
    }
    expect(TILE_ROWS % (2 * MICRO_ROWS)).toBe(0);
    expect(TILE_K % 4).toBe(0);
    expect(REDUCE_THREADS & (REDUCE_THREADS - 1)).toBe(0);
  });
});
