import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY } from '../../electron/core/shell-policy/csp';

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/*
 * The shell's Content Security Policy, sent as the shell sends it: a worker's script takes its
 * policy from its own response, not from the page's meta tag. Cross-origin isolation: without
 * COOP and COEP, performance.now() in a page or a worker is coarsened to 100 µs, too coarse for
 * the per-frame measurements the benchmarks take.
 */
const RESPONSE_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

export interface StaticServer {
  /** Origin with a trailing slash, e.g. http://127.0.0.1:41234/ */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A path prefix passed on to another HTTP server on loopback, as a deployment's TLS proxy passes one.
 * Only the SFU proof page (e2e/sfu-janus.harness.spec.ts) uses it: the app's pages reach Janus through their core.
 */
export interface Forward {
  prefix: string;
  to: string;
}

/**
 * Serves one folder read-only on 127.0.0.1 (a secure context, unlike about:blank), on a free port;
 * with `forward`, requests under its prefix go to that server instead (on the page's own origin,
 * so `connect-src 'self'` holds).
 */
export async function serveDirectory(rootDir: string, forward?: Forward): Promise<StaticServer> {
  const root = path.resolve(rootDir);

  const server = createServer((request, response) => {
    if (forward !== undefined && (request.url ?? '/').startsWith(forward.prefix)) {
      pass(request, response, forward.to);
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      finish(response, 405, 'method not allowed');
      return;
    }
    const file = resolveFile(root, request.url ?? '/');
    if (file === null) {
      finish(response, 404, 'not found');
      return;
    }
    stat(file).then(
      (info) => {
        if (!info.isFile()) {
          finish(response, 404, 'not found');
          return;
        }
        response.writeHead(200, {
          ...RESPONSE_HEADERS,
          'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Length': info.size,
        });
        if (request.method === 'HEAD') {
          response.end();
          return;
        }
        createReadStream(file)
          .on('error', () => response.destroy())
          .pipe(response);
      },
      () => {
        finish(response, 404, 'not found');
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => {
          if (error) reject(error);
          else resolve();
        });
      }),
  };
}

function pass(incoming: IncomingMessage, response: ServerResponse, to: string): void {
  const target = new URL(to);
  const forwarded = httpRequest(
    { host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, headers: { 'content-type': incoming.headers['content-type'] ?? 'application/json' } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, { 'Content-Type': answer.headers['content-type'] ?? 'application/json', 'Cache-Control': 'no-store' });
      answer.pipe(response);
    },
  );
  forwarded.on('error', () => {
    finish(response, 502, 'bad gateway');
  });
  incoming.pipe(forwarded);
}

/** Maps a request path to a file under root, or null when it would leave root. */
function resolveFile(root: string, requestUrl: string): string | null {
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  const relative = pathname.endsWith('/') ? `${pathname}index.html` : pathname;
  const file = path.resolve(root, `.${relative}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

function finish(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { ...RESPONSE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
  response.end(text);
}
