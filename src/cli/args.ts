// The command line: commands, the CLI's own options, and the figure settings as `--<URL key>`
// flags read through SETTING_FIELDS (the one table of settings; no second list here).
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import {
  FIGURE1,
  type FigureSettings,
  PRESETS,
  SETTING_FIELDS,
  settingsFromQuery,
  type UrlProblem,
} from '../experiments/settings';
import {
  DEFAULT_TRAINING,
  TRAINING_RANGES,
  type TrainingSettings,
  validateTraining,
} from '../experiments/training';
import { SpecError } from '../model/spec';
import { TRAINING_LIMITS } from '../model/training';
import { PANEL_SIZE } from '../ui/plot/drawPanel';

/** A mistake in how the tool was called: exit code 2, with a message that names it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Command = 'figure' | 'sweep' | 'blocks' | 'animate' | 'train';
export type Format = 'svg' | 'png' | 'csv' | 'json';

export interface CommandInfo {
  name: Command;
  summary: string;
  formats: readonly Format[];
}

export const COMMANDS: readonly CommandInfo[] = [
  {
    name: 'figure',
    summary: "the figure's panels (Figure 1 and its generalisations): curves, exact coefficients",
    formats: ['svg', 'png', 'csv', 'json'],
  },
  {
    name: 'sweep',
    summary:
      'width sweep: the non-multilinear part, |c_B| and |c_{B+1}| against m, with fitted slopes (linear networks)',
    formats: ['csv', 'json'],
  },
  {
    name: 'blocks',
    summary:
      "block structure (Lemma 1(b)): |∂²g/∂t_ℓ∂t_ℓ'| for every pair of layers (linear networks)",
    formats: ['csv', 'json'],
  },
  {
    name: 'animate',
    summary:
      "the transition as frames: the figure at every width of the app's play ladder (16 up, one seed: nested networks), an .svg or .png per frame in the --out directory",
    formats: ['svg', 'png'],
  },
  {
    name: 'train',
    summary:
      'training: the network, its NTK model and its block model trained from the same W_0 over blocks × widths × seeds; kernel change and gaps, medians and slopes against m (--out optional)',
    formats: ['csv', 'json'],
  },
];

export type EngineChoice = 'cpu' | 'gpu';

/** The tool's own options (not figure settings): name, value, range, what it does. */
export interface CliOption {
  name: string;
  value: string;
  range: string;
  help: string;
}

export const MAX_WORKERS = 16;

export const CLI_OPTIONS: readonly CliOption[] = [
  {
    name: 'out',
    value: '<file>',
    range: 'figure: .svg | .png | .csv | .json; sweep, blocks: .csv | .json; animate: a directory',
    help: 'output file (required); its extension picks the format. Its directory must exist (animate: the frames go into it; it is made if missing)',
  },
  {
    name: 'format',
    value: '<svg|png>',
    range: 'svg | png',
    help: 'animate: the frames as .svg (default) or .png',
  },
  {
    name: 'to',
    value: '<m>',
    range: 'integer 16 to 65536',
    help: "animate: the widest width (default: the app's, what a frame affords at interactive speed)",
  },
  {
    name: 'preset',
    value: '<id>',
    range: PRESETS.map((p) => p.id).join(' | '),
    help: 'start from a preset of the app (default: figure1)',
  },
  {
    name: 'url',
    value: '<query>',
    range: "an app URL's query string, e.g. 'B=3&m=1000' (a whole URL works too)",
    help: 'start from a shared view; setting flags then override it',
  },
  {
    name: 'engine',
    value: '<name>',
    range: 'cpu | gpu',
    help: 'cpu (default): float64, every core; gpu: WebGPU through Dawn (float32), the CPU when no adapter is found',
  },
  {
    name: 'workers',
    value: '<n>',
    range: `integer 1 to ${MAX_WORKERS}`,
    help: 'CPU engine threads (default: one per core)',
  },
  {
    name: 'panel-width',
    value: '<px>',
    range: 'integer 120 to 4000',
    help: `figure .svg/.png: width of one panel (default ${PANEL_SIZE.width})`,
  },
  {
    name: 'panel-height',
    value: '<px>',
    range: 'integer 90 to 3000',
    help: `figure .svg/.png: height of one panel (default ${PANEL_SIZE.height})`,
  },
  {
    name: 'columns',
    value: '<n>',
    range: 'integer 1 to 8',
    help: 'figure .svg/.png: panels per row (default as on the page: 2 up to 4 panels, else 3)',
  },
  {
    name: 'caption',
    value: '<0|1>',
    range: '0 | 1',
    help: 'figure .svg/.png: the settings and engine under the panels (default 1)',
  },
  {
    name: 'scale',
    value: '<x>',
    range: 'number 0.25 to 8',
    help: 'figure .png: pixels per SVG unit (default 2)',
  },
  { name: 'help', value: '', range: '', help: 'this text (also -h, or the command "help")' },
];

