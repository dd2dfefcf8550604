#!/usr/bin/env node
// The `sealcall-server` command. It runs the server from its TypeScript source through tsx's
// loader (esbuild under the hood, ~0.2 s to start), so what runs is exactly what was reviewed and
// tested: no build step, no stale bundle.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli.ts');
process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
