import { config } from 'zod';

/*
 * The renderer's CSP (script-src 'self') forbids eval, and zod 4 compiles its object parsers with
 * `new Function` unless told not to. Under that CSP the compile throws, so every object-shaped
 * request and event failed validation in the page (and the probe alone is reported as a CSP
 * violation). shared/ipc.ts imports this first, so the preload, the harness bridge and the
 * renderer all get it before any schema is built; the main process pays a little parsing speed
 * for one behaviour everywhere.
 */
config({ jitless: true });
