import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, SERVER_BUNDLE_DIR, SERVER_BUNDLE_FILE, SERVER_BUNDLE_RECORD_FILE, serverBundleState } from '../bin/server-bundle.js';
import { buildServerBundle } from '../scripts/build-server';

/*
 * A stale bundle must never run: bin/sealcall-server.js runs out-server/sealcall-server.mjs only
 * while serverBundleState says it matches the files it was built from. Built here from a small
 * entry in a folder of its own, so the project's own bundle (which other test files are running)
 * is never touched.
 */
describe('the server bundle and its record of inputs', () => {
  let root: string;
  const file = (name: string): string => path.join(root, name);
  const ENTRY = "import { greeting } from './greeting';\nexport function main(): string { return greeting; }\n";
  const GREETING = "export const greeting = 'hello';\n";

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'sealcall-bundle-'));
    mkdirSync(file('src'));
    writeFileSync(file('src/entry.ts'), ENTRY);
    writeFileSync(file('src/greeting.ts'), GREETING);
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('is fresh right after a build, and runs', async () => {
    const bundle = await buildServerBundle(root, 'src/entry.ts');
    expect(bundle).toBe(path.join(root, SERVER_BUNDLE_DIR, SERVER_BUNDLE_FILE));
    expect(serverBundleState(root)).toEqual({ fresh: true, bundle });
    const ran = spawnSync(process.execPath, ['--input-type=module', '-e', `import { main } from ${JSON.stringify(bundle)}; console.log(main());`], { encoding: 'utf8' });
    expect(ran.stdout).toBe('hello\n');
  });

  it('records the build script among the inputs, so a change to how it builds is a change to the bundle', async () => {
    await buildServerBundle(root, 'src/entry.ts');
    const record = JSON.parse(readFileSync(file(`${SERVER_BUNDLE_DIR}/${SERVER_BUNDLE_RECORD_FILE}`), 'utf8')) as { inputs: string[] };
    const inputs = record.inputs.map((input) => path.resolve(root, input));
    expect(inputs).toEqual(expect.arrayContaining([file('src/entry.ts'), file('src/greeting.ts'), path.join(PROJECT_ROOT, 'scripts/build-server.ts'), path.join(PROJECT_ROOT, 'bin/server-bundle.js')]));
  });

  it('is stale once any source it was built from changes, and fresh again when the bytes are back (not by timestamps)', async () => {
    await buildServerBundle(root, 'src/entry.ts');
    writeFileSync(file('src/greeting.ts'), "export const greeting = 'hullo';\n");
    expect(serverBundleState(root)).toEqual({ fresh: false, reason: 'its sources changed since the build' });
    writeFileSync(file('src/greeting.ts'), GREETING);
    expect(serverBundleState(root).fresh).toBe(true);
  });

  it('is stale when a source it was built from is gone', async () => {
    await buildServerBundle(root, 'src/entry.ts');
    unlinkSync(file('src/greeting.ts'));
    expect(serverBundleState(root)).toEqual({ fresh: false, reason: 'the bundle or one of its sources is missing' });
  });

  it('is stale when the bundle is not the one that was built', async () => {
    const bundle = await buildServerBundle(root, 'src/entry.ts');
    writeFileSync(bundle, `${readFileSync(bundle, 'utf8')}\nconsole.log('changed');\n`);
    expect(serverBundleState(root)).toEqual({ fresh: false, reason: 'the bundle is not the one built' });
  });

  it('is not used when never built, or when its record is damaged', async () => {
    expect(serverBundleState(root)).toEqual({ fresh: false, reason: 'not built' });
    await buildServerBundle(root, 'src/entry.ts');
    writeFileSync(file(`${SERVER_BUNDLE_DIR}/${SERVER_BUNDLE_RECORD_FILE}`), '{"inputs": "src/entry.ts"}');
    expect(serverBundleState(root)).toEqual({ fresh: false, reason: 'its record of inputs is damaged' });
    writeFileSync(file(`${SERVER_BUNDLE_DIR}/${SERVER_BUNDLE_RECORD_FILE}`), 'not json');
    expect(serverBundleState(root)).toEqual({ fresh: false, reason: 'its record of inputs is damaged' });
  });
});
