// What orgwarden/react adds to a browser bundle: the JS only (the .wasm is fetched apart and is
// the same with or without the bindings; `node scripts/size-report.mjs pkg/dist/orgwarden_bg.wasm`
// gives its size). Each row is one esbuild bundle, minified for production the way an app's
// build would make it, with its raw, gzip -9 and brotli -11 sizes:
//
//   node bench/bindings-size.mjs           (a Markdown table)
//   node bench/bindings-size.mjs --json
//
// "bindings alone" leaves 'orgwarden' and 'react' to the app (external): what importing
// orgwarden/react costs beside them. The other rows bundle everything they import, as an app
// would: the package's JS (API layer and wasm-bindgen glue), then React, then react-dom's client.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { sizes } from '../pkg/bin/sizes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const BINDINGS = "export * from 'orgwarden/react';";
const CORE = "export * from 'orgwarden';";
const RENDER = "export { createRoot } from 'react-dom/client';";

const rows = [
  // By path: an external 'orgwarden' would also take in its subpath 'orgwarden/react'.
  { name: 'bindings alone (orgwarden, react external)', source: "export * from './pkg/react/index.js';", external: ['orgwarden', 'react'] },
  { name: 'orgwarden core JS alone (no bindings)', source: CORE, external: [] },
  { name: 'bindings + orgwarden JS, without react', source: BINDINGS, external: ['react'] },
  { name: 'bindings + orgwarden JS + react', source: BINDINGS, external: [] },
  { name: 'react alone', source: "export * from 'react';", external: [] },
  { name: 'bindings + orgwarden JS + react + react-dom/client', source: `${BINDINGS}\n${RENDER}`, external: [] },
  { name: 'react + react-dom/client alone', source: `export * from 'react';\n${RENDER}`, external: [] },
];

async function measure({ source, external }) {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'entry.js', loader: 'js' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    external,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const bytes = result.outputFiles[0].contents;
  return sizes(bytes);
}

const results = [];
for (const row of rows) results.push({ bundle: row.name, ...(await measure(row)) });

if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ esbuild: esbuild.version, results }, null, 2));
} else {
  const kib = (n) => (n < 10 * 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);
  console.log(`orgwarden/react bundle sizes (esbuild ${esbuild.version}, minified, NODE_ENV=production, .wasm not included)\n`);
  console.log('| bundle | raw | gzip -9 | brotli -11 |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of results) console.log(`| ${r.bundle} | ${kib(r.raw)} | ${kib(r.gzip)} | ${kib(r.brotli)} |`);
}
