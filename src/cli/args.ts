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
import { PANEL_SIZE } from '../ui/plot/drawPanel';

/** A mistake in how the tool was called: exit code 2, with a message that names it. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export type Command = 'figure' | 'sweep' | 'blocks';
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
    range: 'figure: .svg | .png | .csv | .json; sweep, blocks: .csv | .json',
    help: 'output file (required); its extension picks the format. Its directory must exist',
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
  command: Command;
  settings: FigureSettings;
  /** Absolute path of the output file. */
  out: string;
  format: Format;
  engine: EngineChoice;
  workers: number | undefined;
  layout: FigureLayout;
  /** PNG pixels per SVG unit. */
  scale: number;
}

export type Parsed = { kind: 'help' } | { kind: 'run'; request: CliRequest };

const SETTING_KEYS = new Set(SETTING_FIELDS.map((f) => f.key));
const OPTION_NAMES = new Set(CLI_OPTIONS.map((o) => o.name));

/** `--name value` or `--name=value`; the last occurrence of a flag wins. */
function readFlags(args: string[]): Map<string, string> {
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
    if (!SETTING_KEYS.has(name) && !OPTION_NAMES.has(name)) {
      const lower = [...SETTING_KEYS].find((k) => k.toLowerCase() === name.toLowerCase());
      const hint = lower ? ` (setting keys are case-sensitive: did you mean --${lower}?)` : '';
      throw new UsageError(`unknown flag --${name}${hint}`);
    }
    if (eq > 0) flags.set(name, arg.slice(eq + 1));
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
  if (first === undefined) throw new UsageError('missing command: figure, sweep or blocks');
  if (first === 'help' || first === '--help' || first === '-h') return { kind: 'help' };
  const command = COMMANDS.find((c) => c.name === first);
  if (!command) {
    const what = first.startsWith('-')
      ? 'missing command before flags'
      : `unknown command "${first}"`;
    throw new UsageError(`${what}: the commands are ${COMMANDS.map((c) => c.name).join(', ')}`);
  }
  const flags = readFlags(rest);
  if (flags.has('help')) return { kind: 'help' };
  const engine = flags.get('engine') ?? 'cpu';
  if (engine !== 'cpu' && engine !== 'gpu') {
    throw new UsageError(`--engine ${engine}: must be cpu or gpu`);
  }
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
  const { out, format } = outputPath(command, flags.get('out'));
  return {
    kind: 'run',
    request: { command: command.name, settings, out, format, engine, workers, layout, scale },
  };
}