export interface FigureLayout {
  panelWidth?: number;
  panelHeight?: number;
  columns?: number;
  caption?: boolean;
}

export interface CliRequest {
  command: Exclude<Command, 'train'>;
  settings: FigureSettings;
  /** Absolute path of the output file. */
  out: string;
  format: Format;
  engine: EngineChoice;
  workers: number | undefined;
  layout: FigureLayout;
  /** PNG pixels per SVG unit. */
  scale: number;
  /** animate: the widest width, or undefined for the app's ladder. */
  to?: number;
}

export type Parsed =
  | { kind: 'help' }
  | { kind: 'run'; request: CliRequest }
  | { kind: 'train'; request: TrainRequest };

const SETTING_KEYS = new Set(SETTING_FIELDS.map((f) => f.key));
const FIGURE_FLAGS = new Set([...SETTING_KEYS, ...CLI_OPTIONS.map((o) => o.name)]);

/** The figure commands' hint for an unknown flag: setting keys are case-sensitive. */
function settingKeyHint(name: string): string {
  const lower = [...SETTING_KEYS].find((k) => k.toLowerCase() === name.toLowerCase());
  return lower ? ` (setting keys are case-sensitive: did you mean --${lower}?)` : '';
}

/**
 * `--name value` or `--name=value`; the last occurrence of a flag wins. `known` are the flags the
 * command takes; `hint` adds to the message for any other. A flag in `switches` takes no value:
 * `--name` alone (its value is '').
 */
