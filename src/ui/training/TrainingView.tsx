// The training page (`?view=train`): the network, its NTK model and its block-linearised model
// trained from the same W_0, live while the worker runs (training.worker.ts): loss, kernel change,
// distance from init against R = 1, held-out predictions; a width sweep and a tanh contrast.
// docs/training-view.md describes what it shows.

import { type ReactNode, useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { TrainedModel } from '../../engine/trainer';
import type { PageView } from '../../experiments/settings';
import {
  OPTIMISERS,
  STEP_RULES,
  TRAINING_RANGES,
  type TrainingSettings,
  trainedModels,
} from '../../experiments/training';
import { TRAINING_LIMITS } from '../../model/training';
import type { TrainingStore } from '../../state/trainingStore';
import { UrlProblemsBanner } from '../Banners';
import { NumberField, SelectField } from '../fields';
import { Tex } from '../notes/Tex';
import { formatSlope } from '../plot/drawSweep';
import { cancelDraw, queueDraw } from '../plot/frameQueue';
import { timeLeft, useJobElapsed } from '../StatusLine';
import {
  drawDistances,
  drawKernelChange,
  drawLoss,
  drawPredictions,
  drawTrainingSweep,
  MODEL_STYLE,
  runStatus,
  stepUnit,
  sweepDivergedNotes,
  totalSteps,
} from './drawTraining';
import { PageTabs } from './PageTabs';
import { SWEEP_SEEDS, SWEEP_WIDTHS, type TrainingSnapshot } from './protocol';
import { TRAINING_NOTES } from './trainingNotes';
import './training.css';

const JOB_LABEL = {
  train: 'Training',
  sweep: 'Width sweep (plotted below)',
  contrast: 'tanh contrast (in the kernel plot)',
} as const;

function formatNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '—';
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  return (a >= 1e4 || a < 1e-3 ? v.toExponential(digits - 1) : v.toPrecision(digits)).replace(
    '-',
    '−',
  );
}

/** A canvas drawn by `draw` whenever `deps` change (through the frame queue). */
function PlotCanvas({
  label,
  draw,
  deps,
  testId,
  className = 'training-canvas',
}: {
  label: string;
  draw: (canvas: HTMLCanvasElement) => void;
  /** At most two values: a change of either redraws. */
  deps: readonly unknown[];
  testId: string;
  className?: string;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const [first, second] = deps;
  // biome-ignore lint/correctness/useExhaustiveDependencies: redraw when the data changes
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    queueDraw(canvas, () => drawRef.current(canvas));
    return () => cancelDraw(canvas);
  }, [first, second]);
  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    const observer = new ResizeObserver(() => queueDraw(canvas, () => drawRef.current(canvas)));
    observer.observe(canvas);
    return () => observer.disconnect();
  }, []);
  return (
    <canvas ref={ref} className={className} role="img" aria-label={label} data-testid={testId} />
  );
}

function Figure({ note, children }: { note: string; children: ReactNode }) {
  return (
    <figure className="training-plot">
      {children}
      <figcaption className="visually-hidden">{note}</figcaption>
    </figure>
  );
}

