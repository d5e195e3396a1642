// Every view is a URL: settings ⇄ the query string, with back/forward. The figure's settings by
// default; with `view=train` the training page's (trainingFromQuery), which the figure leaves alone.
import {
  FIGURE1,
  type FigureSettings,
  pageViewOf,
  settingsFromQuery,
  settingsToQuery,
} from '../experiments/settings';
import type { AppStore } from './store';

/** Whether the address is the training page's (the figure then neither reads nor writes it). */
export function onTrainingPage(): boolean {
  return pageViewOf(window.location.search) === 'train';
}

/** The figure's settings from the address; the training page's address gives Figure 1's defaults. */
export function readUrl() {
  if (onTrainingPage()) return { settings: structuredClone(FIGURE1), problems: [] };
  return settingsFromQuery(window.location.search);
}

export function writeUrl(settings: FigureSettings, mode: 'push' | 'replace'): void {
  // On the training page the address holds the training settings: the figure keeps its own.
  if (onTrainingPage()) return;
  const query = `?${settingsToQuery(settings)}`;
  if (query === window.location.search) return;
  if (mode === 'push') window.history.pushState(null, '', query);
  else window.history.replaceState(null, '', query);
}

/** Back/forward: reload the settings of the entry navigated to, without adding one. */
export function bindHistory(store: AppStore): () => void {
  const onPop = () => {
    // The training store follows entries of the training page (trainingStore.ts).
    if (onTrainingPage()) return;
    const { settings, problems } = readUrl();
    store.getState().setUrlProblems(problems);
    store.getState().setSettings(settings, { history: 'none' });
  };
  window.addEventListener('popstate', onPop);
  return () => window.removeEventListener('popstate', onPop);
}
