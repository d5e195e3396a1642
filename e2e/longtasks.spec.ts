// The page's main thread never blocks while a figure computes and draws: no long task in which
// the page itself works (or waits on the GPU) for more than 50 ms.
//
// Method. A PerformanceObserver for 'longtask' (buffered, installed before the app's scripts)
// lists every task over 50 ms of wall-clock time, from navigation until the figure, its panels and
// the (t₁, t₂) surface are drawn, and again while a new figure (new directions) computes and
// draws. A Chrome trace recorded meanwhile says, for each of those tasks, how much CPU time the
// main thread spent in it (the trace's thread time) and how long it sat blocked on the GPU
// process (synchronous command-buffer waits: WebGL on the main thread reading back a frame, for
// one). Their sum, the page's own blocking time, must stay under BLOCKING_BUDGET_MS.
//
// Why not wall-clock time: this runs on a 2-core machine where the compute worker, SwiftShader's
// threads (software WebGPU and WebGL) and other test runs compete for the cores. A task of 31 ms
// CPU was measured there at 319 ms of wall-clock time, so a 50 ms wall-clock limit fails on load
// alone. CPU time does not grow while the thread waits for a core; GPU waits are added because
// the thread is blocked then although it uses no CPU. A 200 ms busy loop in a draw path fails
// this test (checked), and so did the surface's WebGL on the main thread (1.2–1.5 s of GPU waits
// per frame before it moved to a worker). As a backstop against blocking of a kind the trace
// does not name, no long task may last over WALL_CAP_MS of wall-clock time either.
//
// One task is held to a looser budget: the evaluation of the app's JavaScript bundle at page load
// (three quarters of it React DOM; 20–50 ms CPU here). It runs once per page, before the worker
// computes anything, and nothing in the app can split it. It is reported, and held to
// BOOT_BUDGET_MS. Recomputing a figure afterwards has no such exception.
//
// Settings are the presets' with narrower blocks, so both figures finish in seconds on SwiftShader.

import { expect, type Page, test } from '@playwright/test';
import { PRESETS, settingsToQuery } from '../src/experiments/settings';
import { dontAskFirst, waitForFigure } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

/** The page's own blocking per long task: main-thread CPU time + time blocked on the GPU. */
const BLOCKING_BUDGET_MS = 50;
/** The one task that evaluates the app's bundle at page load. */
const BOOT_BUDGET_MS = 150;
/** Wall-clock backstop: far above what load alone did to these tasks (≈ 320 ms at most). */
const WALL_CAP_MS = 1000;

interface LongTask {
  start: number;
  duration: number;
}

interface Marks {
  tasks: LongTask[];
  marks: { name: string; time: number }[];
}

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  args?: { data?: { url?: string; functionName?: string; lineNumber?: number } };
}

/** Runs in the page before its scripts: buffered long tasks, and every performance.mark. */
function instrument() {
  const record: Marks = { tasks: [], marks: [] };
  (window as unknown as { __longtasks: Marks }).__longtasks = record;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries())
      record.tasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  const mark = performance.mark.bind(performance);
  performance.mark = (name: string, options?: PerformanceMarkOptions) => {
    const entry = mark(name, options);
    record.marks.push({ name, time: entry.startTime });
    return entry;
  };
}

const TRACE_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink.user_timing',
  'gpu',
];

/** Synchronous waits of the main thread on the GPU process's command buffer. */
const GPU_WAIT = /^CommandBufferProxyImpl::WaitFor/;

/** Trace events worth naming in a report of what a long task did. */
const NAMED =
  /^(FunctionCall|EvaluateScript|v8\.evaluateModule|FireAnimationFrame|TimerFire|EventDispatch|ParseHTML|UpdateLayoutTree|Layout|Paint|Commit|MajorGC|MinorGC|GLES2::ReadPixels)$/;

interface Verdict {
  start: number;
  wall: number;
  cpu: number;
  gpuWait: number;
  blocking: number;
  matched: boolean;
  /** This task evaluated the app's bundle at page load. */
  boot: boolean;
  /** The events that took most of its time, for the report. */
  what: string;
}

const cpuOf = (e: TraceEvent) => (e.tdur ?? e.dur ?? 0) / 1000;

function describe(e: TraceEvent): string {
  const d = e.args?.data;
  if (e.name === 'FunctionCall' && d?.url)
    return `FunctionCall ${d.functionName || '(anonymous)'} ${d.url.replace(/^.*\//, '')}:${d.lineNumber}`;
  return e.name;
}

