// Keyboard shortcuts: one table, read both by the key handler and by the help dialog
// (ShortcutHelp), so the list the reader sees can never drift from what the keys do.

import { Y_AXES } from '../experiments/settings';
import type { AppStore } from '../state/store';
import { getTrainingStore } from '../state/trainingStore';
import { stepSlide } from './Presentation';

/** What a shortcut may act on: the store, and whether the shortcut help is open. */
export interface ShortcutContext {
  store: AppStore;
  helpOpen: boolean;
  setHelpOpen(open: boolean): void;
}

export interface Shortcut {
  /** `KeyboardEvent.key` values; letters match in either case. */
  keys: readonly string[];
  description: string;
  /** Whether the key acts now; when it does not, the event is left alone (← → scroll). */
  enabled?(ctx: ShortcutContext): boolean;
  /** Also acts while the shortcut help is open (every other shortcut waits until it closes). */
  inHelp?: boolean;
  action(ctx: ShortcutContext): void;
}

const presenting = (ctx: ShortcutContext) => ctx.store.getState().settings.present;

/** Whether the training page is shown and its job runs or waits paused (Esc cancels it). */
const trainingBusy = (): boolean => {
  const { view, job } = getTrainingStore().getState();
  return view === 'train' && (job?.state === 'running' || job?.state === 'paused');
};

export const SHORTCUTS: readonly Shortcut[] = [
  {
    keys: ['p'],
    description: 'Presentation mode on/off: the presets as slides, settings hidden',
    action: ({ store }) => {
      const { settings, update } = store.getState();
      update({ present: !settings.present });
    },
  },
  {
    // PageDown / PageUp: what presentation clickers send.
    keys: ['ArrowRight', 'PageDown'],
    description: 'Next slide (presentation mode)',
    enabled: presenting,
    action: ({ store }) => stepSlide(store, 1),
  },
  {
    keys: ['ArrowLeft', 'PageUp'],
    description: 'Previous slide (presentation mode)',
    enabled: presenting,
    action: ({ store }) => stepSlide(store, -1),
  },
  {
    // Precedence: the open list first, then a running computation, then presentation mode.
    keys: ['Escape'],
    description:
      'Close this list; otherwise cancel a running computation or training; otherwise leave presentation mode',
    enabled: (ctx) =>
      ctx.helpOpen || trainingBusy() || ctx.store.getState().busy() || presenting(ctx),
    inHelp: true,
    action: (ctx) => {
      if (ctx.helpOpen) ctx.setHelpOpen(false);
      else if (trainingBusy()) getTrainingStore().getState().cancel();
      else if (!ctx.store.getState().cancel()) ctx.store.getState().update({ present: false });
    },
  },
  {
    keys: ['?'],
    description: 'Show or hide this list of shortcuts',
    inHelp: true,
    action: (ctx) => ctx.setHelpOpen(!ctx.helpOpen),
  },
  {
    keys: ['w'],
    description: 'Watch the transition: play or stop every block’s width growing (one seed)',
    action: ({ store }) => store.getState().toggleTransition(),
  },
  {
    keys: ['d'],
    description: 'Deviation view on/off: g minus its best polynomial of the predicted degree',
    action: ({ store }) => {
      const { settings, update } = store.getState();
      update({ deviation: !settings.deviation });
    },
  },
  {
    keys: ['y'],
    description: 'Next y-axis mode: fitted to each panel → shared by all panels → spanning R',
    action: ({ store }) => {
      const { settings, update } = store.getState();
      update({ yAxis: Y_AXES[(Y_AXES.indexOf(settings.yAxis) + 1) % Y_AXES.length] });
    },
  },
];

const KEY_LABELS: Record<string, string> = {
  ArrowRight: '→',
  ArrowLeft: '←',
  Escape: 'Esc',
  PageDown: 'Page Down',
  PageUp: 'Page Up',
};

/** How the help dialog writes a key. */
export function keyLabel(key: string): string {
  return KEY_LABELS[key] ?? key.toUpperCase();
}

/** Key events that are not shortcuts: typing in a field, or a chord with Ctrl, ⌘ or Alt. */
function ignored(event: KeyboardEvent): boolean {
  if (event.defaultPrevented || event.isComposing || event.repeat) return true;
  // AltGr (Ctrl+Alt on Windows) types '?' on some layouts: that is a plain key.
  const altGraph = event.getModifierState?.('AltGraph') ?? false;
  if (event.metaKey || ((event.ctrlKey || event.altKey) && !altGraph)) return true;
  const target = event.target as HTMLElement | null;
  if (!target || typeof target.closest !== 'function') return false;
  // A focused panel's arrow keys move its readout (PanelView), not the slides.
  if (event.key.startsWith('Arrow') && target.closest('[data-arrow-keys]') !== null) return true;
  return target.isContentEditable || target.closest('input, select, textarea') !== null;
}

/** The shortcut this key event triggers now, if any. */
export function shortcutFor(event: KeyboardEvent, ctx: ShortcutContext): Shortcut | null {
  if (ignored(event)) return null;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const shortcut = SHORTCUTS.find((s) => s.keys.includes(key));
  if (!shortcut) return null;
  if (ctx.helpOpen && !shortcut.inHelp) return null;
  if (shortcut.enabled && !shortcut.enabled(ctx)) return null;
  return shortcut;
}

/**
 * Listens for the shortcuts on `target` (the window); `context` is read at each key press.
 * Returns the function that stops listening.
 */
export function installShortcuts(
  context: () => ShortcutContext,
  target: Pick<Window, 'addEventListener' | 'removeEventListener'> = window,
): () => void {
  const onKey = (event: KeyboardEvent) => {
    const ctx = context();
    const shortcut = shortcutFor(event, ctx);
    if (!shortcut) return;
    event.preventDefault();
    shortcut.action(ctx);
  };
  target.addEventListener('keydown', onKey);
  return () => target.removeEventListener('keydown', onKey);
}
