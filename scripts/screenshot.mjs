// Opens the app in headless Chromium (SwiftShader WebGPU) and saves a screenshot:
//   node scripts/screenshot.mjs [url] [out.png] [--no-gpu]
import { chromium } from '@playwright/test';

const url = process.argv[2] ?? 'http://127.0.0.1:5173/';
const out = process.argv[3] ?? 'screenshot.png';
const gpu = !process.argv.includes('--no-gpu');
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
  viewport: { width: 1500, height: 1000 },
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
await page.screenshot({ path: out, fullPage: true });
await browser.close();
