import { expect, type Page } from '@playwright/test';

/** Waits until every panel has a result and no computation is running. */
export async function waitForFigure(page: Page, panels?: number): Promise<void> {
  await expect(page.getByTestId('figure')).toBeVisible();
  await page.waitForFunction(
    (count) => {
      const all = document.querySelectorAll('[data-testid="panel"]');
      const ready = document.querySelectorAll('[data-testid="panel"][data-ready="true"]');
      const timing = document.querySelector('[data-testid="timing"]')?.textContent ?? '';
      return (
        all.length > 0 &&
        ready.length === all.length &&
        (count === undefined || all.length === count) &&
        timing.startsWith('last figure')
      );
    },
    panels,
    { timeout: 200_000 },
  );
}

/** The drawn data: the store's results (what the canvases are drawn from). */
export async function drawnCurves(page: Page) {
  return page.evaluate(() => {
    const state = (
      window as unknown as {
        __store: {
          getState(): {
            results: ({
              panel: { id: string };
              curves: { values: Float64Array }[];
              coefficients: number[][] | null;
            } | null)[];
          };
        };
      }
    ).__store.getState();
    return state.results.map((r) => ({
      id: r?.panel.id ?? null,
      curves: r?.curves.map((c) => Array.from(c.values)) ?? [],
      coefficients: r?.coefficients ?? null,
    }));
  });
}

export function query(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/** Test hook: makes the compute worker throw an error nothing catches (a real crash). */
export async function crashWorker(page: Page): Promise<void> {
  await page.evaluate(() =>
    (window as unknown as { __store: { getState(): { simulateWorkerCrash(): void } } }).__store
      .getState()
      .simulateWorkerCrash(),
  );
}

/** What the store says is in flight: the figure, and the analyses still running. */
export async function storeState(page: Page) {
  return page.evaluate(() => {
    const state = (
      window as unknown as {
        __store: {
          getState(): {
            computing: boolean;
            workerFailure: string | null;
            analyses: Record<string, { running: boolean } | undefined>;
          };
        };
      }
    ).__store.getState();
    return {
      computing: state.computing,
      workerFailure: state.workerFailure,
      running: Object.entries(state.analyses)
        .filter(([, a]) => a?.running)
        .map(([kind]) => kind),
    };
  });
}

/**
 * Turns asking before long work off for this page (the documented test hook): whether a job is
 * estimated over 10 s depends on the machine's load, and only e2e/ask-first.spec.ts tests asking.
 */
export async function dontAskFirst(page: Page): Promise<void> {
  await page.addInitScript(() => {
    (window as unknown as { __askFirstThresholdMs: number }).__askFirstThresholdMs = Infinity;
  });
}
