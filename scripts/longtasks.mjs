#!/usr/bin/env node
// Long tasks on the page's main thread while each preset loads, computes and draws.
//
//   node scripts/longtasks.mjs [options]
//     --build            build the app first (vite build into a private folder, not dist/)
//     --dist A[,B…]      serve these builds (default: dist, or the private build with --build);
//                        with several, runs alternate between them (before/after comparisons
//                        under the same load), each on its own vite preview port
//     --port N           first vite preview port (default 4174)
//     --presets a,b      preset ids (default: all of src/experiments/settings.ts PRESETS)
//     --engine gpu|cpu|both   WebGPU (SwiftShader) and/or ?gpu=0 (CPU engine); default both
//     --repeat N         loads per preset, engine and build; medians are reported (default 3)
//     --query 'm=256'    extra URL settings laid over each preset (e.g. smaller widths)
//     --mode url|switch  url: open the preset's URL; switch: open a small figure first, then
//                        pick the preset in the preset picker (what a user does). Default url.
//     --no-surface       block the surface's three.js chunks (its canvas then stays empty)
//     --no-cpu           skip the light trace that gives each long task's CPU time
//     --trace [ID]       record a full Chrome trace (with V8 samples) of the worst preset (or of
//                        preset ID) and summarise what runs inside its long tasks;
//                        --trace-out FILE keeps the trace JSON
//     --json FILE        write every measurement as JSON
//     --threshold MS     long-task threshold for the summary (default 50, as the browser's)
//     --summarise-trace FILE   only summarise a trace saved with --trace-out (source maps from
//                        the first --dist)
//
// Each page gets a PerformanceObserver for 'longtask' and 'long-animation-frame' (buffered)
// before any of its scripts run, and performance.mark is wrapped so every mark is recorded.
// The figure is "drawn" when every panel has a result, the status line says "last figure", the
// surface view (if the figure has one) shows its stats and says its frame is on the canvas, and
// two more animation frames have passed; the page is then watched for another second.
//
// Columns: count, longest and TBT (total blocking time: Σ max(0, task − 50 ms)) are wall-clock
// numbers from the observer. "cpu" is the largest main-thread CPU time of one long task plus the
// time it sat blocked on the GPU process (synchronous command-buffer waits, e.g. WebGL reading
// back a frame), from a light Chrome trace of the same load (thread time of each RunTask):
// unlike wall-clock time it does not grow while the thread waits for a core. "boot" is the task
// that evaluates the app's bundle (reported apart: it runs once per page, before any compute).
//
// Numbers are from headless Chromium with SwiftShader (software WebGPU, WebGL and raster): on a
// loaded 2-core machine wall-clock times vary several-fold from run to run; compare medians,
// and compare builds in one run (--dist before,after) so they share the load.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadAppSettings } from './lib/appSettings.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

// ---- options --------------------------------------------------------------------------------

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const option = (name, fallback) => {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const v = argv[i + 1];
  return v === undefined || v.startsWith('--') ? fallback : v;
};
const build = flag('--build');
const dists = option('--dist', build ? '/tmp/longtasks-dist' : 'dist')
  .split(',')
  .map((d) => resolve(root, d));
const firstPort = Number(option('--port', '4174'));
const repeat = Number(option('--repeat', '3'));
const engines = { gpu: ['gpu'], cpu: ['cpu'], both: ['gpu', 'cpu'] }[option('--engine', 'both')];
const extraQuery = option('--query', '');
const mode = option('--mode', 'url');
const noSurface = flag('--no-surface');
const cpuTrace = !flag('--no-cpu');
const trace = flag('--trace');
const traceId = option('--trace', null);
const traceOut = option('--trace-out', null);
const jsonOut = option('--json', null);
const threshold = Number(option('--threshold', '50'));
const traceFile = option('--summarise-trace', null);
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

// ---- presets (from the app's own source) -------------------------------------------------------

