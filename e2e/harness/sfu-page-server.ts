import { readFile } from 'node:fs/promises';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../electron/core/shell-policy/csp';

/*
 * Serves the SFU spec's page (index.html, page.js, worker.js from one folder) with the app's
 * Content Security Policy, and passes /janus to a Janus on loopback, as a deployment's TLS proxy
 * does: the page reaches Janus on its own origin, so `connect-src 'self'` holds.
 */

export interface SfuPageServer {
  /** Origin with a trailing slash. */
  readonly url: string;
  /** Janus's API as the page reaches it. */
  readonly janusUrl: string;
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

export async function serveSfuPage(dir: string, janusApiUrl: string): Promise<SfuPageServer> {
  const janus = new URL(janusApiUrl);
  const server = createServer((incoming, response) => {
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/janus')) {
      const forward = httpRequest(
        { host: janus.hostname, port: janus.port, path: `${url.pathname}${url.search}`, method: incoming.method, headers: { 'content-type': incoming.headers['content-type'] ?? 'application/json' } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json', 'cache-control': 'no-store' });
          answer.pipe(response);
        },
      );
      forward.on('error', () => {
        response.writeHead(502).end();
      });
      incoming.pipe(forward);
      return;
    }
    const name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    const type = TYPES[path.extname(name)];
    if (type === undefined || name.includes('/')) {
      response.writeHead(404).end();
      return;
    }
    readFile(path.join(dir, name)).then(
      (body) => {
        response.writeHead(200, { 'content-type': type, 'content-security-policy': CONTENT_SECURITY_POLICY, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
        response.end(body);
      },
      () => {
        response.writeHead(404).end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}/`;
  return {
    url: origin,
    janusUrl: `${origin}janus`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
}
