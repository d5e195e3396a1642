// Opens the app in headless Chromium (SwiftShader WebGPU) and saves a screenshot:
//   node scripts/screenshot.mjs [url] [out.png] [--no-gpu] [--viewport=WxH]
// With --viewport (the README's docs/screenshot.png: --viewport=1280x720) it saves what that first
// screen shows; without, the full page at 1500 × 1000.
import { chromium } from '@playwright/test';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const url = positional[0] ?? 'http://127.0.0.1:5173/';
const out = positional[1] ?? 'screenshot.png';
const gpu = !process.argv.includes('--no-gpu');
const viewportArg = process.argv.find((a) => a.startsWith('--viewport='));
const [width, height] = viewportArg
  ? viewportArg.slice('--viewport='.length).split('x').map(Number)
  : [1500, 1000];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    ...(gpu ? ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'] : []),
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const page = await browser.newPage({
  viewport: { width, height },
  deviceScaleFactor: 1,
});
page.on('console', (m) => console.log(`[console.${m.type()}] ${m.text()}`));
page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
const start = Date.now();
await page.goto(url);
await page
  .waitForFunction(
    () =>
      document.querySelectorAll('[data-ready="true"]').length > 0 &&
      !document.querySelector('[data-testid="timing"]')?.textContent?.startsWith('computing'),
    null,
    { timeout: 180_000 },
  )
  .catch((e) => console.log('wait failed', e.message));
console.log(`ready after ${Date.now() - start} ms`);
console.log(await page.locator('[data-testid="status"]').textContent());
await page.screenshot({ path: out, fullPage: !viewportArg });
await browser.close();
