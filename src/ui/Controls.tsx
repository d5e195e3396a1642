// The settings sidebar. Every control says its range; every change goes through the store (and so
// into the URL, and into a new computation unless it is a view setting).

import { useStore } from 'zustand';
import {
  CONTRASTS,
  type FigureSettings,
  isLinearFigure,
  MAX_PANEL_DIRECTIONS,
  RADIUS,
  UI_WIDTH,
  withBlocks,
  Y_AXES,
} from '../experiments/settings';
import { DIRECTION_FAMILIES, NORMALISATIONS } from '../model/directions';
import { ACTIVATIONS, LIMITS, PLACEMENTS } from '../model/spec';
import type { AppStore } from '../state/store';
import { NumberField, Section, SeedField, SelectField, WidthField } from './fields';

const PLACEMENT_LABELS = {
  none: 'nowhere',
  all: 'every hidden layer (bottleneck too)',
  'inside-blocks': 'inside blocks, linear bottleneck',
  'first-block': 'inside block 1 only',
} as const;

const FAMILY_LABELS = {
  gaussian: 'gaussian (literal random)',
  aligned: 'aligned with features',
  tilted: 'aligned + random tilt',
  gradient: 'gradient ∇g',
  // Neutral: whether chained directions reach Theorem 2's rate depends on L_b (docs/claims.md).
  chained: 'chained ξ_ℓ ⊗ ξ_ℓ₋₁',
} as const;

