// The width sweep: non-multilinear part against m on log–log axes, with the bound's slope.
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { AppStore } from '../state/store';
import { AnalysisSection } from './AnalysisSection';
import { drawSweep } from './plot/drawSweep';
import { cancelDraw, queueDraw } from './plot/frameQueue';

export function WidthSweep({ store }: { store: AppStore }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const sweep = useStore(store, (s) => s.analyses.sweep);
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !sweep) return;
    queueDraw(canvas, () =>
      drawSweep(canvas, sweep.result?.points ?? [], sweep.running ? null : sweep.result),
    );
    return () => cancelDraw(canvas);
  }, [sweep]);
  const result = sweep && !sweep.running ? sweep.result : null;
  return (
    <AnalysisSection
      store={store}
      kind="sweep"
      title="Width sweep"
      button="Sweep m = 16, 32, … (current settings)"
      about="How fast the part of p(t₁…t_B) that is not multilinear shrinks as every block widens. Theorem 2 bounds it by O(1/√m); along aligned directions it falls faster."
      summary={
        result
          ? `measured slope ${result.slope.toFixed(2)} (bound: −0.50) over m = ${result.points[0].width}…${result.points[result.points.length - 1].width}, ${result.precision}`
          : null
      }
    >
      <canvas ref={canvasRef} className="sweep-canvas" role="img" aria-label="width sweep" />
    </AnalysisSection>
  );
}
