/**
 * A plain static file server for dist/, like GitHub Pages and most static hosts: no
 * Cross-Origin-Opener-Policy or -Embedder-Policy headers, directories answer with their
 * index.html, unknown paths with 404.html. Tests use it to check what the service worker adds.
 */
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { AddressInfo } from 'node:net';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.bib': 'application/x-bibtex; charset=utf-8',
};

export interface StaticServer {
  /** Origin, e.g. http://127.0.0.1:40123 */
  origin: string;
  /** Paths requested so far (path and query), in order. */
  requests: string[];
  /** Rewrites a file's text before it is sent (e.g. to publish a "new build" of sw.js). */
  rewrite: Map<string, (text: string) => string>;
  close(): Promise<void>;
}

export async function startStaticServer(root: string, base: string): Promise<StaticServer> {
  const requests: string[] = [];
  const rewrite = new Map<string, (text: string) => string>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push(url.pathname + url.search);
    const send = async (file: string, status: number) => {
      let body: Buffer | string = await readFile(file);
      const inside = file.slice(root.length + 1).split(sep).join('/');
      const edit = rewrite.get(inside);
      if (edit) body = edit(body.toString('utf8'));
      // no-cache: a test that publishes a new sw.js must not get the old one from the HTTP cache.
      res.writeHead(status, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      res.end(body);
    };
    try {
      if (!url.pathname.startsWith(base)) throw new Error('outside the base');
      const rel = decodeURIComponent(url.pathname.slice(base.length));
      let file = normalize(join(root, rel));
      if (file !== root && !file.startsWith(root + sep)) throw new Error('outside the root');
      if ((await stat(file).catch(() => undefined))?.isDirectory()) file = join(file, 'index.html');
      await send(file, 200);
    } catch {
      await send(join(root, '404.html'), 404).catch(() => {
        res.writeHead(404).end();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    rewrite,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
