import { runCryptoSelfTest, type SelfTestInput } from './selftest';

// A dedicated worker: one message in, one result (or error text) out.
addEventListener('message', (event: Event) => {
  const input = (event as MessageEvent<SelfTestInput>).data;
  runCryptoSelfTest(input).then(
    (result) => {
      postMessage({ ok: true, result });
    },
    (error: unknown) => {
      postMessage({ ok: false, error: String(error) });
    },
  );
});
