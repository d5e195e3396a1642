// --help: every command and flag with its range, the settings straight from SETTING_FIELDS.
import { FIGURE1, PRESETS, SETTING_FIELDS } from '../experiments/settings';
import { CLI_OPTIONS, COMMANDS, TRAIN_FLAGS } from './args';

/** Wraps `text` to `width` columns, every line after the first indented by `indent`. */
function wrap(text: string, width: number, indent: number): string {
  // "|" and "—" stay at the end of a line, never start one.
  const words = text.split(' ').reduce<string[]>((ws, w) => {
    if ((w === '|' || w === '—') && ws.length > 0) ws[ws.length - 1] += ` ${w}`;
    else ws.push(w);
    return ws;
  }, []);
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line && line.length + 1 + word.length > width - indent) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join(`\n${' '.repeat(indent)}`);
}

const COLUMN = 22;

function entry(name: string, text: string, width: number): string {
  const head = `  ${name}`;
  const pad = head.length < COLUMN ? ' '.repeat(COLUMN - head.length) : `\n${' '.repeat(COLUMN)}`;
  return `${head}${pad}${wrap(text, width, COLUMN)}`;
}

export function usage(width = 100): string {
  const w = Math.max(60, Math.min(width, 120));
  const lines = [
    'Usage: npm run cli -- <command> [flags] --out <file>',
    '       npm run cli -- train [flags] [--out <file>]',
    '       node scripts/cli.mjs <command> [flags] --out <file>',
    '',
    'Computes what the app computes (same code, same numbers) and writes it to a file. The',
    "file's extension picks the format.",
    '',
    'Commands:',
    ...COMMANDS.map((c) =>
      entry(c.name, `${c.summary}. Output: ${c.formats.map((f) => `.${f}`).join(' ')}`, w),
    ),
    '',
    'Options (figure, sweep, blocks):',
    ...CLI_OPTIONS.map((o) =>
      entry(
        `--${o.name}${o.value ? ` ${o.value}` : ''}`,
        o.range ? `${o.help} — ${o.range}` : o.help,
        w,
      ),
    ),
    '',
    'Figure settings: the URL keys of the app, as flags (--B 3 --m 1000 --family chained). They',
    'apply after --preset and --url. Ranges are those of the defaults (Figure 1); per-block lists',
    'take B values, or one for all. View settings change only the .svg/.png drawing.',
    ...SETTING_FIELDS.map((f) => entry(`--${f.key} <v>`, `${f.help} — ${f.range(FIGURE1)}`, w)),
    '',
    'Presets (--preset):',
    ...PRESETS.map((p) => entry(p.id, p.name, w)),
    '',
    'train flags (train takes these, and no figure setting): every blocks × width × seed is one',
    'run of the network, its NTK model and its block model from the same W_0. stdout gets the',
    'medians over seeds of the kernel change ‖K_T − K_0‖_F/‖K_0‖_F, the gaps (max over',
    'log-spaced checkpoints of ‖f_net − f_model‖_F/‖f_net‖_F on the held-out inputs), the final',
    'loss and the steps or sweeps, then the log–log slopes against m; --out adds every run.',
    'Runs that diverged are left out of the medians and slopes, and named with how many per',
    'blocks × width (all of them: no numbers for that row); --include-diverged keeps them.',
    ...TRAIN_FLAGS.map((f) =>
      entry(
        `--${f.name}${f.value ? ` ${f.value}` : ''}`,
        f.range ? `${f.help} — ${f.range}` : f.help,
        w,
      ),
    ),
    '',
    'Progress goes to stderr: a bar when stdout and stderr are terminals, plain lines otherwise.',
    'The file is written to <file>.tmp-<pid> and renamed when complete; nothing is left behind',
    'on an error or Ctrl-C.',
    '',
    'Exit codes: 0 done; 1 the computation failed (engine error, over the CPU cap); 2 a usage',
    'error (unknown command or flag, bad value, bad extension, missing --out); 130 interrupted.',
    '',
    'Examples:',
    '  npm run cli -- figure --preset figure1 --out figure1.svg',
    "  npm run cli -- figure --url 'B=3&m=1000' --engine gpu --out b3.json",
    '  npm run cli -- sweep --preset figure1 --out sweep.csv',
    '  npm run cli -- blocks --L 3 --m 256 --out blocks.json',
    '  npm run cli -- train --blocks 1,2,3 --widths 64,256,1024 --seeds 5 --out train.json',
  ];
  return `${lines.join('\n')}\n`;
}
