// The header's navigation between the two pages: the figure (default) and training (`view=train`).
// Real links (a new tab works); a plain click switches in place.

import type { MouseEvent } from 'react';
import type { PageView } from '../../experiments/settings';

interface Props {
  view: PageView;
  figureHref: string;
  trainingHref: string;
  onSwitch(view: PageView): void;
}

export function PageTabs({ view, figureHref, trainingHref, onSwitch }: Props) {
  const follow = (target: PageView) => (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    if (target !== view) onSwitch(target);
  };
  return (
    <nav className="page-tabs" aria-label="Pages">
      <a
        href={figureHref}
        data-testid="nav-figure"
        aria-current={view === 'figure' ? 'page' : undefined}
        onClick={follow('figure')}
      >
        Figure
      </a>
      <a
        href={trainingHref}
        data-testid="nav-training"
        aria-current={view === 'train' ? 'page' : undefined}
        onClick={follow('train')}
      >
        Training
      </a>
    </nav>
  );
}
