import { createServer, type Server } from 'node:net';
import { expect, test } from '@playwright/test';
import { coturnMissingReason, launchCoturn } from './harness/coturn';
import { ephemeralRange, freeTcpPort, freeUdpRange, freeUdpTcpPort } from './harness/free-ports';

/*
 * The harness's ports on a busy machine (issue 12, item 13): coturn once failed to start because
 * the port picked as free on UDP was held on TCP by another process. Run the e2e suite next to
 * `scripts/loopback-load.ts` to see the rest hold up under thousands of loopback connections.
 */

function holdTcp(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => { resolve(server); });
  });
}

test('coturn starts and answers on a port whose TCP side another process holds', async () => {
  const testInfo = test.info();
  const missing = coturnMissingReason();
  test.skip(missing !== undefined, missing);
  const relayPorts = await freeUdpRange(100);
  let port = await freeUdpTcpPort();
  while (port >= relayPorts.min && port <= relayPorts.max) port = await freeUdpTcpPort();
  const squatter = await holdTcp(port);
  try {
    const coturn = await launchCoturn(port, relayPorts, { secret: 'ports-test-secret', dir: testInfo.outputPath('coturn') });
    expect(coturn.port).toBe(port);
    await coturn.stop();
  } finally {
    await new Promise((resolve) => squatter.close(resolve));
  }
});

test('ports for coturn and a restartable server come from above the ephemeral range, free on both transports', async () => {
  const ephemeral = ephemeralRange();
  test.skip(ephemeral.max > 65_535 - 500, 'no room above the ephemeral range on this machine');
  for (let index = 0; index < 5; index += 1) {
    const both = await freeUdpTcpPort();
    expect(both).toBeGreaterThan(ephemeral.max);
    expect(await freeTcpPort()).toBeGreaterThan(ephemeral.max);
    const range = await freeUdpRange(100);
    expect(range.max - range.min).toBe(99);
    expect(range.min).toBeGreaterThan(ephemeral.max);
  }
});
