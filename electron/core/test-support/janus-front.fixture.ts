import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A real HTTP server on loopback in front of a real Janus, for the group.janus tests: the seat's
 * URL points here, so the test sees every request a core sends (where to, with which token), and
 * can make "Janus" misbehave in ways the real one cannot (an HTML error page, JSON that is not
 * Janus's API, an answer of megabytes, no answer at all, a dropped connection, a redirect).
 */

export type FrontMode = 'pass' | 'html' | 'not-json' | 'not-janus' | 'huge' | 'hang' | 'drop' | 'redirect';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** The Janus token the request carried: the body's `token` for a POST, the query's for a poll. */
  readonly token: string | undefined;
  readonly body: Record<string, unknown> | undefined;
}

export class JanusFront {
  mode: FrontMode = 'pass';
  readonly seen: SeenRequest[] = [];
  /** Requests whose connection is still open (a hung one stays until the client gives up). */
  open = 0;

  private constructor(
    readonly url: string,
    private readonly close_: () => Promise<void>,
  ) {}

  /** `janusUrl`: the real Janus's API, e.g. http://127.0.0.1:8088/janus. */
  static async start(janusUrl: string): Promise<JanusFront> {
    const target = new URL(janusUrl);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        resolve();
      });
    });
    const { port } = server.address() as AddressInfo;
    const front = new JanusFront(`http://127.0.0.1:${port}${target.pathname}`, () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        resolve();
      });
    }));
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      front.handle(request, response, target);
    });
    return front;
  }

  close(): Promise<void> {
    return this.close_();
  }

  private handle(request: IncomingMessage, response: ServerResponse, target: URL): void {
    this.open += 1;
    response.once('close', () => {
      this.open -= 1;
    });
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const url = new URL(request.url ?? '/', 'http://front');
      let body: Record<string, unknown> | undefined;
      try {
        body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
      } catch {
        body = undefined;
      }
      const token = request.method === 'GET' ? (url.searchParams.get('token') ?? undefined) : typeof body?.['token'] === 'string' ? body['token'] : undefined;
      this.seen.push({ method: request.method ?? '', path: url.pathname, token, body });
      this.answer(request, response, target, text);
    });
  }

  private answer(request: IncomingMessage, response: ServerResponse, target: URL, text: string): void {
    switch (this.mode) {
      case 'pass': {
        const forwarded = httpRequest(
          { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: { 'content-type': 'application/json' } },
          (answer) => {
            response.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/octet-stream' });
            answer.pipe(response);
          },
        );
        forwarded.on('error', () => response.destroy());
        forwarded.end(text);
        return;
      }
      case 'html':
        response.writeHead(502, { 'content-type': 'text/html' });
        response.end('<html><body>Bad Gateway</body></html>');
        return;
      case 'not-json':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"janus": "success", ');
        return;
      case 'not-janus':
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ hello: 'world', data: { id: 1 } }));
        return;
      case 'huge': {
        // Valid JSON of 2 MiB, streamed without a length.
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"janus":"success","filler":"');
        const block = 'x'.repeat(64 * 1024);
        for (let i = 0; i < 32; i += 1) response.write(block);
        response.end('"}');
        return;
      }
      case 'hang':
        return;
      case 'drop':
        request.socket.destroy();
        return;
      case 'redirect':
        response.writeHead(307, { location: `${target.origin}${request.url ?? ''}` });
        response.end();
        return;
    }
  }
}
