// A static file server for the browser tests: node:http on 127.0.0.1, a random free port,
// GET/HEAD of files under one root only, no directory listings (a directory serves its
// index.html), and no caching, so every page load sees the files as they are now.
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  /** e.g. http://127.0.0.1:40123 (no trailing slash) */
  origin: string;
  /** Paths requested so far, in order (the tests check what a page downloaded). */
  requests: string[];
  close(): Promise<void>;
}

/** `headers`: added to every file served (e.g. COOP/COEP for a cross-origin-isolated page). */
export async function serveStatic(root: string, headers: Record<string, string> = {}): Promise<StaticServer> {
  const base = normalize(root + sep);
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const send = (status: number, text: string) => {
      response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(text);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'GET or HEAD only');
    let decoded: string;
    try {
      decoded = decodeURIComponent(url.pathname);
    } catch {
      return send(400, 'malformed path');
    }
    let path = normalize(join(base, decoded));
    if (!path.startsWith(base)) return send(403, 'outside the served root');
    let stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      path = join(path, 'index.html');
      stat = statSync(path, { throwIfNoEntry: false });
    }
    if (!stat?.isFile()) return send(404, `not found: ${url.pathname}`);
    response.writeHead(200, {
      'content-type': TYPES[extname(path)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
      ...headers,
    });
    if (request.method === 'HEAD') return response.end();
    createReadStream(path).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    }),
  };
}
