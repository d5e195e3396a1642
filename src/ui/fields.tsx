// Small form controls that say their range and never apply an invalid value. Sliders and number
// boxes are live (docs/live.md): while the hand moves a slider, or holds an arrow key on a number
// box, `onLive` gets each valid value as it comes; `onCommit` gets the value the gesture ends on
// (pointer or key released, Enter, blur). A single key press commits without going live.

import { type ReactNode, useEffect, useId, useRef, useState } from 'react';

const ARROWS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', 'PageUp', 'PageDown']);

interface NumberFieldProps {
  label: string;
  value: number;
  min: number;
  max: number;
  integer?: boolean;
  step?: number;
  /** Called with a valid value on Enter, blur, or the release of a held arrow key. */
  onCommit: (value: number) => void;
  /** Called with each valid value while an arrow key is held (auto-repeat). */
  onLive?: (value: number) => void;
  testId?: string;
  hint?: string;
}

/** A number input that shows its range and an error for values outside it, applying only valid ones. */
export function NumberField({
  label,
  value,
  min,
  max,
  integer = true,
  step,
  onCommit,
  onLive,
  testId,
  hint,
}: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  /** An arrow key is held down (auto-repeat seen): its changes are live until it is released. */
  const held = useRef(false);
  /** The value last sent live: the release commits it even if `value` has caught up. */
  const sentLive = useRef<number | null>(null);
  useEffect(() => {
    setDraft(String(value));
    setError(null);
  }, [value]);
  const valid = (text: string): number | null => {
    const v = Number(text);
    return text.trim() === '' ||
      !Number.isFinite(v) ||
      (integer && !Number.isInteger(v)) ||
      v < min ||
      v > max
      ? null
      : v;
  };
  const commit = (text = draft) => {
    const v = valid(text);
    if (v === null) {
      setError(`${label}: ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
      return;
    }
    setError(null);
    const wasLive = sentLive.current !== null;
    sentLive.current = null;
    if (v !== value || wasLive) onCommit(v);
  };
  return (
    <div className="field">
      <label htmlFor={id}>
        {label}{' '}
        <span className="range">
          {min}–{max}
        </span>
      </label>
      <input
        id={id}
        data-testid={testId}
        type="number"
        inputMode={integer ? 'numeric' : 'decimal'}
        min={min}
        max={max}
        step={step ?? (integer ? 1 : 'any')}
        value={draft}
        aria-invalid={error !== null}
        title={hint}
        onChange={(e) => {
          setDraft(e.target.value);
          const v = held.current ? valid(e.target.value) : null;
          if (v !== null && onLive) {
            sentLive.current = v;
            onLive(v);
          }
        }}
        onBlur={() => commit()}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          // The first press steps once and commits on release; auto-repeat goes live.
          if (e.key === 'ArrowUp' || e.key === 'ArrowDown') held.current = e.repeat;
        }}
        onKeyUp={(e) => {
          if (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') return;
          held.current = false;
          commit((e.target as HTMLInputElement).value);
        }}
      />
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

interface WidthFieldProps {
  label: string;
  value: number;
  min: number;
  max: number;
  /** The width of the figure on screen (aria-valuetext says it); `value` when omitted. */
  shown?: number;
  onCommit: (value: number) => void;
  /** Each width the slider passes while the hand moves it (pointer, touch, a held key). */
  onLive?: (value: number) => void;
  testId?: string;
}

const toSlider = (m: number) => Math.log10(m);

/**
 * A log-scale slider for a hidden width, with a number box beside it. While a pointer or a held
 * key moves it, each new width goes to `onLive`; its release commits the last one. aria-valuetext
 * is the width of the figure on screen, which lags the thumb while a frame computes.
 */
export function WidthField({
  label,
  value,
  min,
  max,
  shown,
  onCommit,
  onLive,
  testId,
}: WidthFieldProps) {
  const id = useId();
  const [slider, setSlider] = useState(toSlider(value));
  /** A gesture is on: the pointer is down on the slider, or a key auto-repeats. */
  const gesture = useRef(false);
  const lastLive = useRef<number | null>(null);
  useEffect(() => setSlider(toSlider(value)), [value]);
  const widthAt = (position: number) => Math.min(max, Math.max(min, Math.round(10 ** position)));
  const commitSlider = () => {
    const m = widthAt(slider);
    const wasLive = lastLive.current !== null;
    gesture.current = false;
    lastLive.current = null;
    if (m !== value || wasLive) onCommit(m);
  };
  return (
    <div className="field width-field">
      <label htmlFor={id}>
        {label}{' '}
        <span className="range">
          {min}–{max}, log scale
        </span>
      </label>
      <div className="width-row">
        <input
          id={id}
          type="range"
          data-testid={testId ? `${testId}-slider` : undefined}
          min={toSlider(min)}
          max={toSlider(max)}
          step={0.01}
          value={slider}
          aria-valuetext={String(shown ?? widthAt(slider))}
          onChange={(e) => {
            const position = Number(e.target.value);
            setSlider(position);
            const m = widthAt(position);
            if (gesture.current && onLive && m !== lastLive.current) {
              lastLive.current = m;
              onLive(m);
            }
          }}
          onPointerDown={() => {
            gesture.current = true;
          }}
          onPointerUp={commitSlider}
          onPointerCancel={commitSlider}
          onKeyDown={(e) => {
            // A single press commits on release; a held key (auto-repeat) is a gesture.
            if (ARROWS.has(e.key)) gesture.current = e.repeat;
          }}
          onKeyUp={(e) => {
            if (ARROWS.has(e.key) || e.key === 'Home' || e.key === 'End') commitSlider();
          }}
        />
        <NumberField
          label={`${label}, exact value`}
          value={value}
          min={min}
          max={max}
          onCommit={onCommit}
          onLive={onLive}
          testId={testId}
        />
      </div>
    </div>
  );
}

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: readonly T[];
  labels?: Partial<Record<T, string>>;
  onChange: (value: T) => void;
  disabled?: boolean;
  testId?: string;
}

export function SelectField<T extends string>({
  label,
  value,
  options,
  labels,
  onChange,
  disabled,
  testId,
}: SelectFieldProps<T>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        data-testid={testId}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.target.value as T)}
      >
        {options.map((o) => (
          <option key={o} value={o}>
            {labels?.[o] ?? o}
          </option>
        ))}
      </select>
    </div>
  );
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <fieldset className="section">
      <legend>{title}</legend>
      {children}
    </fieldset>
  );
}

interface SeedFieldProps {
  label: string;
  value: number;
  testId: string;
  action: string;
  actionTestId: string;
  onAction: () => void;
}

/** A seed shown as text, with the button that draws a new one. */
export function SeedField({
  label,
  value,
  testId,
  action,
  actionTestId,
  onAction,
}: SeedFieldProps) {
  return (
    <div className="field">
      <span className="label">
        {label}{' '}
        <span className="mono" data-testid={testId}>
          {value}
        </span>
      </span>
      <button type="button" data-testid={actionTestId} onClick={onAction}>
        {action}
      </button>
    </div>
  );
}
