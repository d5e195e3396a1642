// The command-line tool: the app's experiments (runFigure, widthSweep, blockStructure) on the
// app's engines, written with the app's exports. Run through scripts/cli.mjs, which bundles this
// file and calls main(). Exit codes: 0 done, 1 the computation failed, 2 a usage error.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { blockStructure } from '../experiments/blockStructure';
import { runFigure } from '../experiments/runFigure';
import { type SweepResult, widthSweep } from '../experiments/sweep';
import { atWidth, transitionWidths } from '../experiments/transition';
import { type CliRequest, type Parsed, parseArgs, UsageError } from './args';
import { type CliEnvironment, openEngine } from './engines';
import { usage } from './help';
import { AtomicFile, blocksOutput, figureOutput, sweepOutput } from './outputs';
import { createReporter, formatSeconds, type Reporter } from './progress';
import { runTrainCommand } from './train';

export type { CliEnvironment } from './engines';

const HINT = 'Run with --help for every command and flag.';

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const exp = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : 'n/a');
const fixed = (v: number | null) =>
  v === null ? 'none' : Number.isFinite(v) ? v.toFixed(2) : 'n/a';

/** Computes what the request asks for and returns the file's contents and a one-line summary. */
async function compute(
  request: CliRequest,
  env: CliEnvironment,
  reporter: Reporter,
  signal: AbortSignal,
): Promise<{ data: string | Uint8Array; summary: string; engine: string }> {
  const { settings, format } = request;
  const opening = performance.now();
  const engine = await openEngine(request.engine, env, request.workers, (line) =>
    reporter.line(line),
  );
  const engineText = `${engine.info.kind} — ${engine.info.adapter}, ${engine.info.precision}`;
  const ready =
    engine.info.kind === 'webgpu'
      ? ` (ready in ${formatSeconds((performance.now() - opening) / 1000)})`
      : '';
  reporter.line(`engine: ${engineText}${ready}`);
  try {
    switch (request.command) {
      case 'figure': {
        let count = 0;
        const results = await runFigure(engine, settings, {
          signal,
          onPlan: (panels) => {
            count = panels.length;
            reporter.line(`figure: ${count} panels × ${settings.directions} directions`);
          },
          onProgress: (fraction, stage) => reporter.progress(fraction, stage),
          onPanel: (index, r) =>
            reporter.line(
              `[${index + 1}/${count}] ${r.panel.title}: ${formatSeconds(r.ms / 1000)}, weights ${r.store.path}`,
            ),
        });
        const data = await figureOutput(format, settings, results, request.layout, {
          scale: request.scale,
          fontCache: join(env.cacheDir, 'fonts'),
          say: (line) => reporter.line(line),
        });
        return { data, summary: `figure, ${results.length} panels`, engine: engineText };
      }
      case 'sweep': {
        const printed: number[] = [];
        let lines = 0;
        /** One line per new point (a family at a width): the partials add one at a time. */
        const sayPoints = (partial: SweepResult) => {
          const steps = partial.widths.length * partial.series.length;
          partial.series.forEach((s, f) => {
            for (const p of s.points.slice(printed[f] ?? 0)) {
              reporter.line(
                `[${++lines}/${steps}] ${s.family}, m = ${p.width}: non-multilinear ${exp(p.median)}, |c_B| ${exp(p.cB)}, |c_B+1| ${exp(p.cB1)}`,
              );
            }
            printed[f] = s.points.length;
          });
        };
        const sweep = await widthSweep(engine, settings, {
          signal,
          onProgress: (fraction, stage) => reporter.progress(fraction, stage),
          onPartial: sayPoints,
        });
        sayPoints(sweep);
        const slopes = sweep.series.map((s) => `${s.family} ${fixed(s.slope)}`).join(', ');
        return {
          data: sweepOutput(format, settings, sweep),
          summary: `width sweep over m = ${sweep.widths[0]} … ${sweep.widths[sweep.widths.length - 1]}; slopes of the non-multilinear part: ${slopes} (theorem ≤ ${sweep.theorem.nonMultilinear})`,
          engine: engineText,
        };
      }
      case 'animate': {
        // The app's play ladder (16 up, six notches per doubling), one seed: the frames show one
        // network growing. Each frame is the whole figure, written as it is done.
        const widths = transitionWidths(settings, { upTo: request.to });
        mkdirSync(request.out, { recursive: true });
        const digits = String(widths.length).length;
        for (const [i, m] of widths.entries()) {
          const at = atWidth(settings, m);
          const results = await runFigure(engine, at, {
            signal,
            onProgress: (fraction, stage) =>
              reporter.progress((i + fraction) / widths.length, `m = ${m}: ${stage}`),
          });
          const name = `frame-${String(i + 1).padStart(digits, '0')}-m${m}.${format}`;
          const data = await figureOutput(format, at, results, request.layout, {
            scale: request.scale,
            fontCache: join(env.cacheDir, 'fonts'),
            say: (line) => reporter.line(line),
          });
          new AtomicFile(join(request.out, name)).write(data);
          reporter.line(`[${i + 1}/${widths.length}] m = ${m}: ${name}`);
        }
        return {
          data: '',
          summary: `${widths.length} frames, m = ${widths[0]} … ${widths.at(-1)}, seed ${settings.seed}`,
          engine: engineText,
        };
      }
      case 'blocks': {
        let stage = '';
        const blocks = await blockStructure(engine, settings, {
          signal,
          onProgress: (fraction, text) => {
            reporter.progress(fraction, text);
            if (text !== stage) reporter.line(`blocks: ${(stage = text)}`);
          },
        });
        return {
          data: blocksOutput(format, settings, blocks),
          summary: `block structure of ${blocks.blockOfLayer.length} layers; largest |∂²g| within blocks ${exp(blocks.withinBlocks)}, across blocks ${exp(blocks.acrossBlocks)}`,
          engine: engineText,
        };
      }
    }
  } finally {
    engine.destroy();
  }
}

