import { defineConfig } from '@playwright/test';

// Debian's Chromium (Playwright cannot download its own browser here); override with CHROMIUM_PATH.
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const baseArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
// SwiftShader WebGPU: a real WebGPU adapter in software, on machines without a GPU.
const webgpuArgs = ['--enable-unsafe-webgpu', '--use-webgpu-adapter=swiftshader'];

export default defineConfig({
  testDir: 'e2e',
  timeout: 240_000,
  expect: { timeout: 120_000, toHaveScreenshot: { maxDiffPixelRatio: 0.01 } },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  snapshotPathTemplate: '{testDir}/__screenshots__/{testFilePath}/{arg}{ext}',
  use: {
    baseURL: 'http://127.0.0.1:4173',
    viewport: { width: 1400, height: 1000 },
    deviceScaleFactor: 1,
    acceptDownloads: true,
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /no-webgpu/,
      use: { launchOptions: { executablePath, args: [...baseArgs, ...webgpuArgs] } },
    },
    {
      name: 'no-webgpu',
      testMatch: /no-webgpu/,
      use: { launchOptions: { executablePath, args: baseArgs } },
    },
  ],
  webServer: {
    command:
      'npx vite build --logLevel warn && npx vite preview --host 127.0.0.1 --port 4173 --strictPort',
    url: 'http://127.0.0.1:4173',
    timeout: 180_000,
    reuseExistingServer: !process.env.CI,
  },
});
