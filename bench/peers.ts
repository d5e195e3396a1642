// The benchmarks' Python peers (bench/numpy_peer.py, bench/train_numpy_peer.py): run one and read
// its result, the JSON object on the last line it prints.

import { execFileSync } from 'node:child_process';

/**
 * OpenBLAS settings some machines export that pin its kernel or cache model: the peer runs
 * without them (its process alone), so OpenBLAS picks what it detects, and says what it picked.
 */
const UNSET_FOR_PEERS = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

/**
 * Runs `python3 script …args` and returns its last output line parsed as JSON; null (with a line
 * saying why, and the benchmark going on without it) when Python or numpy is missing or the peer
 * reports an `error`.
 */
export function runPythonPeer<T extends { error?: string }>(
  script: string,
  args: string[],
): T | null {
  const env = { ...process.env };
  for (const name of UNSET_FOR_PEERS) delete env[name];
  try {
    const out = execFileSync('python3', [script, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      env,
    });
    const result = JSON.parse(out.trim().split('\n').pop() ?? '{}') as T;
    if (result.error) {
      console.log(`numpy peer: ${result.error}; going on without it`);
      return null;
    }
    return result;
  } catch (error) {
    console.log(
      `numpy peer could not run (${(error as Error).message.split('\n')[0]}); going on without it`,
    );
    return null;
  }
}
