import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page, test } from '@playwright/test';
import { dontAskFirst } from './helpers';

test.beforeEach(({ page }) => dontAskFirst(page));

// The static build (docs/deploy.md) served as a plain web server would: from a sub-path, by a
// tiny static file server started here. `vite build --base /course/demo/` must work under
// /course/demo/; the default build (relative base './') under any path at all.

const root = fileURLToPath(new URL('..', import.meta.url));

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** `vite build` into a fresh temporary folder; extra arguments (e.g. --base) as given. */
function build(args: string[]): string {
  const outDir = mkdtempSync(path.join(tmpdir(), 'bottleneck-build-'));
  execFileSync(
    'npx',
    ['vite', 'build', '--logLevel', 'error', '--outDir', outDir, '--emptyOutDir', ...args],
    { cwd: root, stdio: 'inherit' },
  );
  return outDir;
}

interface Served {
  url: string;
  /** Every request: its path and status. */
  log: { path: string; status: number }[];
  close(): Promise<void>;
}

/** Serves `dir` under `prefix` (e.g. /course/demo/) on a free port; anything else is a 404. */
async function serve(dir: string, prefix: string): Promise<Served> {
  const log: Served['log'] = [];
  const server: Server = createServer((request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname);
    const answer = (status: number, body: Buffer | string, type = 'text/plain') => {
      log.push({ path: pathname, status });
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    if (`${pathname}/` === prefix) {
      log.push({ path: pathname, status: 301 });
      response.writeHead(301, { location: prefix });
      response.end();
      return;
    }
    if (!pathname.startsWith(prefix)) return answer(404, 'outside the served path');
    const relative = pathname.slice(prefix.length) || 'index.html';
    const file = path.resolve(dir, relative.endsWith('/') ? `${relative}index.html` : relative);
    if (!file.startsWith(dir + path.sep)) return answer(404, 'outside the build');
    try {
      if (!statSync(file).isFile()) return answer(404, 'not a file');
      answer(200, readFileSync(file), MIME[path.extname(file)] ?? 'application/octet-stream');
    } catch {
      answer(404, 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    log,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Opens the served app and waits for its figure: four panels drawn, the page ready. */
async function expectFigure(page: Page, served: Served, query: string): Promise<void> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${served.url}${query}`);
  await expect(page.locator('html')).toHaveAttribute('data-state', 'ready', { timeout: 200_000 });
  const panels = page.getByTestId('panel');
  await expect(panels).toHaveCount(4);
  for (let i = 0; i < 4; i++) await expect(panels.nth(i)).toHaveAttribute('data-ready', 'true');
  expect(errors).toEqual([]);
  // Everything came from under the served path, and nothing was missing.
  const failed = served.log.filter((r) => r.status >= 400);
  expect(failed).toEqual([]);
  const paths = served.log.map((r) => r.path);
  // The bundle, the compute worker, the bundled font and KaTeX's styles.
  expect(paths.some((p) => /\/assets\/index-[^/]+\.js$/.test(p))).toBe(true);
  expect(paths.some((p) => /\/assets\/compute\.worker-[^/]+\.js$/.test(p))).toBe(true);
  expect(paths.some((p) => /\/assets\/InterVariable-[^/]+\.woff2$/.test(p))).toBe(true);
  expect(paths.some((p) => /\/assets\/index-[^/]+\.css$/.test(p))).toBe(true);
  expect(await page.evaluate(() => document.fonts.check('12px InterVariable'))).toBe(true);
}

test.describe('the static build', () => {
  const folders: string[] = [];
  test.afterAll(() => {
    for (const dir of folders) rmSync(dir, { recursive: true, force: true });
  });

  test('built with --base /course/demo/, it works under /course/demo/', async ({ page }) => {
    test.setTimeout(360_000);
    const dir = build(['--base', '/course/demo/']);
    folders.push(dir);
    // Absolute URLs under the base, in the page and in the bundle.
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(html).toContain('src="/course/demo/assets/');
    const served = await serve(dir, '/course/demo/');
    try {
      // Figure 1 on WebGPU (SwiftShader here), with the surface's worker loaded lazily (three.js).
      await expectFigure(page, served, '');
      await expect(page.getByTestId('surface-canvas')).toHaveAttribute('data-drawn', 'true');
      expect(served.log.some((r) => /\/assets\/surface\.worker-[^/]+\.js$/.test(r.path))).toBe(
        true,
      );
      expect(served.log.every((r) => r.path.startsWith('/course/demo'))).toBe(true);
    } finally {
      await served.close();
    }
  });

  test('built with the default (relative) base, it works under any path', async ({ page }) => {
    test.setTimeout(360_000);
    const dir = build([]);
    folders.push(dir);
    expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).toContain('src="./assets/');
    const served = await serve(dir, '/some/other/place/');
    try {
      // The CPU engine with m × m layers (L = 3): its shard workers, started from inside the
      // compute worker, load relative to it.
      await expectFigure(page, served, '?gpu=0&L=3,3&m=1000');
      expect(served.log.some((r) => /\/assets\/shardWorker-[^/]+\.js$/.test(r.path))).toBe(true);
      expect(served.log.every((r) => r.path.startsWith('/some/other/place/'))).toBe(true);
    } finally {
      await served.close();
    }
  });
});
