import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{shared,electron,renderer,server,tooling,bench}/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 20_000,
    // Vitest's default is one fewer worker than cores: one file at a time on the 2-core CI machine,
    // where most files wait on real server and redis-server processes with their CPU idle. Two files
    // at a time keep both cores busy without starving those processes' start-ups.
    maxWorkers: 2,
    // The tests start the server through bin/sealcall-server.js, which runs the bundle only while it
    // matches the sources: build it first, or after an edit every start would compile through tsx.
    globalSetup: ['scripts/build-server.ts'],
  },
});