function readFlags(
  args: string[],
  known: ReadonlySet<string>,
  hint: (name: string) => string,
  switches: ReadonlySet<string> = new Set(),
): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-h' || arg === '--help') {
      flags.set('help', '');
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument "${arg}": flags are --<name> <value>`);
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!known.has(name)) throw new UsageError(`unknown flag --${name}${hint(name)}`);
    if (switches.has(name)) {
      if (eq > 0) throw new UsageError(`--${name} takes no value (not --${arg.slice(2)})`);
      flags.set(name, '');
    } else if (eq > 0) flags.set(name, arg.slice(eq + 1));
    else if (i + 1 < args.length) flags.set(name, args[++i]);
    else throw new UsageError(`--${name} needs a value`);
  }
  return flags;
}

function number(
  flags: Map<string, string>,
  name: string,
  integer: boolean,
  min: number,
  max: number,
): number | undefined {
  const raw = flags.get(name);
  if (raw === undefined) return undefined;
  const v = Number(raw);
  const ok = raw.trim() !== '' && (integer ? Number.isInteger(v) : Number.isFinite(v));
  if (!ok || v < min || v > max) {
    throw new UsageError(
      `--${name} ${raw}: must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`,
    );
  }
  return v;
}

function describeProblem(p: UrlProblem, where: string): string {
  return `${p.param}: ${p.message} (${where})`;
}

/** The query of `--url`: a query string, with or without "?", or a whole URL. */
export function queryOf(url: string): string {
  const start = url.indexOf('?');
  const query = start >= 0 ? url.slice(start + 1) : url;
  return query.replace(/#.*$/, '');
}

/** Preset, then --url, then the setting flags in SETTING_FIELDS order (B before the lists). */
export function readSettings(flags: Map<string, string>): FigureSettings {
  let base = FIGURE1;
  const presetId = flags.get('preset');
  if (presetId !== undefined) {
    const preset = PRESETS.find((p) => p.id === presetId);
    if (!preset) {
      throw new UsageError(
        `--preset ${presetId}: must be one of ${PRESETS.map((p) => p.id).join(', ')}`,
      );
    }
    base = preset.settings;
  }
  let settings = structuredClone(base);
  const url = flags.get('url');
  if (url !== undefined) {
    const { settings: read, problems } = settingsFromQuery(queryOf(url), base);
    if (problems.length > 0) {
      throw new UsageError(
        problems.map((p) => describeProblem(p, `${p.param}=${p.value} in --url`)).join('\n'),
      );
    }
    settings = read;
  }
  const problems: string[] = [];
  for (const field of SETTING_FIELDS) {
    const raw = flags.get(field.key);
    if (raw === undefined) continue;
    const message = field.read(raw, settings);
    if (message !== undefined) {
      problems.push(
        describeProblem({ param: field.key, value: raw, message }, `--${field.key} ${raw}`),
      );
    }
  }
  if (problems.length > 0) throw new UsageError(problems.join('\n'));
  return settings;
}

function outputPath(
  command: CommandInfo,
  raw: string | undefined,
): { out: string; format: Format } {
  if (raw === undefined || raw === '') throw new UsageError('--out <file> is required');
  const out = resolve(raw);
  const ext = extname(out).slice(1).toLowerCase();
  const allowed = command.formats.map((f) => `.${f}`);
  const list = `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]}`;
  if (!(command.formats as readonly string[]).includes(ext)) {
    throw new UsageError(
      `--out ${raw}: ${command.name} output must be ${list}${ext ? ` (not .${ext})` : ''}`,
    );
  }
  const dir = dirname(out);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UsageError(`--out ${raw}: the directory ${dir} does not exist`);
  }
  if (existsSync(out) && statSync(out).isDirectory()) {
    throw new UsageError(`--out ${raw}: is a directory`);
  }
  return { out, format: ext as Format };
}

export function parseArgs(argv: string[]): Parsed {
  const [first, ...rest] = argv;
  if (first === undefined) {
    throw new UsageError(
      `missing command: ${COMMANDS.map((c) => c.name)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1')}`,
    );
  }
  if (first === 'help' || first === '--help' || first === '-h') return { kind: 'help' };
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const what = first.startsWith('-')
      ? 'missing command before flags'
      : `unknown command "${first}"`;
    throw new UsageError(`${what}: the commands are ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  if (command.name === 'train') return parseTrain(command, rest);
  const flags = readFlags(rest, FIGURE_FLAGS, settingKeyHint);
  if (flags.has('help')) return { kind: 'help' };
  const engine = engineChoice(flags);
  const caption = flags.get('caption');
  if (caption !== undefined && caption !== '0' && caption !== '1') {
    throw new UsageError(`--caption ${caption}: must be 0 or 1`);
  }
  const layout: FigureLayout = {
    panelWidth: number(flags, 'panel-width', true, 120, 4000),
    panelHeight: number(flags, 'panel-height', true, 90, 3000),
    columns: number(flags, 'columns', true, 1, 8),
    caption: caption === undefined ? undefined : caption === '1',
  };
  const scale = number(flags, 'scale', false, 0.25, 8) ?? 2;
  const workers = number(flags, 'workers', true, 1, MAX_WORKERS);
  const settings = readSettings(flags);
  const { out, format } =
    command.name === 'animate'
      ? framesPath(flags.get('out'), flags.get('format'))
      : outputPath(command, flags.get('out'));
  const to = number(flags, 'to', true, 16, 65536);
  return {
    kind: 'run',
    request: {
      command: command.name as CliRequest['command'],
      settings,
      out,
      format,
      engine,
      workers,
      layout,
      scale,
      to,
    },
  };
}

/** animate's --out: a directory for the frames (made if missing; its parent must exist). */
function framesPath(raw: string | undefined, rawFormat: string | undefined) {
  if (raw === undefined || raw === '') throw new UsageError('--out <directory> is required');
  const format = rawFormat ?? 'svg';
  if (format !== 'svg' && format !== 'png')
    throw new UsageError(`--format ${format}: animate writes svg or png frames`);
  const out = resolve(raw);
  if (existsSync(out) && !statSync(out).isDirectory())
    throw new UsageError(
      `--out ${raw}: animate writes frames into a directory, and this is a file`,
    );
  const parent = dirname(out);
  if (!existsSync(parent) || !statSync(parent).isDirectory())
    throw new UsageError(`--out ${raw}: the directory ${parent} does not exist`);
  return { out, format: format as Format };
}

function engineChoice(flags: Map<string, string>): EngineChoice {
  const engine = flags.get('engine') ?? 'cpu';
  if (engine !== 'cpu' && engine !== 'gpu') {
    throw new UsageError(`--engine ${engine}: must be cpu or gpu`);
  }
  return engine;
}

// ---------------------------------------------------------------------------------------------
// train: its own flags (TrainingSettings, lists of blocks and widths, seeds), checked by
// validateTraining — the same SpecError messages as the view's — with the flag that set the value.

/** A flag of `train`; `key` is the TrainingSettings field it sets, if it sets one. */
export interface TrainFlag extends CliOption {
  key?: keyof TrainingSettings;
}

const D = DEFAULT_TRAINING;
export const DEFAULT_TRAIN_WIDTHS: readonly number[] = [64, 256, 1024];
export const DEFAULT_TRAIN_SEEDS = 5;
export const MAX_TRAIN_SEEDS = 1000;
const range = (r: readonly [number, number]) => `integer ${r[0]} to ${r[1]}`;

export const TRAIN_FLAGS: readonly TrainFlag[] = [
  {
    name: 'blocks',
    value: '<B,…>',
    range: `${range(TRAINING_RANGES.blocks)}, or a comma-separated list`,
    help: `blocks B; a list (1,2,3) runs each and makes one table (default ${D.blocks})`,
    key: 'blocks',
  },
  {
    name: 'layers',
    value: '<L_b>',
    range: range(TRAINING_RANGES.layers),
    help: `layers per block (default ${D.layers})`,
    key: 'layers',
  },
  {
    name: 'widths',
    value: '<m,…>',
    range: `${range(TRAINING_RANGES.width)}, comma-separated`,
    help: `widths m of the blocks (default ${DEFAULT_TRAIN_WIDTHS.join(',')}); slopes need two or more`,
    key: 'width',
  },
  {
    name: 'bottleneck',
    value: '<r_b>',
    range: 'integer 1 to 64',
    help: `width of every bottleneck, B − 1 of them (default ${D.bottleneck})`,
    key: 'bottleneck',
  },
  {
    name: 'd',
    value: '<n>',
    range: 'integer 1 to 64',
    help: `input size (default ${D.d})`,
    key: 'd',
  },
  {
    name: 'k',
    value: '<n>',
    range: `integer 1 to 64, n · k ≤ ${TRAINING_LIMITS.maxKernelSize}`,
    help: `output size (default ${D.k})`,
    key: 'k',
  },
  {
    name: 'r',
    value: '<n>',
    range: 'integer ≥ 1, at most the bottleneck width (B = 1: at most d and k)',
    help: `rank of the target map (default ${D.r})`,
    key: 'r',
  },
  {
    name: 'n',
    value: '<n>',
    range: `integer 1 to ${TRAINING_LIMITS.maxSamples}`,
    help: `training samples (default ${D.n})`,
    key: 'n',
  },
  {
    name: 'held-out',
    value: '<n>',
    range: `integer 1 to ${TRAINING_LIMITS.maxHeldOut}`,
    help: `held-out inputs, where the gaps are measured (default ${D.heldOut})`,
    key: 'heldOut',
  },
  {
    name: 'activation',
    value: '<σ>',
    range: 'identity | tanh',
    help: `σ inside the blocks: identity trains the network, its NTK model and its block model; tanh the network alone (default ${D.activation})`,
    key: 'activation',
  },
  {
    name: 'optimiser',
    value: '<name>',
    range: 'gd | alternating',
    help: `gd: full-batch gradient descent; alternating: block-alternating Gauss–Newton, every block once per sweep (default ${D.optimiser})`,
    key: 'optimiser',
  },
  {
    name: 'steps',
    value: '<n>',
    range: range(TRAINING_RANGES.steps),
    help: `gradient-descent steps, or Gauss–Newton sweeps (default ${D.steps})`,
    key: 'steps',
  },
  {
    name: 'lr',
    value: '<c>',
    range: 'number in (0, 10]',
    help: `c in the step η = c / λ_max(K/n) (default ${D.lr})`,
    key: 'lr',
  },
  {
    name: 'step-rule',
    value: '<rule>',
    range: 'fixed | follow',
    help: `fixed: η from K_0 for the whole run; follow: η from the current kernel (default ${D.stepRule})`,
    key: 'stepRule',
  },
  {
    name: 'follow-every',
    value: '<n>',
    range: range(TRAINING_RANGES.followEvery),
    help: `with --step-rule follow: steps between estimates of λ_max (default ${D.followEvery})`,
    key: 'followEvery',
  },
  {
    name: 'tolerance',
    value: '<x>',
    range: 'number ≥ 0',
    help: `a model stops once its training loss is at most this (default ${D.tolerance})`,
    key: 'tolerance',
  },
  {
    name: 'seed',
    value: '<s>',
    range: 'integer 0 to 4294967295',
    help: `the first seed; the runs use seed … seed + seeds − 1 (default ${D.seed})`,
    key: 'seed',
  },
  {
    name: 'seeds',
    value: '<n>',
    range: `integer 1 to ${MAX_TRAIN_SEEDS}`,
    help: `seeds per blocks × width: networks and data (default ${DEFAULT_TRAIN_SEEDS})`,
  },
  {
    name: 'engine',
    value: '<name>',
    range: 'cpu | gpu',
    help: 'cpu (default): the float64 CPU trainer; gpu: the WebGPU trainer through Dawn (float32), the CPU when there is none',
  },
  {
    name: 'include-diverged',
    value: '',
    range: '',
    help: 'keep the runs that diverged (loss non-finite or 10⁶ × its start) in the medians and slopes; without it they are left out, and the table and files say how many',
  },
  {
    name: 'out',
    value: '<file>',
    range: '.json | .csv',
    help: 'also write every run, the medians and the slopes to this file (optional); its extension picks the format',
  },
  { name: 'help', value: '', range: '', help: 'this text' },
];

const TRAIN_NAMES = new Set(TRAIN_FLAGS.map((f) => f.name));
/** train flags that take no value. */
const TRAIN_SWITCHES = new Set(['include-diverged']);

/** Figure flags and near misses that mean a train flag. */
const TRAIN_ALIASES: Record<string, string> = {
  B: 'blocks',
  L: 'layers',
  m: 'widths',
  width: 'widths',
  block: 'blocks',
  optimizer: 'optimiser',
  seed0: 'seed',
  heldOut: 'held-out',
  stepRule: 'step-rule',
  followEvery: 'follow-every',
  act: 'activation',
};

function trainHint(name: string): string {
  const alias =
    TRAIN_ALIASES[name] ?? [...TRAIN_NAMES].find((n) => n.toLowerCase() === name.toLowerCase());
  return alias
    ? ` (train takes --${alias})`
    : ' (train takes the flags listed under "train" in --help)';
}

/** What `train` runs: every blocks × width × seed of `base` with those three replaced. */
export interface TrainRequest {
  command: 'train';
  /** Every other setting; blocks, width and seed are the first of the lists. */
  base: TrainingSettings;
  blocks: number[];
  widths: number[];
  seeds: number[];
  engine: EngineChoice;
  /** --include-diverged: diverged runs stay in the medians and slopes (medianRuns). */
  includeDiverged: boolean;
  /** Absolute path of the output file, if any. */
  out?: string;
  format?: 'csv' | 'json';
}

/** A number when the text is one; otherwise the text itself, for validateTraining to name. */
function numeric(raw: string): number | string {
  const v = Number(raw);
  return raw.trim() !== '' && Number.isFinite(v) ? v : raw;
}

/** The flags that set a SpecError's field (validateTraining, validateTask, validateSpec). */
function flagsOfField(field: string): string[] {
  const rules: [RegExp, string[]][] = [
    [/^n × k$/, ['n', 'k']],
    [/^blocks(\.length)? \(B\)$/, ['blocks']],
    [/^layers|^blocks\[\d+\]\.layers$/, ['layers']],
    [/^width|^blocks\[\d+\]\.width$/, ['widths']],
    [/^bottleneck/, ['bottleneck']],
    [/^d |^inputSize$/, ['d']],
    [/^k |^outputSize$/, ['k']],
    [/^r /, ['r', 'bottleneck', 'd', 'k']],
    [/^n /, ['n']],
    [/^held-out/, ['held-out']],
    [/^lr/, ['lr']],
    [/^stepRule$/, ['step-rule']],
    [/^followEvery$/, ['follow-every']],
    [/^seed$/, ['seed', 'seeds']],
    [/^(steps|optimiser|activation|tolerance)$/, [field]],
  ];
  return rules.find(([re]) => re.test(field))?.[1] ?? [];
}

function parseTrain(command: CommandInfo, args: string[]): Parsed {
  const flags = readFlags(args, TRAIN_NAMES, trainHint, TRAIN_SWITCHES);
  if (flags.has('help')) return { kind: 'help' };
  const engine = engineChoice(flags);
  const base = { ...DEFAULT_TRAINING } as Record<keyof TrainingSettings, unknown>;
  const lists = { blocks: [D.blocks] as unknown[], widths: [...DEFAULT_TRAIN_WIDTHS] as unknown[] };
  for (const flag of TRAIN_FLAGS) {
    const raw = flags.get(flag.name);
    if (raw === undefined || flag.key === undefined) continue;
    if (flag.name === 'blocks' || flag.name === 'widths') {
      // Each value once, in the order given.
      lists[flag.name] = [...new Set(raw.split(',').map((v) => numeric(v.trim())))];
    } else {
      base[flag.key] = numeric(raw);
    }
  }
  const count = number(flags, 'seeds', true, 1, MAX_TRAIN_SEEDS) ?? DEFAULT_TRAIN_SEEDS;
  const settings = base as unknown as TrainingSettings;
  const first = settings.seed;
  // Every combination, at the first and the last seed, before any work.
  try {
    for (const blocks of lists.blocks) {
      for (const width of lists.widths) {
        for (const seed of count > 1 && typeof first === 'number'
          ? [first, first + count - 1]
          : [first]) {
          validateTraining({ ...settings, blocks, width, seed } as TrainingSettings);
        }
      }
    }
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    // Name the flags given that set the value (none when a default did).
    const given = flagsOfField(error.field)
      .filter((f) => flags.has(f))
      .map((f) => `--${f} ${flags.get(f)}`);
    throw new UsageError(`${error.message}${given.length > 0 ? ` (${given.join(' ')})` : ''}`);
  }
  const request: TrainRequest = {
    command: 'train',
    base: { ...settings, blocks: lists.blocks[0] as number, width: lists.widths[0] as number },
    blocks: lists.blocks as number[],
    widths: lists.widths as number[],
    seeds: Array.from({ length: count }, (_, i) => first + i),
    engine,
    includeDiverged: flags.has('include-diverged'),
  };
  if (flags.has('out')) {
    const { out, format } = outputPath(command, flags.get('out'));
    request.out = out;
    request.format = format as 'csv' | 'json';
  }
  return { kind: 'train', request };
}
