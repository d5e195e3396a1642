#!/usr/bin/env node
// How long each preset takes to compute and draw, in headless Chromium (SwiftShader WebGPU, or
// the CPU engine with --engine cpu): the app's own "last figure … s" after loading the preset's
// URL. Several builds alternate run by run, so a before/after comparison shares the machine's load.
//
//   npx vite build && node scripts/preset-timings.mjs [--dist dist,/other/dist] [--engine gpu|cpu]
//                                                      [--repeat 3] [--presets figure1,deep-blocks]
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { loadAppSettings } from './lib/appSettings.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const dists = option('--dist', 'dist')
  .split(',')
  .map((d) => resolve(root, d));
const engine = option('--engine', 'gpu');
const repeat = Number(option('--repeat', '3'));

const settings = await loadAppSettings(root);
const presets = option('--presets', settings.PRESETS.map((p) => p.id).join(',')).split(',');

const servers = dists.map((dist, i) => {
  const port = 4190 + i;
  const child = spawn(
    'npx',
    ['vite', 'preview', '--outDir', dist, '--port', String(port), '--strictPort'],
    { cwd: root, stdio: 'ignore' },
  );
  return { dist, port, child };
});
await new Promise((r) => setTimeout(r, 3000));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--enable-unsafe-webgpu',
    '--use-webgpu-adapter=swiftshader',
  ],
});

const seconds = new Map();
try {
  for (const id of presets) {
    const preset = settings.PRESETS.find((p) => p.id === id);
    const q = new URLSearchParams(settings.settingsToQuery(preset.settings));
    if (engine === 'cpu') q.set('gpu', '0');
    for (let run = 0; run < repeat; run++) {
      for (const server of servers) {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${server.port}/?${q}`);
        const text = await page
          .waitForFunction(
            () => {
              const t = document.querySelector('[data-testid="timing"]')?.textContent ?? '';
              return t.startsWith('last figure') ? t : null;
            },
            null,
            { timeout: 240_000 },
          )
          .then((h) => h.jsonValue())
          .catch(() => 'timeout');
        await page.close();
        const s = Number(/last figure ([\d.]+) s/.exec(text)?.[1] ?? Number.NaN);
        const key = `${id}\t${server.dist}`;
        seconds.set(key, [...(seconds.get(key) ?? []), s]);
        console.error(`${id} ${server.dist}: ${text}`);
      }
    }
  }
} finally {
  await browser.close();
  for (const s of servers) s.child.kill();
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`| preset | ${dists.join(' | ')} |`);
console.log(`|---|${dists.map(() => '---').join('|')}|`);
for (const id of presets) {
  const cells = dists.map((d) => median(seconds.get(`${id}\t${d}`)).toFixed(2));
  console.log(`| ${id} | ${cells.join(' s | ')} s |`);
}
