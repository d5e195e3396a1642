// The list of keyboard shortcuts (key ?), read from the same table the key handler uses.
// A modal <dialog>: the page behind it is inert, focus starts on Close and returns where it was;
// Esc, ?, Close or a click outside the box closes it.

import { useEffect, useRef } from 'react';
import { keyLabel, SHORTCUTS } from './shortcuts';

export function ShortcutHelp({ onClose }: { onClose(): void }) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    const previous = document.activeElement as HTMLElement | null;
    if (!dialog.open) dialog.showModal();
    closeRef.current?.focus();
    return () => {
      if (dialog.open) dialog.close();
      // Back to where the reader was, if it is still on the page.
      if (previous?.isConnected) previous.focus({ preventScroll: true });
    };
  }, []);
  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is on the backdrop; Esc is its key
    <dialog
      ref={dialogRef}
      className="shortcut-help"
      data-testid="shortcut-help"
      aria-modal="true"
      aria-labelledby="shortcut-help-title"
      // Esc on the dialog itself: the key handler closes it too; closing twice is harmless.
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
      // A click on the backdrop lands on the dialog element itself, not on its content.
      onClick={(e) => {
        if (e.target === e.currentTarget) onClose();
      }}
    >
      <div className="shortcut-help-body">
        <h2 id="shortcut-help-title">Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.keys.join(' ')} data-testid="shortcut" data-keys={s.keys.join(' ')}>
                <th scope="row">
                  {s.keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && ' / '}
                      <kbd>{keyLabel(k)}</kbd>
                    </span>
                  ))}
                </th>
                <td>{s.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          Keys do nothing while you type in a field, or with Ctrl, Alt or ⌘ held.
        </p>
        <button type="button" ref={closeRef} data-testid="shortcut-help-close" onClick={onClose}>
          Close
        </button>
      </div>
    </dialog>
  );
}
