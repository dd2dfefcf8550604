import { describe, expect, it } from 'vitest';
import { TestClient, runCli, serverForSuite } from './test-support/harness.fixture';
import { randomLoopbackAddress } from './test-support/hostile-client.fixture';

/*
 * Behind a TLS proxy every socket comes from the proxy. With --trusted-proxy, the address the
 * proxy saw (the last X-Forwarded-For entry) is what per-address limits count; from any other
 * peer, the header is the client's own words and ignored.
 */

const server = serverForSuite({ args: ['--trusted-proxy', '127.0.0.1', '--max-unauthenticated-per-address', '2'] });

async function firstAnswer(localAddress: string, forwardedFor: string): Promise<string> {
  const client = await TestClient.connect(server.wsUrl, { localAddress, headers: { 'X-Forwarded-For': forwardedFor }, expectHello: false });
  return Promise.race([client.next('hello').then(() => 'hello'), client.error().then((error) => error.code)]);
}

describe('per-address limits behind a trusted proxy', () => {
  it('count the address the proxy saw, one client apart from another', async () => {
    const answers = [];
    for (const forwardedFor of ['198.51.100.1', '10.0.0.1, 198.51.100.1', '198.51.100.1', '198.51.100.2']) answers.push(await firstAnswer('127.0.0.1', forwardedFor));
    expect(answers).toEqual(['hello', 'hello', 'server-busy', 'hello']);
  });

  it('ignore the header from a peer that is not the proxy', async () => {
    const peer = randomLoopbackAddress();
    const answers = [];
    for (const forwardedFor of ['198.51.100.7', '198.51.100.8', '198.51.100.9']) answers.push(await firstAnswer(peer, forwardedFor));
    expect(answers).toEqual(['hello', 'hello', 'server-busy']);
  });

  it('refuses a trusted proxy that is not an IP address', async () => {
    const result = await runCli(['start', '--trusted-proxy', 'proxy.example.com']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--trusted-proxy 'proxy\.example\.com' must be an IP address/);
  });
});
