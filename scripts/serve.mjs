#!/usr/bin/env node
// The demo console's server on 127.0.0.1: its API under /api/ (www/server/api.mjs, which holds
// the full example organization and gives each browser only its viewer's scoped snapshot), and
// the repository root as static files, for the console's bundle and for the browser tests that
// import /pkg/ and /tests/ directly. The console's page loads its bundle from www/dist/, which
// is served from the directory scripts/build-demo.mjs wrote for the runtime given here.
//
//   node scripts/serve.mjs [port]      (or PORT=8080; port 0 picks a free port)
//   ORGWARDEN_DEMO_RUNTIME=compiled node scripts/serve.mjs    (the console on the compiled runtime)
//
// Also importable: `startServer({ port, runtime })` resolves to { server, url }; each server
// starts from the example organization.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApi } from '../www/server/api.mjs';
import { DEMO_RUNTIMES, bundleDirectory, demoRuntime } from './build-demo.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const EXAMPLE_ORG = path.join(ROOT, 'www/example-org.json');

// The full organization and the code that holds it stay on the server: only the API answers
// from them, scoped to a viewer.
const SERVER_ONLY = ['/www/example-org.json', '/www/server/'];

/** Where the page (www/index.html) loads the console's bundle from. */
const BUNDLE_PATH = '/www/dist/';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.cedar': 'text/plain; charset=utf-8',
  '.cedarschema': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function send(res, status, body, type = 'text/plain; charset=utf-8') {
  res.writeHead(status, { 'Content-Type': type, 'Cache-Control': 'no-store' });
  res.end(body);
}

/** The repository's files, with the bundle of one runtime (its directory `bundle`) at BUNDLE_PATH. */
function staticFiles(req, res, bundle) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n');
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
  } catch {
    return send(res, 400, 'bad request\n');
  }
  if (pathname === '/') {
    res.writeHead(302, { Location: '/www/' });
    return res.end();
  }
  const file = pathname.startsWith(BUNDLE_PATH) ? path.resolve(bundle, '.' + pathname.slice(BUNDLE_PATH.length - 1)) : path.resolve(ROOT, '.' + pathname);
  // Stay inside the repository root; no dot-directories (.git, ...).
  if ((file !== ROOT && !file.startsWith(ROOT + path.sep)) || pathname.split('/').some((p) => p.startsWith('.'))) {
    return send(res, 403, 'forbidden\n');
  }
  const served = path.relative(ROOT, file).split(path.sep).join('/');
  if (SERVER_ONLY.some((hidden) => `/${served}` === hidden || `/${served}/`.startsWith(hidden))) return send(res, 404, `not found: ${pathname}\n`);
  fs.stat(file, (err, stat) => {
    if (err) return send(res, 404, `not found: ${pathname}\n`);
    if (stat.isDirectory()) {
      if (!pathname.endsWith('/')) {
        res.writeHead(301, { Location: pathname + '/' });
        return res.end();
      }
      return serveFile(req, res, path.join(file, 'index.html'), pathname);
    }
    serveFile(req, res, file, pathname);
  });
}

function serveFile(req, res, file, pathname) {
  fs.readFile(file, (err, data) => {
    if (err) return send(res, 404, `not found: ${pathname}\n`);
    const type = MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': data.length, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : data);
  });
}

export function startServer({ port = 8080, host = '127.0.0.1', runtime = 'full' } = {}) {
  const bundle = bundleDirectory(runtime);
  const api = createApi(JSON.parse(fs.readFileSync(EXAMPLE_ORG, 'utf8')));
  const handler = (req, res) => (req.url === '/api' || req.url.startsWith('/api/') ? api(req, res) : staticFiles(req, res, bundle));
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, url: `http://${host}:${actual}/www/` });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const arg = process.argv[2] ?? process.env.PORT ?? '8080';
  const port = Number(arg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve.mjs: invalid port ${JSON.stringify(arg)}`);
    process.exit(2);
  }
  let runtime;
  try {
    runtime = demoRuntime();
  } catch (error) {
    console.error(`serve.mjs: ${error.message}`);
    process.exit(2);
  }
  if (!fs.existsSync(bundleDirectory(runtime))) {
    console.error(`serve.mjs: no bundle in ${path.relative(ROOT, bundleDirectory(runtime))}/ yet: run ORGWARDEN_DEMO_RUNTIME=${runtime} node scripts/build-demo.mjs`);
  }
  startServer({ port, runtime }).then(
    ({ server, url }) => {
      console.log(`orgwarden demo (${DEMO_RUNTIMES[runtime].package} in the browser): ${url}`);
      const stop = () => server.close(() => process.exit(0));
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (error) => {
      console.error(`serve.mjs: ${error.message}`);
      process.exit(1);
    },
  );
}
