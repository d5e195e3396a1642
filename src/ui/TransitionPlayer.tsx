// Watch the transition (docs/live.md): play grows every block's width from 16 up a log ladder to
// what the engine affords at interactive speed and back, with one seed (the networks are nested:
// the curves glide), until stopped; a second click stops where it is. Beside it, a trace of the
// non-multilinear part, |c_B| and |c_{B+1}| against m next to Theorem 2's 1/√m, a speed control,
// and a WebM recording of the figure for slides. The degree table and readouts follow each frame.

import { type RefObject, useEffect, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { AppStore } from '../state/store';
import { download } from './exports';
import { drawTransitionTrace, TRACE_SERIES } from './plot/drawTransitionTrace';
import { cancelDraw, queueDraw } from './plot/frameQueue';
import { canRecord, type FigureRecording, recordFigure } from './recordFigure';

const SPEEDS = [0.25, 0.5, 1, 2, 4] as const;

export function TransitionPlayer({
  store,
  figureRef,
}: {
  store: AppStore;
  figureRef: RefObject<HTMLDivElement | null>;
}) {
  const transition = useStore(store, (s) => s.transition);
  const width = useStore(store, (s) => Math.min(...(s.shownSettings?.widths ?? s.settings.widths)));
  const blocks = useStore(store, (s) => s.settings.blocks);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const recording = useRef<FigureRecording | null>(null);
  const [recordingOn, setRecordingOn] = useState(false);
  const [recordError, setRecordError] = useState<string | null>(null);
  const { playing, trace, widths } = transition;
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || trace.length === 0) return;
    queueDraw(canvas, () => drawTransitionTrace(canvas, widths, trace));
    return () => cancelDraw(canvas);
  }, [trace, widths]);
  // A recording ends with the play.
  useEffect(() => {
    if (!playing && recording.current) void stopRecording();
  });
  const stopRecording = async () => {
    const r = recording.current;
    recording.current = null;
    setRecordingOn(false);
    const blob = await r?.stop();
    if (blob) download('bottleneck-transition.webm', blob);
  };
  const toggleRecording = () => {
    if (recording.current) return void stopRecording();
    const root = figureRef.current;
    if (!root) return;
    try {
      recording.current = recordFigure(root);
      setRecordingOn(true);
      setRecordError(null);
      if (!store.getState().transition.playing) store.getState().toggleTransition();
    } catch (error) {
      setRecordError(error instanceof Error ? error.message : String(error));
    }
  };
  return (
    <section className="transition" data-testid="transition" aria-label="Watch the transition">
      <div className="transition-controls">
        <button
          type="button"
          data-testid="animate-width"
          aria-pressed={playing}
          onClick={() => store.getState().toggleTransition()}
        >
          {playing ? '■ Stop' : '▶ Watch m grow'}
        </button>
        <label className="transition-speed">
          speed{' '}
          <select
            data-testid="animate-speed"
            value={transition.speed}
            onChange={(e) => store.getState().setTransitionSpeed(Number(e.target.value))}
          >
            {SPEEDS.map((v) => (
              <option key={v} value={v}>
                {v}×
              </option>
            ))}
          </select>
        </label>
        {canRecord() && (
          <button
            type="button"
            data-testid="record-transition"
            aria-pressed={recordingOn}
            onClick={toggleRecording}
          >
            {recordingOn ? '● Stop recording' : 'Record WebM'}
          </button>
        )}
        <span className="muted" data-testid="animate-status" aria-live="off">
          {playing
            ? `m = ${width}: ${transition.widths[0]} … ${transition.widths.at(-1)} and back, one seed (nested networks)${transition.steps ? ', in steps (reduced motion)' : ''}`
            : trace.length
              ? `stopped at m = ${width}; ${trace.length} widths traced`
              : 'Plays every block’s width m from 16 up to what this engine draws at interactive speed, one seed throughout (W) — the curves glide to their limit.'}
        </span>
        {recordError && <span role="alert">{recordError}</span>}
      </div>
      {trace.length > 0 && (
        <div className="transition-trace">
          <canvas
            ref={canvasRef}
            className="sweep-canvas"
            style={{ width: 420, maxWidth: '100%', height: 210 }}
            role="img"
            aria-label="the transition's trace: non-multilinear part, |c_B| and |c_B+1| against m"
          />
          <ul className="muted transition-legend" data-testid="transition-legend">
            {TRACE_SERIES.map((s) => (
              <li key={s.key}>
                <span
                  className="swatch"
                  style={{
                    background:
                      s.dash.length === 0
                        ? s.colour
                        : `repeating-linear-gradient(90deg, ${s.colour} 0 ${s.dash[0]}px, transparent ${s.dash[0]}px ${s.dash[0] + s.dash[1]}px)`,
                  }}
                />{' '}
                {s.key === 'cB' ? `|c_${blocks}|` : s.key === 'cB1' ? `|c_${blocks + 1}|` : s.label}
              </li>
            ))}
            <li>
              <span className="swatch dashed" /> 1/√m (Theorem 2)
            </li>
            <li data-testid="transition-points" data-count={trace.length}>
              widest so far: m = {trace.at(-1)?.width}
            </li>
          </ul>
        </div>
      )}
    </section>
  );
}
