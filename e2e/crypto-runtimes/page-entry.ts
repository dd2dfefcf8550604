import { runCryptoSelfTest } from './selftest';

// The spec calls this through page.evaluate.
Object.assign(globalThis, { runCryptoSelfTest });
