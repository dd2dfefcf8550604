import { build } from 'esbuild';

/** Bundles one TypeScript entry into a classic browser script (an init script, or a blob worker's source). */
export async function bundleBrowserScript(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome130',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error(`esbuild produced no bundle for ${entry}`);
  return output.text;
}