function judge(events: TraceEvent[], origin: string, record: Marks): Verdict[] {
  // The page's renderer main thread: where the app's URL was committed.
  const commit = events.find(
    (e) => e.name === 'CommitLoad' && String(e.args?.data?.url ?? '').startsWith(origin),
  );
  if (!commit) throw new Error('the trace has no CommitLoad of the app');
  const main = events.filter(
    (e) => e.pid === commit.pid && e.tid === commit.tid && e.ph === 'X' && e.dur !== undefined,
  );
  // Page time (ms) → trace time (µs), from a mark both saw.
  const anchor = record.marks.find((m) => m.name === 'longtasks:anchor');
  const mark = events.find(
    (e) => e.pid === commit.pid && e.name === 'longtasks:anchor' && e.cat.includes('user_timing'),
  );
  if (!anchor || !mark) throw new Error('the anchor mark is missing from the page or the trace');
  const offset = mark.ts - anchor.time * 1000;
  const runTasks = main.filter((e) => e.name === 'RunTask');
  const within = (e: TraceEvent, tasks: TraceEvent[]) =>
    tasks.some((r) => e.ts >= r.ts && e.ts < r.ts + (r.dur ?? 0));
  // The bundle's evaluation: the first task that is mostly v8.evaluateModule.
  const firstModule = main.find((e) => e.name === 'v8.evaluateModule');
  const bootTask = firstModule
    ? runTasks.find(
        (r) =>
          firstModule.ts >= r.ts &&
          firstModule.ts < r.ts + (r.dur ?? 0) &&
          cpuOf(firstModule) >= 0.5 * cpuOf(r),
      )
    : undefined;
  return record.tasks.map((t) => {
    const from = offset + t.start * 1000;
    const to = from + t.duration * 1000;
    // The RunTask events this long task covers (one, unless Chrome grouped several).
    const inside = runTasks.filter(
      (r) => r.ts < to - 1000 && r.ts + (r.dur ?? 0) > from + 1000 && (r.dur ?? 0) > 1000,
    );
    const cpu = inside.reduce((s, r) => s + cpuOf(r), 0);
    const gpuWait =
      main
        .filter((e) => GPU_WAIT.test(e.name) && within(e, inside))
        .reduce((s, e) => s + (e.dur ?? 0), 0) / 1000;
    const what = main
      .filter((e) => NAMED.test(e.name) && within(e, inside))
      .sort((a, b) => cpuOf(b) - cpuOf(a))
      .slice(0, 3)
      .map((e) => `${describe(e)} ${Math.round(cpuOf(e))} ms CPU`)
      .join(', ');
    return {
      start: Math.round(t.start),
      wall: Math.round(t.duration),
      cpu: Math.round(cpu),
      gpuWait: Math.round(gpuWait),
      blocking: Math.round(cpu + gpuWait),
      matched: inside.length > 0,
      boot: bootTask !== undefined && inside.includes(bootTask),
      what,
    };
  });
}

const storeState = (page: Page) =>
  page.evaluate(() => {
    const s = (
      window as unknown as {
        __store: { getState(): { requestId: number; computing: boolean } };
      }
    ).__store.getState();
    return { requestId: s.requestId, computing: s.computing };
  });

/** The figure's panels have their results and the surface's frame is on its canvas. */
async function waitDrawn(page: Page, panels: number) {
  await waitForFigure(page, panels);
  // Two-block linear figures also draw the (t₁, t₂) surface (three.js, in a worker).
  await expect(page.getByTestId('surface-canvas')).toHaveAttribute('data-drawn', 'true', {
    timeout: 120_000,
  });
  // Let the last frames and any trailing work land.
  await page.waitForTimeout(500);
}

/** Asks for new directions: a new figure without reloading, and waits until it is drawn. */
async function newDirections(page: Page, panels: number) {
  const before = await storeState(page);
  await page.getByTestId('new-directions').click();
  await expect
    .poll(async () => {
      const now = await storeState(page);
      return now.requestId > before.requestId && !now.computing;
    })
    .toBe(true);
  await waitDrawn(page, panels);
}

/**
 * A 2 s pointer drag across the width slider (live frames, docs/live.md), then the release's
 * whole figure, drawn.
 */