const settingsModule = await loadAppSettings(root);
const allPresets = settingsModule.PRESETS;
const presetIds = option('--presets', allPresets.map((p) => p.id).join(',')).split(',');
for (const id of presetIds) {
  if (!allPresets.some((p) => p.id === id)) {
    console.error(`unknown preset ${id}; known: ${allPresets.map((p) => p.id).join(', ')}`);
    process.exit(2);
  }
}

function presetQuery(id, engine) {
  const preset = allPresets.find((p) => p.id === id);
  const q = new URLSearchParams(settingsModule.settingsToQuery(preset.settings));
  for (const [k, v] of new URLSearchParams(extraQuery)) q.set(k, v);
  if (engine === 'cpu') q.set('gpu', '0');
  return q.toString();
}

// ---- servers ----------------------------------------------------------------------------------

function run(command, args) {
  return new Promise((ok, fail) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? ok() : fail(new Error(`${command} exited ${code}`))));
  });
}

if (build) {
  console.log(`building into ${dists[0]} …`);
  await run('npx', ['vite', 'build', '--outDir', dists[0], '--emptyOutDir', '--logLevel', 'warn']);
}
for (const dist of dists) {
  if (!existsSync(join(dist, 'index.html'))) {
    console.error(`${dist}/index.html not found: run "npx vite build" first, or pass --build`);
    process.exit(2);
  }
}

/** One vite preview per build; each build's label is its folder's name. */
const builds = dists.map((dist, i) => ({
  dist,
  label: dists.length > 1 ? basename(dist) : '',
  base: `http://127.0.0.1:${firstPort + i}`,
  server: null,
  log: '',
}));
const stopServers = () => {
  for (const b of builds) {
    try {
      if (b.server) process.kill(-b.server.pid, 'SIGTERM');
    } catch {}
  }
};
process.on('exit', stopServers);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));
if (!traceFile) {
  for (const b of builds) {
    b.server = spawn(
      'npx',
      ['vite', 'preview', '--host', '127.0.0.1', '--strictPort'].concat(
        ['--port', new URL(b.base).port],
        ['--outDir', b.dist],
      ),
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    b.server.stdout.on('data', (d) => (b.log += d));
    b.server.stderr.on('data', (d) => (b.log += d));
  }
  for (const b of builds) {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(b.base)).ok) break;
      } catch {}
      if (b.server.exitCode !== null || i > 300) {
        console.error(`vite preview did not start on ${b.base}:\n${b.log}`);
        process.exit(1);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

// ---- measuring one load -------------------------------------------------------------------------

/** Runs in the page before its own scripts. */
function instrument() {
  const lt = { tasks: [], frames: [], marks: [] };
  window.__longtasks = lt;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        lt.tasks.push({ start: e.startTime, duration: e.duration, name: e.name });
    }).observe({ type: 'longtask', buffered: true });
  } catch {}
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        lt.frames.push({
          start: e.startTime,
          duration: e.duration,
          blocking: e.blockingDuration,
          render: e.renderStart ? e.startTime + e.duration - e.renderStart : 0,
          styleLayout: e.styleAndLayoutStart ? e.startTime + e.duration - e.styleAndLayoutStart : 0,
          scripts: e.scripts.map((s) => ({
            invoker: s.invoker,
            type: s.invokerType,
            fn: s.sourceFunctionName,
            url: s.sourceURL,
            char: s.sourceCharPosition,
            duration: s.duration,
            forcedLayout: s.forcedStyleAndLayoutDuration,
          })),
        });
      }
    }).observe({ type: 'long-animation-frame', buffered: true });
  } catch {}
  const mark = performance.mark.bind(performance);
  performance.mark = (name, options) => {
    const entry = mark(name, options);
    lt.marks.push({ name, time: entry.startTime });
    return entry;
  };
}