/**
 * Runs the tool on `argv` (the arguments after the script) and returns the exit code. Progress
 * and messages go to stderr; the written file and a summary to stdout.
 */
export async function main(argv: string[], env: CliEnvironment): Promise<number> {
  const stdout = process.stdout;
  const stderr = process.stderr;
  let parsed: Exclude<Parsed, { kind: 'help' }>;
  try {
    const read = parseArgs(argv);
    if (read.kind === 'help') {
      stdout.write(usage(stdout.columns ?? 100));
      return 0;
    }
    parsed = read;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    stderr.write(`error: ${error.message}\n${HINT}\n`);
    return 2;
  }

  const start = performance.now();
  const reporter = createReporter(stderr, Boolean(stdout.isTTY && stderr.isTTY));
  const out = parsed.request.out;
  // animate writes its frames itself, each atomically, into the directory `out`.
  const frames = parsed.kind === 'run' && parsed.request.command === 'animate';
  const file = out === undefined || frames ? undefined : new AtomicFile(out);
  const controller = new AbortController();
  const interrupt = (signal: NodeJS.Signals) => {
    controller.abort();
    file?.discard();
    reporter.finish();
    stderr.write(`interrupted (${signal}): nothing written\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  const took = () => formatSeconds((performance.now() - start) / 1000);
  try {
    if (parsed.kind === 'train') {
      const outcome = await runTrainCommand(parsed.request, env, reporter, controller.signal);
      if (file && outcome.data !== undefined) file.write(outcome.data);
      reporter.finish();
      stdout.write(
        `${outcome.table}${out ? `wrote ${out}\n` : ''}  ${outcome.rows.length} runs; ${took()}\n`,
      );
      return 0;
    }
    const request = parsed.request;
    const { data, summary, engine } = await compute(request, env, reporter, controller.signal);
    file?.write(data);
    reporter.finish();
    stdout.write(`wrote ${request.out}\n  ${summary}\n  engine ${engine}; ${took()}\n`);
    return 0;
  } catch (error) {
    file?.discard();
    reporter.finish();
    stderr.write(`error: ${messageOf(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
}
