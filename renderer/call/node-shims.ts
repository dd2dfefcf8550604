import process from 'process';

/*
 * simple-peer is built on Node streams (readable-stream), which call `process.nextTick` through
 * the global. The page has no `process`, so the browser shim goes there before simple-peer loads:
 * simple-peer-loader.ts imports this module first. (`global` is defined as globalThis in Vite.)
 */
const scope = globalThis as { process?: object };
scope.process ??= process;
