#!/usr/bin/env node
// The `sealcall-server` command. It runs the bundle `npm run build:server` makes when that bundle
// was built from exactly the sources on disk now (bin/server-bundle.js checks every input's bytes),
// and otherwise the TypeScript sources through tsx's loader: either way what runs is what was
// reviewed and tested, never a stale build. The bundle starts in a fraction of tsx's time, which
// the tests, starting hundreds of servers, rely on (docs/deployment.md, "Requirements").
import { pathToFileURL } from 'node:url';
import { serverBundleState } from './server-bundle.js';

const state = serverBundleState();
let cli;
if (state.fresh) {
  cli = await import(pathToFileURL(state.bundle).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../server/cli.ts');
}
process.exitCode = await cli.main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
});
