// The app's own settings module (presets, settingsToQuery), bundled from TypeScript with esbuild
// so that Node scripts use the same tables as the app instead of a copy.
import { join } from 'node:path';
import * as esbuild from 'esbuild';

export async function loadAppSettings(root) {
  const out = await esbuild.build({
    entryPoints: [join(root, 'src/experiments/settings.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}