async function waitDrawn(page) {
  await page.waitForFunction(
    () => {
      const all = document.querySelectorAll('[data-testid="panel"]');
      const ready = document.querySelectorAll('[data-testid="panel"][data-ready="true"]');
      const timing = document.querySelector('[data-testid="timing"]')?.textContent ?? '';
      const surface = document.querySelector('[data-testid="surface"]');
      const stats = document.querySelector('[data-testid="surface-stats"]');
      // Builds that say when the surface's frame is on its canvas (data-drawn); older ones only
      // show the stats.
      const canvas = document.querySelector('[data-testid="surface-canvas"]');
      return (
        all.length > 0 &&
        ready.length === all.length &&
        timing.startsWith('last figure') &&
        (!surface ||
          window.__noSurface ||
          (stats && (!canvas || canvas.getAttribute('data-drawn') === 'true')))
      );
    },
    null,
    { timeout: 300_000, polling: 100 },
  );
  await page.evaluate(
    () =>
      new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(undefined)))),
  );
  await page.waitForTimeout(1000);
  await page.evaluate(() => performance.mark('longtasks:anchor'));
}

// A light trace per load: each long task's main-thread CPU time and GPU waits.
const LIGHT_CATEGORIES = [
  'toplevel',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'blink.user_timing',
  'gpu',
];
const FULL_CATEGORIES = LIGHT_CATEGORIES.concat([
  'disabled-by-default-devtools.timeline.frame',
  'disabled-by-default-v8.cpu_profiler',
  'v8',
  'v8.execute',
  'blink',
  'cc',
  'viz',
]);

async function startTracing(browser, categories) {
  const cdp = await browser.newBrowserCDPSession();
  const done = new Promise((ok) => cdp.once('Tracing.tracingComplete', ok));
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { recordMode: 'recordContinuously', includedCategories: categories },
  });
  return async () => {
    await cdp.send('Tracing.end');
    const { stream } = await done;
    const chunks = [];
    for (;;) {
      const { data, eof, base64Encoded } = await cdp.send('IO.read', { handle: stream });
      chunks.push(base64Encoded ? Buffer.from(data, 'base64').toString('utf8') : data);
      if (eof) break;
    }
    await cdp.send('IO.close', { handle: stream });
    await cdp.detach();
    return chunks.join('');
  };
}

const cpuOf = (e) => (e.tdur ?? e.dur ?? 0) / 1000;

/** The page's renderer main thread: where the app's URL was committed. */
function mainThreadOf(events, base) {
  const commit = events.find(
    (e) => e.name === 'CommitLoad' && String(e.args?.data?.url ?? '').startsWith(base),
  );
  return commit ? { pid: commit.pid, tid: commit.tid } : null;
}

