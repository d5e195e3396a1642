// Small form controls that say their range and never apply an invalid value.

import { type ReactNode, useEffect, useId, useState } from 'react';

interface NumberFieldProps {
  label: string;
  value: number;
  min: number;
  max: number;
  integer?: boolean;
  step?: number;
  /** Called with a valid value on Enter or blur. */
  onCommit: (value: number) => void;
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
  testId,
  hint,
}: NumberFieldProps) {
  const id = useId();
  const [draft, setDraft] = useState(String(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setDraft(String(value));
    setError(null);
  }, [value]);
  const commit = () => {
    const v = Number(draft);
    if (
      draft.trim() === '' ||
      !Number.isFinite(v) ||
      (integer && !Number.isInteger(v)) ||
      v < min ||
      v > max
    ) {
      setError(`${label}: ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
      return;
    }
    setError(null);
    if (v !== value) onCommit(v);
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
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
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
  onCommit: (value: number) => void;
  testId?: string;
}

const toSlider = (m: number) => Math.log10(m);

/** A log-scale slider for a hidden width, with a number box beside it. */
export function WidthField({ label, value, min, max, onCommit, testId }: WidthFieldProps) {
  const id = useId();
  const [slider, setSlider] = useState(toSlider(value));
  useEffect(() => setSlider(toSlider(value)), [value]);
  const shown = Math.round(10 ** slider);
  const commitSlider = () => {
    const m = Math.min(max, Math.max(min, Math.round(10 ** slider)));
    if (m !== value) onCommit(m);
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
          min={toSlider(min)}
          max={toSlider(max)}
          step={0.01}
          value={slider}
          aria-valuetext={String(shown)}
          onChange={(e) => setSlider(Number(e.target.value))}
          onPointerUp={commitSlider}
          onKeyUp={commitSlider}
        />
        <NumberField
          label={`${label}, exact value`}
          value={value}
          min={min}
          max={max}
          onCommit={onCommit}
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
