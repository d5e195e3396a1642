import { describe, expect, it } from 'vitest';
import { planPanels } from '../src/experiments/figure';
import {
  computeKey,
  FIGURE1,
  isLinearFigure,
  networkSpec,
  PRESETS,
  SETTING_FIELDS,
  settingsFromQuery,
  settingsToQuery,
  withBlocks,
} from '../src/experiments/settings';
import { validateSpec } from '../src/model/spec';

describe('settings ⇄ URL', () => {
  it('round-trips every preset exactly', () => {
    for (const preset of PRESETS) {
      const { settings, problems } = settingsFromQuery(settingsToQuery(preset.settings));
      expect(problems).toEqual([]);
      expect(settings).toEqual(preset.settings);
      expect(() => validateSpec(networkSpec(settings))).not.toThrow();
    }
  });

  it('reports each bad parameter and keeps the default for it', () => {
    const { settings, problems } = settingsFromQuery(
      '?B=9&m=5,abc&act=swish&R=-1&seed=1.5&o=3&x=1',
    );
    expect(problems.map((p) => p.param).sort()).toEqual(
      ['B', 'R', 'act', 'm', 'o', 'seed', 'x'].sort(),
    );
    expect(settings.blocks).toBe(FIGURE1.blocks);
    expect(settings.widths).toEqual(FIGURE1.widths);
    expect(settings.activation).toBe('identity');
    expect(settings.radius).toBe(FIGURE1.radius);
    expect(problems.find((p) => p.param === 'B')?.message).toBe('must be an integer from 1 to 6');
  });

  it('view settings live in the URL and are left out at their defaults', () => {
    expect(settingsToQuery(FIGURE1)).not.toMatch(/(^|&)(y|dev|present)=/);
    const view = { ...FIGURE1, yAxis: 'shared' as const, deviation: true, present: true };
    const query = settingsToQuery(view);
    expect(query).toContain('y=shared');
    expect(query).toContain('dev=1');
    expect(query).toContain('present=1');
    expect(settingsFromQuery(query)).toEqual({ settings: view, problems: [] });
    // Same computation: only view fields differ.
    expect(computeKey(view)).toBe(computeKey(FIGURE1));
    expect(SETTING_FIELDS.filter((f) => f.kind === 'view').map((f) => f.key)).toEqual([
      'y',
      'dev',
      'motion',
      'present',
    ]);
  });

  it('bad view values get the same named message; gpu and the older fit are known', () => {
    const { settings, problems } = settingsFromQuery('?y=log&dev=2&present=yes&gpu=0&fit=1');
    expect(problems).toEqual([
      { param: 'y', value: 'log', message: 'must be one of fit, shared, radius' },
      { param: 'dev', value: '2', message: 'must be 0 or 1' },
      { param: 'present', value: 'yes', message: 'must be 0 or 1' },
    ]);
    expect(settings.yAxis).toBe('fit');
    expect(settingsFromQuery('?fit=0').settings.yAxis).toBe('radius');
    expect(settingsFromQuery('?gpu=2').problems[0].param).toBe('gpu');
    expect(settingsFromQuery('?B=1&r=3').problems[0]).toMatchObject({ param: 'r' });
  });

  it('preset=ID is a short link: the preset, then any other key overrides it; a bad id is named', () => {
    const tanh = PRESETS.find((p) => p.id === 'tanh-inside');
    expect(settingsFromQuery('?preset=tanh-inside')).toEqual({
      settings: tanh?.settings,
      problems: [],
    });
    const { settings } = settingsFromQuery('?preset=tanh-inside&R=1&dev=1');
    expect(settings).toMatchObject({ activation: 'tanh', radius: 1, deviation: true });
    const bad = settingsFromQuery('?preset=nope&B=3');
    expect(bad.problems).toEqual([
      {
        param: 'preset',
        value: 'nope',
        message: expect.stringMatching(/^must be one of figure1, /),
      },
    ]);
    expect(bad.settings.blocks).toBe(3);
  });

  it('resizes per-block lists with B and accepts one width for all blocks', () => {
    const { settings, problems } = settingsFromQuery('?B=4&m=500');
    expect(problems).toEqual([]);
    expect(settings.widths).toEqual([500, 500, 500, 500]);
    expect(settings.layers).toHaveLength(4);
    expect(settings.bottlenecks).toHaveLength(3);
    expect(withBlocks(FIGURE1, 1).bottlenecks).toEqual([]);
  });
});

describe('panels', () => {
  it('Figure 1: tanh contrast, all weights, W_1 only, W_2 only', () => {
    const panels = planPanels(FIGURE1);
    expect(panels.map((p) => p.title)).toEqual([
      '(a) tanh, all weights',
      '(b) identity, all weights',
      '(c) identity, W_1 only',
      '(d) identity, W_2 only',
    ]);
    expect(panels.map((p) => p.exact)).toEqual([false, true, true, true]);
  });

  it('one single-block panel per block for B > 2, no contrast for a non-linear network', () => {
    expect(planPanels(withBlocks(FIGURE1, 4))).toHaveLength(1 + 1 + 4);
    const tanh = planPanels({ ...FIGURE1, activation: 'tanh', placement: 'inside-blocks' });
    expect(tanh.map((p) => p.id)).toEqual(['all', 'block-1', 'block-2']);
    expect(tanh.every((p) => !p.exact)).toBe(true);
    expect(tanh[0].title).toBe('(a) tanh inside blocks, all weights');
  });
});

describe('isLinearFigure', () => {
  it('follows where σ applies, not just the activation name', () => {
    expect(isLinearFigure(FIGURE1)).toBe(true);
    expect(isLinearFigure({ ...FIGURE1, activation: 'tanh', placement: 'all' })).toBe(false);
    // tanh "inside block 1" with a one-layer block 1 applies σ nowhere.
    expect(
      isLinearFigure({ ...FIGURE1, activation: 'tanh', placement: 'first-block', layers: [1, 2] }),
    ).toBe(true);
  });
});