/** Each observed long task's CPU time and GPU wait, from the trace (see the header). */
function judgeTasks(events, base, tasks, marks) {
  const main = mainThreadOf(events, base);
  const anchor = marks.find((m) => m.name === 'longtasks:anchor');
  const mark = main && events.find((e) => e.pid === main.pid && e.name === 'longtasks:anchor');
  if (!main || !anchor || !mark) return null;
  const offset = mark.ts - anchor.time * 1000;
  const onMain = events.filter(
    (e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined,
  );
  const runTasks = onMain.filter((e) => e.name === 'RunTask');
  const waits = onMain.filter((e) => /^CommandBufferProxyImpl::WaitFor/.test(e.name));
  const firstModule = onMain.find((e) => e.name === 'v8.evaluateModule');
  const boot =
    firstModule &&
    runTasks.find(
      (r) =>
        firstModule.ts >= r.ts &&
        firstModule.ts < r.ts + r.dur &&
        cpuOf(firstModule) >= 0.5 * cpuOf(r),
    );
  return tasks.map((t) => {
    const from = offset + t.start * 1000;
    const to = from + t.duration * 1000;
    const inside = runTasks.filter((r) => r.ts < to - 1000 && r.ts + r.dur > from + 1000);
    const cpu = inside.reduce((s, r) => s + cpuOf(r), 0);
    const gpuWait =
      waits
        .filter((w) => inside.some((r) => w.ts >= r.ts && w.ts < r.ts + r.dur))
        .reduce((s, w) => s + w.dur, 0) / 1000;
    return { ...t, cpu, gpuWait, matched: inside.length > 0, boot: inside.includes(boot) };
  });
}

function summarise(tasks, traced) {
  const long = tasks.filter((t) => t.duration > threshold);
  const judged = long.filter((t) => t.cpu !== undefined);
  const blocking = (t) => t.cpu + t.gpuWait;
  return {
    count: long.length,
    longest: long.reduce((m, t) => Math.max(m, t.duration), 0),
    // Total blocking time: the part of every task beyond 50 ms.
    tbt: tasks.reduce((s, t) => s + Math.max(0, t.duration - 50), 0),
    // The largest CPU + GPU-wait time of one long task, the bundle's evaluation apart.
    cpu: traced ? Math.max(0, ...judged.filter((t) => !t.boot).map(blocking)) : null,
    boot: judged.find((t) => t.boot) ? blocking(judged.find((t) => t.boot)) : null,
    gpuWait: judged.reduce((s, t) => s + t.gpuWait, 0),
  };
}

async function measure(browser, b, id, engine, options = {}) {
  const context = await browser.newContext({
    viewport: { width: 1400, height: 1000 },
    deviceScaleFactor: 1,
  });
  await context.addInitScript(instrument);
  if (noSurface) {
    await context.addInitScript(() => {
      window.__noSurface = true;
    });
    await context.route(/surface(Scene|Host|\.worker)-[^/]*\.js$/, (route) => route.abort());
  }
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const stopTracing = options.categories ? await startTracing(browser, options.categories) : null;
  let text = null;
  const started = Date.now();
  let switchAt = 0;
  try {
    if (mode === 'switch') {
      // A small figure first (not measured), then the preset from the picker.
      await page.goto(`${b.base}/?m=64&contrast=none${engine === 'cpu' ? '&gpu=0' : ''}`);
      await waitDrawn(page);
      switchAt = await page.evaluate(() => performance.now());
      const target = `?${presetQuery(id, 'gpu')}`;
      if (extraQuery) {
        // The picker cannot carry extra settings: go through the URL (pushState + popstate).
        await page.evaluate((q) => {
          history.pushState(null, '', q);
          dispatchEvent(new PopStateEvent('popstate'));
        }, target);
      } else {
        await page.getByTestId('preset').selectOption(id);
      }
      await page.waitForFunction(() =>
        document.querySelector('[data-testid="timing"]')?.textContent?.startsWith('computing'),
      );
    } else {
      await page.goto(`${b.base}/?${presetQuery(id, engine)}`);
    }
    await waitDrawn(page);
  } finally {
    if (stopTracing) text = await stopTracing();
  }
  const wall = Date.now() - started;
  const data = await page.evaluate(() => window.__longtasks);
  const info = await page.evaluate(() => ({
    engine: document.querySelector('[data-testid="engine"]')?.textContent ?? '',
    timing: document.querySelector('[data-testid="timing"]')?.textContent ?? '',
    panels: document.querySelectorAll('[data-testid="panel"]').length,
  }));
  await context.close();
  let events = null;
  let tasks = data.tasks.filter((t) => t.start >= switchAt);
  let traced = false;
  if (text) {
    const json = JSON.parse(text);
    events = Array.isArray(json) ? json : json.traceEvents;
    const judged = judgeTasks(events, b.base, tasks, data.marks);
    if (judged) {
      tasks = judged;
      traced = true;
    }
  }
  return {
    id,
    engine,
    build: b.label,
    wall,
    ...info,
    errors,
    tasks,
    frames: data.frames.filter((f) => f.start >= switchAt),
    marks: data.marks,
    ...summarise(tasks, traced),
    text,
    events,
  };
}

const median = (values) => {
  const s = values.filter((v) => v !== null && v !== undefined).sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return null;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const ms = (v, width = 6) => (v === null ? '–' : `${Math.round(v)}`).padStart(width);

// ---- source maps (to name minified functions) ------------------------------------------------

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const mapCache = new Map();
let mapDist = dists[0];
function loadMap(url) {
  if (mapCache.has(url)) return mapCache.get(url);
  let parsed = null;
  try {
    const path = join(mapDist, new URL(url).pathname);
    const map = JSON.parse(readFileSync(`${path}.map`, 'utf8'));
    const lines = [];
    let src = 0;
    let srcLine = 0;
    let srcCol = 0;
    let nameIdx = 0;
    for (const line of map.mappings.split(';')) {
      const segs = [];
      let col = 0;
      for (const seg of line.split(',')) {
        if (!seg) continue;
        const values = [];
        let value = 0;
        let shift = 0;
        for (const ch of seg) {
          const digit = B64.indexOf(ch);
          value += (digit & 31) << shift;
          if (digit & 32) shift += 5;
          else {
            values.push(value & 1 ? -(value >>> 1) : value >>> 1);
            value = 0;
            shift = 0;
          }
        }
        col += values[0];
        if (values.length >= 4) {
          src += values[1];
          srcLine += values[2];
          srcCol += values[3];
          if (values.length >= 5) nameIdx += values[4];
          segs.push([col, src, srcLine, srcCol, values.length >= 5 ? nameIdx : -1]);
        }
      }
      lines.push(segs);
    }
    parsed = { map, lines };
  } catch {}
  mapCache.set(url, parsed);
  return parsed;
}
/** "src/ui/plot/drawPanel.ts:120" for a 0-based line and column of a built file. */
function original(url, line, column) {
  if (!url) return '';
  const m = loadMap(url);
  if (!m) return `${url.replace(/^.*\//, '')}:${line + 1}:${column + 1}`;
  const segs = m.lines[line] ?? [];
  let best = null;
  for (const s of segs) {
    if (s[0] <= column) best = s;
    else break;
  }
  if (!best) return `${url.replace(/^.*\//, '')}:${line + 1}:${column + 1}`;
  const source = m.map.sources[best[1]]
    .replace(/^(\.\.\/)+/, '')
    .replace(/^.*node_modules\//, '')
    .replace(/^.*?\/src\//, 'src/');
  return `${source}:${best[2] + 1}`;
}

// ---- full trace summary --------------------------------------------------------------------------

/** X / B-E events of one thread as intervals with their nesting depth and self time. */
function threadIntervals(events, pid, tid) {
  const spans = [];
  const open = [];
  for (const e of events) {
    if (e.pid !== pid || e.tid !== tid) continue;
    if (e.ph === 'X' && typeof e.dur === 'number')
      spans.push({
        name: e.name,
        ts: e.ts,
        end: e.ts + e.dur,
        cpu: e.tdur,
        args: e.args,
        cat: e.cat,
      });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b) spans.push({ name: b.name, ts: b.ts, end: e.ts, args: b.args, cat: b.cat });
    }
  }
  spans.sort((a, b) => a.ts - b.ts || b.end - a.end);
  const stack = [];
  for (const s of spans) {
    while (stack.length && stack[stack.length - 1].end <= s.ts) stack.pop();
    const parent = stack[stack.length - 1];
    s.depth = stack.length;
    s.parent = parent ?? null;
    s.self = s.end - s.ts;
    if (parent) parent.self -= Math.min(s.end, parent.end) - s.ts;
    stack.push(s);
  }
  return spans;
}

function describeEvent(s) {
  const d = s.args?.data ?? s.args?.beginData ?? {};
  if (s.name === 'FunctionCall' && (d.functionName || d.url))
    return `FunctionCall ${d.functionName || '(anonymous)'} ${original(d.url, (d.lineNumber ?? 1) - 1, (d.columnNumber ?? 1) - 1)}`;
  if (s.name === 'EventDispatch' && d.type) return `EventDispatch ${d.type}`;
  return s.name;
}

function summariseTrace(events, label, base) {
  const threads = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  }
  // The page's renderer (headless Chromium runs others too, e.g. an omnibox popup), else the
  // CrRendererMain thread with the most work.
  let main = mainThreadOf(events, base);
  if (!main) {
    const busy = new Map();
    for (const e of events) {
      const key = `${e.pid}:${e.tid}`;
      if (threads.get(key) === 'CrRendererMain' && e.ph === 'X')
        busy.set(key, (busy.get(key) ?? 0) + (e.dur ?? 0));
    }
    const key = [...busy.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!key) return console.log('  (no CrRendererMain thread in the trace)');
    const [pid, tid] = key.split(':').map(Number);
    main = { pid, tid };
  }
  const { pid, tid } = main;
  const spans = threadIntervals(events, pid, tid);
  const top = spans.filter((s) => s.depth === 0 && s.name === 'RunTask');
  const long = top.filter((s) => s.end - s.ts > threshold * 1000);
  const ms1 = (us) => (us / 1000).toFixed(0);
  console.log(
    `\ntrace of ${label}: ${long.length} main-thread tasks over ${threshold} ms, longest ${ms1(Math.max(0, ...long.map((s) => s.end - s.ts)))} ms`,
  );
  const inLong = (ts) => long.some((l) => ts >= l.ts && ts < l.end);
  // Self time by event (FunctionCall named by its source) inside the long tasks.
  const selfBy = new Map();
  for (const s of spans) {
    if (s.depth === 0 || !inLong(s.ts)) continue;
    const key = describeEvent(s);
    selfBy.set(key, (selfBy.get(key) ?? 0) + s.self);
  }
  let rootSelf = 0;
  for (const l of long) rootSelf += l.self;
  selfBy.set('(RunTask itself: not inside any traced event)', rootSelf);
  console.log('  wall-clock self time by trace event inside the long tasks:');
  for (const [k, v] of [...selfBy.entries()].sort((a, b) => b[1] - a[1]).slice(0, 20))
    console.log(`    ${ms(v / 1000)} ms  ${k}`);

  // Each long task: wall and CPU time, GPU waits, and its biggest events.
  console.log('  the long tasks (wall / CPU / GPU wait), with their largest events:');
  for (const l of long
    .slice()
    .sort((a, b) => b.end - b.ts - (a.end - a.ts))
    .slice(0, 12)) {
    const within = spans.filter((s) => s.ts >= l.ts && s.end <= l.end && s !== l);
    const wait = within
      .filter((s) => /^CommandBufferProxyImpl::WaitFor/.test(s.name))
      .reduce((t, s) => t + s.end - s.ts, 0);
    const kids = within
      .filter((s) =>
        /^(FunctionCall|EvaluateScript|v8\.evaluateModule|FireAnimationFrame|RunMicrotasks|TimerFire|ParseHTML|UpdateLayoutTree|Layout|Paint|Commit|MajorGC|GLES2::ReadPixels|GLES2Implementation::GetProgramiv)$/.test(
          s.name,
        ),
      )
      .sort((a, b) => b.end - b.ts - (a.end - a.ts))
      .slice(0, 4)
      .map((s) => `${describeEvent(s)} ${ms1(s.end - s.ts)}`);
    console.log(
      `    ${ms((l.end - l.ts) / 1000)} / ${ms((l.cpu ?? 0) / 1000, 3)} / ${ms(wait / 1000, 4)} ms at +${ms1(l.ts - top[0].ts)} ms: ${kids.join(' | ')}`,
    );
  }

  // CPU profile samples of the renderer main thread, leaf function (self time), in long tasks.
  const profiles = new Map();
  for (const e of events) {
    if (e.name === 'Profile' && e.pid === pid)
      profiles.set(e.id, { tid: e.tid, start: e.args.data.startTime, nodes: new Map(), t: null });
  }
  const samplesBy = new Map();
  let sampleCount = 0;
  for (const e of events) {
    if (e.name !== 'ProfileChunk' || e.pid !== pid) continue;
    const p = profiles.get(e.id);
    if (!p || p.tid !== tid) continue;
    const cp = e.args.data.cpuProfile ?? {};
    for (const n of cp.nodes ?? []) p.nodes.set(n.id, n);
    if (p.t === null) p.t = p.start;
    const deltas = e.args.data.timeDeltas ?? [];
    (cp.samples ?? []).forEach((sample, i) => {
      p.t += deltas[i] ?? 0;
      if (!inLong(p.t)) return;
      const f = p.nodes.get(sample)?.callFrame ?? {};
      const key = `${f.functionName || '(anonymous)'} ${f.url ? original(f.url, f.lineNumber, f.columnNumber) : ''}`;
      samplesBy.set(key, (samplesBy.get(key) ?? 0) + 1);
      sampleCount++;
    });
  }
  if (sampleCount > 0) {
    console.log(`  V8 samples inside the long tasks (${sampleCount}), self:`);
    for (const [k, v] of [...samplesBy.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15))
      console.log(`    ${`${((100 * v) / sampleCount).toFixed(1)}%`.padStart(6)}  ${k}`);
  }

  // What the GPU process's main thread did during the renderer's long tasks.
  for (const [key, name] of threads) {
    if (name !== 'CrGpuMain') continue;
    const [gpid, gtid] = key.split(':').map(Number);
    const gspans = threadIntervals(events, gpid, gtid);
    let overlap = 0;
    const byName = new Map();
    for (const s of gspans) {
      if (s.depth !== 0 && !/^(WebGL|WebGPU|CommandBuffer::Flush|GPUTask)$/.test(s.name)) continue;
      for (const l of long) {
        const o = Math.min(s.end, l.end) - Math.max(s.ts, l.ts);
        if (o > 0) {
          if (s.depth === 0) overlap += o;
          byName.set(s.name, (byName.get(s.name) ?? 0) + o);
        }
      }
    }
    if (overlap > 0)
      console.log(
        `  GPU process main thread busy during them: ${ms1(overlap)} ms (${[...byName.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 5)
          .map(([n, v]) => `${n} ${ms1(v)}`)
          .join(', ')})`,
      );
  }
}

// ---- main -------------------------------------------------------------------------------------

if (traceFile) {
  const json = JSON.parse(readFileSync(traceFile, 'utf8'));
  const events = Array.isArray(json) ? json : json.traceEvents;
  const commit = events.find(
    (e) => e.name === 'CommitLoad' && /^https?:\/\/127\.0\.0\.1/.test(e.args?.data?.url ?? ''),
  );
  summariseTrace(events, traceFile, commit ? new URL(commit.args.data.url).origin : 'http://');
  process.exit(0);
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: [
    '--enable-unsafe-webgpu',
    '--use-webgpu-adapter=swiftshader',
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

console.log(
  `long tasks (> ${threshold} ms) per load: median of ${repeat}, ${mode} mode${extraQuery ? `, extra ${extraQuery}` : ''}${noSurface ? ', surface blocked' : ''}`,
);
console.log(
  `${'preset'.padEnd(18)} ${'engine'.padEnd(6)} ${builds.length > 1 ? `${'build'.padEnd(14)} ` : ''}${'count'.padStart(5)} ${'longest'.padStart(8)} ${'TBT'.padStart(6)} ${'cpu'.padStart(5)} ${'boot'.padStart(5)} ${'wall'.padStart(7)}   runs (count/longest/TBT/cpu)`,
);
const rows = [];
for (const id of presetIds) {
  for (const engine of engines) {
    const runs = new Map(builds.map((b) => [b, []]));
    for (let r = 0; r < repeat; r++) {
      for (const b of builds) {
        const m = await measure(browser, b, id, engine, {
          categories: cpuTrace ? LIGHT_CATEGORIES : null,
        });
        m.text = null;
        m.events = null;
        runs.get(b).push(m);
        if (m.errors.length) console.log(`  page errors: ${m.errors.join('; ')}`);
        if (r === 0)
          console.log(
            `  ${id} ${engine}${b.label ? ` ${b.label}` : ''}: ${m.engine} · ${m.panels} panels · ${m.timing}`,
          );
      }
    }
    for (const b of builds) {
      const list = runs.get(b);
      const row = {
        id,
        engine,
        build: b.label,
        dist: b.dist,
        count: median(list.map((r) => r.count)),
        longest: median(list.map((r) => r.longest)),
        tbt: median(list.map((r) => r.tbt)),
        cpu: median(list.map((r) => r.cpu)),
        boot: median(list.map((r) => r.boot)),
        wall: median(list.map((r) => r.wall)),
        runs: list,
      };
      rows.push(row);
      console.log(
        `${id.padEnd(18)} ${engine.padEnd(6)} ${builds.length > 1 ? `${b.label.padEnd(14)} ` : ''}${String(row.count).padStart(5)} ${ms(row.longest, 8)} ${ms(row.tbt)} ${ms(row.cpu, 5)} ${ms(row.boot, 5)} ${ms(row.wall, 7)}   ${list
          .map(
            (r) =>
              `${r.count}/${Math.round(r.longest)}/${Math.round(r.tbt)}/${r.cpu === null ? '–' : Math.round(r.cpu)}`,
          )
          .join('  ')}`,
      );
      // The worst run's longest tasks, with what the long-animation-frame entries blame.
      const worst = list.slice().sort((x, y) => y.longest - x.longest)[0];
      for (const t of worst.tasks
        .filter((t) => t.duration > threshold)
        .sort((x, y) => y.duration - x.duration)
        .slice(0, 3)) {
        const frame = worst.frames.find(
          (f) => f.start <= t.start + 1 && f.start + f.duration >= t.start + t.duration - 1,
        );
        const scripts = (frame?.scripts ?? [])
          .filter((s) => s.duration > 5)
          .sort((x, y) => y.duration - x.duration)
          .slice(0, 3)
          .map((s) => `${s.invoker} ${Math.round(s.duration)}`)
          .join(' | ');
        const cpu =
          t.cpu !== undefined
            ? ` (CPU ${Math.round(t.cpu)}, GPU wait ${Math.round(t.gpuWait)}${t.boot ? ', bundle evaluation' : ''})`
            : '';
        const extra = frame
          ? ` [frame ${Math.round(frame.duration)}: render ${Math.round(frame.render)}${scripts ? `; ${scripts}` : ''}]`
          : '';
        console.log(`      ${ms(t.duration)} ms at ${Math.round(t.start)} ms${cpu}${extra}`);
      }
    }
  }
}

if (trace) {
  const worst = rows.slice().sort((a, b) => b.longest - a.longest || b.tbt - a.tbt)[0];
  const row = traceId
    ? (rows.find((r) => r.id === traceId && r.build === builds[builds.length - 1].label) ?? worst)
    : worst;
  const b = builds.find((x) => x.label === row.build) ?? builds[0];
  mapDist = b.dist;
  const m = await measure(browser, b, row.id, row.engine, { categories: FULL_CATEGORIES });
  if (traceOut) writeFileSync(traceOut, m.text);
  summariseTrace(
    m.events,
    `${row.id} (${m.engine}${b.label ? `, ${b.label}` : ''}; observer: ${m.count} long tasks)`,
    b.base,
  );
}

await browser.close();
if (jsonOut) {
  const slim = rows.map((r) => ({
    ...r,
    runs: r.runs.map(({ frames, marks, text, events, ...rest }) => rest),
  }));
  writeFileSync(jsonOut, JSON.stringify({ threshold, mode, extraQuery, rows: slim }, null, 1));
}
stopServers();
