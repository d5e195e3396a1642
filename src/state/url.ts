// Every view is a URL: settings ⇄ the query string, with back/forward.
import { type FigureSettings, settingsFromQuery, settingsToQuery } from '../experiments/settings';
import type { AppStore } from './store';

export function readUrl() {
  return settingsFromQuery(window.location.search);
}

export function writeUrl(settings: FigureSettings, mode: 'push' | 'replace'): void {
  const query = `?${settingsToQuery(settings)}`;
  if (query === window.location.search) return;
  if (mode === 'push') window.history.pushState(null, '', query);
  else window.history.replaceState(null, '', query);
}

/** Back/forward: reload the settings of the entry navigated to, without adding one. */
export function bindHistory(store: AppStore): () => void {
  const onPop = () => {
    const { settings, problems } = readUrl();
    store.getState().setUrlProblems(problems);
    store.getState().setSettings(settings, { history: 'none' });
  };
  window.addEventListener('popstate', onPop);
  return () => window.removeEventListener('popstate', onPop);
}