export function Controls({ store }: { store: AppStore }) {
  const s = useStore(store, (state) => state.settings);
  const { update, newDirections, newNetwork, liveChange, commitChange } = store.getState();
  const shownWidths = useStore(store, (state) => state.shownSettings?.widths ?? null);
  const sameWidth = s.widths.every((w) => w === s.widths[0]);
  const linear = isLinearFigure(s);
  /**
   * A number setting that follows the hand (docs/live.md): `next` makes the settings for a value;
   * live frames while it moves, the whole figure on release.
   */
  const follow = (next: (v: number) => FigureSettings) => ({
    onLive: (v: number) => liveChange(next(v)),
    onCommit: (v: number) => commitChange(next(v)),
  });
  const patched = (patch: Partial<FigureSettings>): FigureSettings => {
    const next = { ...s, ...patch };
    if (next.outputIndex >= next.outputSize) next.outputIndex = next.outputSize - 1;
    return next;
  };

  return (
    <aside className="controls" aria-label="Settings">
      <Section title="Network">
        <NumberField
          label="Blocks B"
          testId="blocks"
          value={s.blocks}
          min={LIMITS.minBlocks}
          max={LIMITS.maxBlocks}
          {...follow((v) => withBlocks(s, v))}
          hint="B − 1 bottlenecks; the theorem predicts degree B"
        />
        {sameWidth ? (
          <WidthField
            label="Hidden width m (all blocks)"
            testId="width"
            value={s.widths[0]}
            min={UI_WIDTH.min}
            max={UI_WIDTH.max}
            shown={shownWidths?.[0]}
            {...follow((m) => patched({ widths: s.widths.map(() => m) }))}
          />
        ) : null}
        {s.layers.map((layers, b) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: blocks are identified by position
          <div className="block-row" key={b}>
            <NumberField
              label={`L_${b + 1} layers`}
              testId={`layers-${b + 1}`}
              value={layers}
              min={LIMITS.minLayersPerBlock}
              max={LIMITS.maxLayersPerBlock}
              {...follow((v) => patched({ layers: s.layers.map((l, i) => (i === b ? v : l)) }))}
            />
            {!sameWidth || s.blocks > 1 ? (
              <NumberField
                label={`m_${b + 1} width`}
                testId={`width-${b + 1}`}
                value={s.widths[b]}
                min={UI_WIDTH.min}
                max={UI_WIDTH.max}
                {...follow((v) => patched({ widths: s.widths.map((w, i) => (i === b ? v : w)) }))}
              />
            ) : null}
          </div>
        ))}
        {s.bottlenecks.map((r, i) => (
          <NumberField
            // biome-ignore lint/suspicious/noArrayIndexKey: bottlenecks are identified by position
            key={i}
            label={`Bottleneck ${i + 1} width r`}
            testId={`bottleneck-${i + 1}`}
            value={r}
            min={1}
            max={LIMITS.maxNarrowSize}
            {...follow((v) =>
              patched({ bottlenecks: s.bottlenecks.map((x, j) => (j === i ? v : x)) }),
            )}
          />
        ))}
        <div className="block-row">
          <NumberField
            label="Input size d"
            testId="input-size"
            value={s.inputSize}
            min={1}
            max={LIMITS.maxNarrowSize}
            {...follow((v) => patched({ inputSize: v }))}
          />
          <NumberField
            label="Outputs k"
            testId="output-size"
            value={s.outputSize}
            min={1}
            max={LIMITS.maxNarrowSize}
            {...follow((v) => patched({ outputSize: v }))}
          />
        </div>
        <NumberField
          label="Plotted output o"
          testId="output-index"
          value={s.outputIndex}
          min={0}
          max={s.outputSize - 1}
          {...follow((v) => patched({ outputIndex: v }))}
        />
        <SelectField
          label="Activation σ"
          testId="activation"
          value={s.activation}
          options={ACTIVATIONS}
          onChange={(v) =>
            update({
              activation: v,
              placement: v === 'identity' ? 'none' : s.placement === 'none' ? 'all' : s.placement,
            })
          }
        />
        <SelectField
          label="σ applies"
          testId="placement"
          value={s.placement}
          options={PLACEMENTS}
          labels={PLACEMENT_LABELS}
          disabled={s.activation === 'identity'}
          onChange={(v) => update({ placement: v })}
        />
        <SelectField
          label="Extra panel: same network with σ everywhere"
          testId="contrast"
          value={s.contrast}
          options={CONTRASTS}
          labels={{ none: 'none', tanh: 'tanh (Figure 1a)', relu: 'ReLU' }}
          disabled={!linear}
          onChange={(v) => update({ contrast: v })}
        />
        <SeedField
          label="Network seed"
          value={s.seed}
          testId="seed"
          action="New network"
          actionTestId="new-network"
          onAction={newNetwork}
        />
      </Section>
      <Section title="Directions Δ">
        <SelectField
          label="Family"
          testId="family"
          value={s.family}
          options={DIRECTION_FAMILIES}
          labels={FAMILY_LABELS}
          onChange={(v) => update({ family: v })}
        />
        <SelectField
          label="Normalisation"
          testId="normalisation"
          value={s.normalisation}
          options={NORMALISATIONS}
          labels={{ 'per-layer': 'unit norm per layer (Def. 3 ball)', global: 'one global norm' }}
          onChange={(v) => update({ normalisation: v })}
        />
        <NumberField
          label="Directions per panel"
          testId="directions"
          value={s.directions}
          min={1}
          max={MAX_PANEL_DIRECTIONS}
          {...follow((v) => patched({ directions: v }))}
        />
        <NumberField
          label="Radius R (t ∈ [−R, R])"
          testId="radius"
          integer={false}
          value={s.radius}
          min={RADIUS.min}
          max={RADIUS.max}
          {...follow((v) => patched({ radius: v }))}
        />
        <SeedField
          label="Direction seed"
          value={s.directionSeed}
          testId="direction-seed"
          action="New directions"
          actionTestId="new-directions"
          onAction={newDirections}
        />
      </Section>
      <Section title="View (redraws, never recomputes)">
        <SelectField
          label="y axes"
          testId="y-axis"
          value={s.yAxis}
          options={Y_AXES}
          labels={{
            fit: 'fitted to each panel',
            shared: 'one axis for all panels',
            radius: 'spanning at least R (small motion looks small)',
          }}
          onChange={(v) => update({ yAxis: v })}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            data-testid="deviation-toggle"
            checked={s.deviation}
            onChange={(e) => update({ deviation: e.target.checked })}
          />
          Deviation view: g minus its best polynomial of the predicted degree
        </label>
        <button
          type="button"
          data-testid="enter-presentation"
          onClick={() => update({ present: true })}
        >
          Presentation mode (P)
        </button>
      </Section>
    </aside>
  );
}
