// The compute worker's module run in Node against a fake `self`: tests send it messages and read
// what it posts (tests/store.test.ts, tests/estimate.test.ts).
import { afterAll, vi } from 'vitest';
import type { FromWorker, ToWorker } from '../../src/worker/protocol';

export function fakeWorkerScope() {
  const posted: FromWorker[] = [];
  const fakeSelf = {
    postMessage: (message: FromWorker) => posted.push(structuredClone(message)),
    addEventListener: () => undefined,
    onmessage: null as ((event: { data: ToWorker }) => void) | null,
  };
  vi.stubGlobal('self', fakeSelf);
  afterAll(() => vi.unstubAllGlobals());
  const send = (data: ToWorker) => fakeSelf.onmessage?.({ data });
  /** Polls `test` every 10 ms for up to 60 s. */
  const waitFor = async (test: () => boolean, what: string) => {
    const end = Date.now() + 60_000;
    while (!test() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    if (!test()) throw new Error(`timed out waiting for ${what}`);
  };
  return { posted, send, waitFor };
}