/** The compact settings panel: every field is a URL key (trainingFromQuery). */
function TrainingControls({ store }: { store: TrainingStore }) {
  const s = useStore(store, (state) => state.settings);
  const update = (patch: Partial<TrainingSettings>) => store.getState().update(patch);
  const rMax = s.blocks > 1 ? s.bottleneck : Math.min(s.d, s.k);
  const nMax = Math.min(
    TRAINING_LIMITS.maxSamples,
    Math.floor(TRAINING_LIMITS.maxKernelSize / s.k),
  );
  const num = (
    key: string,
    label: string,
    field: keyof TrainingSettings,
    min: number,
    max: number,
    integer = true,
  ) => (
    <NumberField
      key={key}
      label={label}
      value={s[field] as number}
      min={min}
      max={max}
      integer={integer}
      testId={`training-field-${key}`}
      onCommit={(v) => update({ [field]: v })}
    />
  );
  return (
    <form
      className="training-controls"
      aria-label="Training settings"
      onSubmit={(e) => e.preventDefault()}
    >
      <fieldset className="section">
        <legend>Network</legend>
        <div className="training-fields">
          {num('B', 'blocks B', 'blocks', ...TRAINING_RANGES.blocks)}
          {num('L', 'layers L_b', 'layers', ...TRAINING_RANGES.layers)}
          {num('m', 'width m', 'width', ...TRAINING_RANGES.width)}
          {s.blocks > 1 ? num('bw', 'bottleneck', 'bottleneck', 1, 64) : null}
          <SelectField
            label="σ in blocks"
            value={s.activation}
            options={['identity', 'tanh'] as const}
            labels={{ identity: 'identity', tanh: 'tanh (network only)' }}
            testId="training-field-act"
            onChange={(v) => update({ activation: v })}
          />
        </div>
      </fieldset>
      <fieldset className="section">
        <legend>Data</legend>
        <div className="training-fields">
          {num('d', 'input d', 'd', 1, 64)}
          {num('k', 'output k', 'k', 1, 64)}
          {num('r', 'target rank r', 'r', 1, rMax)}
          {num('n', 'samples n', 'n', 1, nMax)}
        </div>
      </fieldset>
      <fieldset className="section">
        <legend>Optimiser</legend>
        <div className="training-fields">
          <SelectField
            label="optimiser"
            value={s.optimiser}
            options={OPTIMISERS}
            labels={{ gd: 'gradient', alternating: 'Gauss–Newton' }}
            testId="training-field-opt"
            onChange={(v) => update({ optimiser: v })}
          />
          <SelectField
            label="step rule"
            value={s.stepRule}
            options={STEP_RULES}
            labels={{ fixed: 'fixed (K₀)', follow: 'follow K' }}
            disabled={s.optimiser !== 'gd'}
            testId="training-field-rule"
            onChange={(v) => update({ stepRule: v })}
          />
          {num(
            'steps',
            s.optimiser === 'gd' ? 'steps' : 'sweeps',
            'steps',
            ...TRAINING_RANGES.steps,
          )}
          {num('lr', 'step c', 'lr', 0.001, 10, false)}
          {num('seed', 'seed', 'seed', 0, 0xffffffff)}
        </div>
      </fieldset>
    </form>
  );
}

function modelSummary(
  snapshot: TrainingSnapshot,
  model: TrainedModel,
): { loss: number | null; status: string; stopped: string } {
  const run = snapshot.runs.find((r) => r.model === model);
  const last = run?.checkpoints[run.checkpoints.length - 1];
  return {
    loss: last?.loss ?? null,
    status: run ? runStatus(run, snapshot, snapshot.summary !== undefined) : '',
    stopped: run?.stopped ?? '',
  };
}

