// The engines in Node: the CPU engine on worker threads (a bundled shardWorker.node.ts), or the
// GPU engine through Dawn (the `webgpu` package) on whatever Vulkan driver the machine has.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeCores, nodeShardSpawner } from '../engine/cpu/nodeShards';
import { CpuEngine } from '../engine/cpuEngine';
import { GpuEngine } from '../engine/gpu';
import { type Engine, EngineError } from '../engine/types';
import { type EngineChoice, MAX_WORKERS } from './args';

/** Where the tool runs from (scripts/cli.mjs passes it to main). */
export interface CliEnvironment {
  /** The repository root (scripts/vulkan-env.sh lives there). */
  root: string;
  /** The bundled shard worker (plain JavaScript) for the CPU engine's threads. */
  shardWorker: string;
  /** A folder of the tool's own for files it derives once (fonts for PNGs). */
  cacheDir: string;
}

export function cpuEngine(env: CliEnvironment, workers?: number): CpuEngine {
  return new CpuEngine({
    spawn: nodeShardSpawner(env.shardWorker),
    workers: workers ?? Math.min(MAX_WORKERS, nodeCores()),
  });
}

/**
 * Points the Vulkan loader at a driver the way the tests and the benchmark do: by sourcing
 * scripts/vulkan-env.sh (SwiftShader from Debian's chromium on a machine without a GPU) when no
 * driver is configured. Returns the driver chosen, or null. Must run before Dawn starts.
 */
function vulkanEnvironment(root: string): string | null {
  const configured = process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES;
  if (configured) return configured;
  const script = join(root, 'scripts/vulkan-env.sh');
  if (!existsSync(script)) return null;
  const run = spawnSync(
    'bash',
    [
      '-c',
      '. "$0" >/dev/null 2>&1; printf "%s\\n%s" "$VK_ICD_FILENAMES" "$XDG_RUNTIME_DIR"',
      script,
    ],
    { encoding: 'utf8', timeout: 10_000 },
  );
  if (run.status !== 0) return null;
  const [icd, runtimeDir] = run.stdout.split('\n');
  if (runtimeDir && !process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = runtimeDir;
  if (!icd) return null;
  process.env.VK_ICD_FILENAMES = icd;
  return icd;
}

/**
 * Dawn's instance, held for the life of the process: a device outlives nothing that created it,
 * and a collected instance takes its devices down mid-request (it crashed the second panel).
 */
let dawn: GPU | undefined;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Dawn's WebGPU entry point, with the Vulkan driver chosen as the tests choose it; null (said why)
 * when the `webgpu` package cannot load.
 */
export async function openDawn(
  env: CliEnvironment,
  say: (line: string) => void,
  fallback = 'Using the CPU engine.',
): Promise<GPU | null> {
  const driver = vulkanEnvironment(env.root);
  say(`gpu: Vulkan driver ${driver ?? "(the system's default)"}`);
  try {
    const webgpu = await import('webgpu');
    Object.assign(globalThis, webgpu.globals);
    dawn ??= webgpu.create([]) as GPU;
    return dawn;
  } catch (error) {
    say(`gpu: Dawn (the webgpu package) could not load: ${messageOf(error)}. ${fallback}`);
    return null;
  }
}

/**
 * The engine asked for. `--engine gpu` falls back to the CPU engine, saying why, when Dawn finds
 * no adapter or cannot start.
 */
export async function openEngine(
  choice: EngineChoice,
  env: CliEnvironment,
  workers: number | undefined,
  say: (line: string) => void,
): Promise<Engine> {
  if (choice === 'cpu') return cpuEngine(env, workers);
  const gpu = await openDawn(env, say);
  if (!gpu) return cpuEngine(env, workers);
  try {
    return await GpuEngine.create(gpu, {
      onDeviceLost: (message) => say(`gpu: ${message}`),
    });
  } catch (error) {
    const reason =
      error instanceof EngineError && error.kind === 'no-adapter'
        ? 'no WebGPU adapter found'
        : `the GPU engine could not start: ${messageOf(error)}`;
    say(`gpu: ${reason}. Using the CPU engine.`);
    return cpuEngine(env, workers);
  }
}