async function dragWidth(page: Page, panels: number) {
  const box = await page.getByTestId('width-slider').boundingBox();
  if (!box) throw new Error('no width slider');
  const y = box.y + box.height / 2;
  await page.mouse.move(box.x + box.width * 0.7, y);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) {
    await page.mouse.move(box.x + box.width * (0.7 - i * 0.015), y);
    await page.waitForTimeout(100);
  }
  await page.mouse.up();
  await waitDrawn(page, panels);
}

/**
 * Loads the figure, then does `then` (by default: new directions, a new figure without
 * reloading); returns the long tasks of both, judged against the trace.
 */
async function measure(
  page: Page,
  query: string,
  panels: number,
  then: (page: Page, panels: number) => Promise<void> = newDirections,
) {
  const browser = page.context().browser();
  if (!browser) throw new Error('no browser');
  await page.addInitScript(instrument);
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  let trace: Buffer;
  try {
    await page.goto(`/?${query}`);
    await waitDrawn(page, panels);
    await page.evaluate(() => performance.mark('longtasks:recompute'));
    await then(page, panels);
    await page.evaluate(() => performance.mark('longtasks:anchor'));
  } finally {
    trace = await browser.stopTracing();
  }
  const record = await page.evaluate(
    () => (window as unknown as { __longtasks: Marks }).__longtasks,
  );
  const json = JSON.parse(trace.toString('utf8'));
  const events: TraceEvent[] = Array.isArray(json) ? json : json.traceEvents;
  let verdicts: Verdict[];
  try {
    verdicts = judge(events, new URL(page.url()).origin, record);
  } catch (error) {
    await test.info().attach('trace.json', { body: trace, contentType: 'application/json' });
    throw error;
  }
  const recompute = record.marks.find((m) => m.name === 'longtasks:recompute')?.time ?? 0;
  return { verdicts, recompute, trace };
}

/**
 * Judges the long tasks; `afterLoad` judges only those from the 'recompute' mark on (the load is
 * the same page the Figure 1 test already judges, and is reported here all the same).
 */
async function check(
  result: Awaited<ReturnType<typeof measure>>,
  label: string,
  afterLoad = false,
) {
  const { recompute, trace } = result;
  const verdicts = afterLoad
    ? result.verdicts.filter((v) => v.start >= recompute)
    : result.verdicts;
  const line = (v: Verdict) =>
    `${v.start >= recompute ? 'recompute' : 'load'} at ${v.start} ms: ${v.wall} ms wall, ${v.cpu} ms CPU + ${v.gpuWait} ms GPU wait = ${v.blocking} ms${v.boot ? ' [bundle evaluation]' : ''}${v.matched ? ` (${v.what})` : ' (not found in the trace)'}`;
  const report = `${label}: ${verdicts.length} long tasks\n  ${verdicts.map(line).join('\n  ')}`;
  test.info().annotations.push({ type: 'long tasks', description: report });
  console.log(report);
  const problems = [
    ...verdicts.filter((v) => !v.matched).map((v) => `not in the trace: ${line(v)}`),
    ...verdicts
      .filter((v) => v.blocking > (v.boot ? BOOT_BUDGET_MS : BLOCKING_BUDGET_MS))
      .map(
        (v) =>
          `the page blocked its main thread for over ${v.boot ? BOOT_BUDGET_MS : BLOCKING_BUDGET_MS} ms: ${line(v)}`,
      ),
    ...verdicts
      .filter((v) => v.wall > WALL_CAP_MS)
      .map((v) => `over ${WALL_CAP_MS} ms of wall-clock time: ${line(v)}`),
  ];
  if (problems.length > 0)
    await test.info().attach('trace.json', { body: trace, contentType: 'application/json' });
  expect(problems, report).toEqual([]);
}

function presetQuery(id: string, widths: number) {
  const preset = PRESETS.find((p) => p.id === id);
  if (!preset) throw new Error(`no preset ${id}`);
  const settings = { ...preset.settings, widths: preset.settings.widths.map(() => widths) };
  return settingsToQuery(settings);
}

test('Figure 1 computes and draws without blocking the main thread', async ({ page }) => {
  await check(await measure(page, presetQuery('figure1', 1000), 4), 'figure1, m = 1000');
});

test('Deep blocks computes and draws without blocking the main thread', async ({ page }) => {
  await check(await measure(page, presetQuery('deep-blocks', 256), 3), 'deep-blocks, m = 256');
});

test('A drag across the width slider keeps to the budget (live frames, then the release)', async ({
  page,
}) => {
  await check(
    await measure(page, presetQuery('figure1', 1000), 4, dragWidth),
    'figure1, m = 1000, a 2 s drag of the width slider',
    true,
  );
});