/** One row per model: final loss, how it stopped, its gap to the network. Divergence is said here. */
function ModelTable({ snapshot }: { snapshot: TrainingSnapshot }) {
  const summary = snapshot.summary;
  const gap: Record<TrainedModel, number | null | undefined> = {
    network: null,
    ntk: summary?.gapNtk,
    block: summary?.gapBlock,
  };
  return (
    <table className="training-models" data-testid="training-models">
      <caption className="visually-hidden">The trained models</caption>
      <thead>
        <tr>
          <th scope="col">model</th>
          <th scope="col">loss</th>
          <th scope="col">stopped</th>
          <th scope="col">gap to network</th>
        </tr>
      </thead>
      <tbody>
        {snapshot.runs.map((run) => {
          const m = modelSummary(snapshot, run.model);
          return (
            <tr
              key={run.model}
              data-testid="training-model"
              data-model={run.model}
              data-stopped={summary ? run.stopped : 'running'}
              className={run.stopped === 'diverged' ? 'diverged' : undefined}
            >
              <th scope="row">
                <span
                  className="swatch"
                  aria-hidden="true"
                  style={{ borderColor: MODEL_STYLE[run.model].colour }}
                />
                {MODEL_STYLE[run.model].name}
              </th>
              <td>{formatNumber(m.loss)}</td>
              <td>{m.status || '…'}</td>
              <td>{run.model === 'network' ? '' : formatNumber(gap[run.model])}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** What the current job is doing, with Pause / Resume / Cancel and the three run buttons. */
function JobBar({ store }: { store: TrainingStore }) {
  const job = useStore(store, (s) => s.job);
  const engine = useStore(store, (s) => s.engine);
  const engineNote = useStore(store, (s) => s.engineNote);
  const failure = useStore(store, (s) => s.workerFailure);
  const settings = useStore(store, (s) => s.settings);
  const active = job?.state === 'running' || job?.state === 'paused';
  const elapsed = useJobElapsed(job?.state === 'running', job?.id);
  const state = store.getState();
  const linear = settings.activation === 'identity';
  return (
    <div className="training-bar">
      {active && job ? (
        <span className="progress-bar" data-testid="training-progress">
          <progress max={1} value={job.fraction} aria-label={`${JOB_LABEL[job.kind]} progress`} />
          <span>
            {JOB_LABEL[job.kind]} {Math.round(job.fraction * 100)}% — {job.stage}
            {job.state === 'paused' ? ' (paused)' : ''}
          </span>
          {elapsed !== null && job.state === 'running' && (
            <span className="muted">{timeLeft(elapsed, job.fraction)}</span>
          )}
          {job.state === 'running' ? (
            <button type="button" data-testid="training-pause" onClick={() => state.pause()}>
              Pause
            </button>
          ) : (
            <button type="button" data-testid="training-resume" onClick={() => state.resume()}>
              Resume
            </button>
          )}
          <button type="button" data-testid="training-cancel" onClick={() => state.cancel()}>
            Cancel
          </button>
        </span>
      ) : null}
      <span className="button-group">
        <button type="button" data-testid="training-run" onClick={() => state.run('train')}>
          {active && job?.kind === 'train' ? 'Restart' : 'Run'}
        </button>
        <button
          type="button"
          data-testid="training-sweep"
          title={`m = ${SWEEP_WIDTHS.join(', ')}, ${SWEEP_SEEDS} seeds each, these other settings`}
          onClick={() => state.run('sweep')}
        >
          Width sweep
        </button>
        <button
          type="button"
          data-testid="training-contrast"
          title="tanh inside the blocks: the network with B = 1 against B = 2"
          onClick={() => state.run('contrast')}
        >
          tanh contrast
        </button>
      </span>
      <span
        className="muted training-engine"
        data-testid="training-engine"
        title={engineNote ? `CPU trainer: ${engineNote}` : undefined}
      >
        {failure
          ? `training worker stopped: ${failure}`
          : engine
            ? `${engine.kind === 'webgpu' ? `WebGPU · ${engine.adapter}` : engine.adapter} · ${engine.precision}${engineNote ? ` (${engineNote})` : ''}`
            : !linear
              ? 'σ = tanh: only the network trains'
              : ''}
      </span>
    </div>
  );
}

function StatusText({ store }: { store: TrainingStore }) {
  const job = useStore(store, (s) => s.job);
  const train = useStore(store, (s) => s.train);
  if (!job) return <span>Not run yet.</span>;
  if (job.state === 'error')
    return (
      <span className="error-text">
        {JOB_LABEL[job.kind]} failed: {job.message}
      </span>
    );
  if (job.state === 'cancelled') return <span>{JOB_LABEL[job.kind]} cancelled.</span>;
  if (job.state === 'paused') return <span>{JOB_LABEL[job.kind]} paused.</span>;
  if (job.state === 'running') return <span>{JOB_LABEL[job.kind]} running…</span>;
  if (job.kind !== 'train' || !train?.summary)
    return (
      <span>
        {JOB_LABEL[job.kind]} done in {((job.ms ?? 0) / 1000).toFixed(1)} s.
      </span>
    );
  const s = train.summary;
  return (
    <span>
      Done in {((job.ms ?? 0) / 1000).toFixed(1)} s: kernel change {formatNumber(s.kernelChange)}
      {s.gapNtk !== null ? `, gap to NTK model ${formatNumber(s.gapNtk)}` : ''}
      {s.gapBlock !== null ? `, gap to block model ${formatNumber(s.gapBlock)}` : ''}; η₀ ={' '}
      {formatNumber(train.eta0)}.
    </span>
  );
}

/** A plain sentence for each diverged model, with the step rule that follows the kernel. */
function Divergence({ store }: { store: TrainingStore }) {
  const train = useStore(store, (s) => s.train);
  const rule = useStore(store, (s) => s.settings.stepRule);
  const optimiser = useStore(store, (s) => s.settings.optimiser);
  const diverged = train?.runs.filter((r) => r.stopped === 'diverged') ?? [];
  if (!train || diverged.length === 0) return null;
  return (
    <div className="banner warn training-diverged" role="alert" data-testid="training-diverged">
      <div className="banner-body">
        <strong>
          {diverged
            .map((r) => `${MODEL_STYLE[r.model].name} diverged at ${stepUnit(train)} ${r.steps}`)
            .join('; ')}
          .
        </strong>{' '}
        <Tex text={TRAINING_NOTES.follow} />{' '}
        {optimiser === 'gd' && rule === 'fixed' && (
          <button
            type="button"
            data-testid="training-follow"
            onClick={() => store.getState().update({ stepRule: 'follow' })}
          >
            Use the step that follows the kernel
          </button>
        )}
      </div>
    </div>
  );
}

function UrlProblems({ store }: { store: TrainingStore }) {
  const problems = useStore(store, (s) => s.problems);
  if (problems.length === 0) return null;
  return (
    <UrlProblemsBanner problems={problems} onDismiss={() => store.getState().dismissProblems()} />
  );
}

function SweepSection({ store }: { store: TrainingStore }) {
  const sweep = useStore(store, (s) => s.sweep);
  const job = useStore(store, (s) => s.job);
  if (!sweep && job?.kind !== 'sweep') return null;
  const slopes = sweep?.slopes ?? null;
  const diverged = sweepDivergedNotes(sweep?.rows ?? []);
  return (
    <section className="analysis" data-testid="training-sweep-section" aria-label="Width sweep">
      <div className="analysis-head">
        <h2>Width sweep</h2>
        <span className="muted">
          m = {SWEEP_WIDTHS.join(', ')}; {SWEEP_SEEDS} seeds each; {sweep?.rows.length ?? 0} of{' '}
          {SWEEP_WIDTHS.length * SWEEP_SEEDS} runs
        </span>
      </div>
      <Tex className="math-note" block text={TRAINING_NOTES.sweep} />
      <PlotCanvas
        label="width sweep: kernel change and gaps against m"
        testId="training-sweep-canvas"
        className="sweep-canvas training-sweep-canvas"
        deps={[sweep]}
        draw={(c) => drawTrainingSweep(c, sweep)}
      />
      {diverged.length > 0 && (
        <p className="muted" data-testid="training-sweep-diverged">
          Diverged runs are left out of the medians and slopes: {diverged.join('; ')}.
        </p>
      )}
      {slopes && (
        <p
          className="muted"
          data-testid="training-sweep-slopes"
          data-slope-kernel={String(slopes.kernelChange)}
          data-slope-ntk={String(slopes.gapNtk)}
          data-slope-block={String(slopes.gapBlock)}
        >
          Slopes against m: kernel change {formatSlope(slopes.kernelChange)}, gap to NTK model{' '}
          {formatSlope(slopes.gapNtk)}, gap to block model {formatSlope(slopes.gapBlock)}.
        </p>
      )}
    </section>
  );
}

function ContrastLine({ store }: { store: TrainingStore }) {
  const contrast = useStore(store, (s) => s.contrast);
  if (!contrast) return null;
  const parts = contrast.runs.map((r) => {
    const change = r.snapshot?.summary?.kernelChange;
    const last = r.snapshot?.runs[0]?.checkpoints.at(-1)?.kernelChange;
    return `B = ${r.blocks}: ${formatNumber(change ?? last ?? null)}${change === undefined ? ' (so far)' : ''}`;
  });
  return (
    <p className="muted" data-testid="training-contrast-result">
      tanh contrast, kernel change at the end (m = {contrast.settings.width}): {parts.join('; ')}.
    </p>
  );
}

export function TrainingView({
  store,
  tabs,
}: {
  store: TrainingStore;
  tabs: { figureHref: string; trainingHref: string; onSwitch(view: PageView): void };
}) {
  const train = useStore(store, (s) => s.train);
  const contrast = useStore(store, (s) => s.contrast);
  const job = useStore(store, (s) => s.job);
  const settings = useStore(store, (s) => s.settings);
  const finished = train?.summary !== undefined;
  const models = (train ? train.runs.map((r) => r.model) : trainedModels(settings)).join(',');
  const finalLoss: Record<string, string> = {};
  if (train?.summary) {
    for (const [model, loss] of Object.entries(train.summary.loss))
      finalLoss[`data-final-loss-${model}`] = String(loss);
  }
  const total = totalSteps(train);
  const trainState = job?.state ?? 'idle';
  return (
    <div className="app">
      <header className="topbar">
        <h1>
          Bottleneck networks → multilinear{' '}
          <span className="subtitle">training the network and its two models</span>
        </h1>
        <div className="topbar-actions">
          <PageTabs view="train" {...tabs} />
        </div>
      </header>
      <div
        className="training-layout"
        data-testid="training-view"
        data-state={trainState}
        data-job={job?.kind ?? ''}
        data-models={models}
        data-ready={job?.state === 'done' ? 'true' : undefined}
        {...finalLoss}
      >
        <aside className="sidebar training-side">
          <TrainingControls store={store} />
        </aside>
        <main className="training-main">
          <UrlProblems store={store} />
          <JobBar store={store} />
          <p className="training-status" data-testid="status" role="status" aria-live="polite">
            <StatusText store={store} />
          </p>
          <Divergence store={store} />
          <div className="training-grid">
            <Figure note={TRAINING_NOTES.loss}>
              <PlotCanvas
                label={`training loss against the ${stepUnit(train)}: ${models.replaceAll(',', ', ')}`}
                testId="training-loss"
                deps={[train, finished]}
                draw={(c) => drawLoss(c, train, finished)}
              />
            </Figure>
            <Figure note={TRAINING_NOTES.kernel}>
              <PlotCanvas
                label="kernel change of the network against the step"
                testId="training-kernel"
                deps={[train, contrast]}
                draw={(c) => drawKernelChange(c, train, contrast)}
              />
            </Figure>
            <Figure note={TRAINING_NOTES.distances}>
              <PlotCanvas
                label="distance of each block from its initial weights, with R = 1"
                testId="training-distances"
                deps={[train, finished]}
                draw={(c) => drawDistances(c, train, finished)}
              />
            </Figure>
            <Figure note={TRAINING_NOTES.predictions}>
              <PlotCanvas
                label="held-out predictions against targets"
                testId="training-predictions"
                deps={[train]}
                draw={(c) => drawPredictions(c, train)}
              />
            </Figure>
          </div>
          {train && (
            <div className="training-after">
              <ModelTable snapshot={train} />
              <p className="muted">
                {train.engine.precision}, {total} {stepUnit(train)}s planned; λ_max(K₀/n) ={' '}
                {formatNumber(train.lambdaMax0)}, η₀ = {formatNumber(train.eta0)}.
              </p>
            </div>
          )}
          <ContrastLine store={store} />
          <section className="training-notes" aria-label="What the plots show">
            <Tex className="math-note" block text={TRAINING_NOTES.intro} />
            <Tex className="math-note" block text={`Loss. ${TRAINING_NOTES.loss}`} />
            <Tex className="math-note" block text={`Kernel. ${TRAINING_NOTES.kernel}`} />
            <Tex className="math-note" block text={`Distances. ${TRAINING_NOTES.distances}`} />
            <Tex className="math-note" block text={`Predictions. ${TRAINING_NOTES.predictions}`} />
          </section>
          <SweepSection store={store} />
        </main>
      </div>
    </div>
  );
}
