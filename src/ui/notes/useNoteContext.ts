// The note context of the current settings, for the analyses' notes (panels build their own).
import { useStore } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import { isLinearFigure } from '../../experiments/settings';
import type { AppStore } from '../../state/store';
import type { NoteContext } from './notes';

export function useNoteContext(store: AppStore): NoteContext {
  return useStore(
    store,
    useShallow((s) => ({
      blocks: s.settings.blocks,
      family: s.settings.family,
      linear: isLinearFigure(s.settings),
      deviation: s.settings.deviation,
      activation: s.settings.activation,
      placement: s.settings.placement,
      layers: s.settings.layers,
    })),
  );
}
