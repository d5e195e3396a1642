// Lemma 1(b): mixed second derivatives per pair of layers, small within blocks, Ω(1) across.
import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import type { AppStore } from '../state/store';
import { AnalysisSection } from './AnalysisSection';
import { exportBlocks, exportCanvasesPng } from './exports';
import { note } from './notes/notes';
import { useNoteContext } from './notes/useNoteContext';
import { drawHeatmap } from './plot/drawHeatmap';
import { cancelDraw, queueDraw } from './plot/frameQueue';

export function BlockStructureView({ store }: { store: AppStore }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const blocks = useStore(store, (s) => s.analyses.blocks);
  const result = blocks && !blocks.running ? blocks.result : null;
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !result) return;
    queueDraw(canvas, () => drawHeatmap(canvas, result));
    return () => cancelDraw(canvas);
  }, [result]);
  const fmt = (v: number) => v.toExponential(1);
  const noteContext = useNoteContext(store);
  return (
    <AnalysisSection
      store={store}
      kind="blocks"
      title="Block structure (Lemma 1b)"
      button="Mixed derivatives ∂²g/∂t_ℓ∂t_ℓ′"
      about="One variable per layer; |∂²g/∂t_ℓ∂t_ℓ′| at t = 0, median over the directions. Within a block it vanishes as m grows; across a bottleneck (orange lines) some pairs stay Ω(1) along directions that move g by O(1) (aligned, tilted, gradient), while Gaussian and chained directions make every pair small (see the note). At most 12 layers."
      note={note('analysis-blocks', noteContext)}
      summary={
        result
          ? `largest within blocks ${fmt(result.withinBlocks)}, largest across bottlenecks ${fmt(result.acrossBlocks)} (${result.precision})`
          : null
      }
    >
      <canvas
        ref={canvasRef}
        className="heatmap-canvas"
        role="img"
        aria-label="mixed second derivatives by pair of layers"
      />
      {result && (
        <div className="exports" data-testid="blocks-exports" style={{ marginTop: 6 }}>
          <button
            type="button"
            data-testid="blocks-export-png"
            onClick={() => {
              const canvas = canvasRef.current;
              if (!canvas) return;
              exportCanvasesPng(
                store.getState(),
                [canvas],
                (dpr) => drawHeatmap(canvas, result, dpr),
                'Block structure (Lemma 1b)',
                'bottleneck-blocks.png',
              );
            }}
          >
            PNG
          </button>{' '}
          <button
            type="button"
            data-testid="blocks-export-csv"
            onClick={() => exportBlocks(store.getState(), 'csv')}
          >
            CSV
          </button>{' '}
          <button
            type="button"
            data-testid="blocks-export-json"
            onClick={() => exportBlocks(store.getState(), 'json')}
          >
            JSON
          </button>
        </div>
      )}
    </AnalysisSection>
  );
}
