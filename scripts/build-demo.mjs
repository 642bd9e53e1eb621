#!/usr/bin/env node
// Bundles the demo console (www/src/main.jsx, React and the package as its "exports" offer it to
// a browser bundler) into www/dist/: app.js, and the .wasm it passes to the provider's init().
//
//   node scripts/build-demo.mjs          (prints the bundle's size)
//
// Also importable: `buildDemo()` resolves to { outdir, files } (the names written), and
// `sizeOf(file)` to its { raw, gzip, brotli } bytes.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUTDIR = path.join(ROOT, 'www/dist');

export async function buildDemo() {
  // A previous build's hashed .wasm would linger beside the new one.
  await fs.rm(OUTDIR, { recursive: true, force: true });
  const result = await esbuild.build({
    entryPoints: { app: path.join(ROOT, 'www/src/main.jsx') },
    absWorkingDir: ROOT,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    minify: true,
    legalComments: 'none',
    loader: { '.wasm': 'file' },
    define: { 'process.env.NODE_ENV': '"production"' },
    outdir: OUTDIR,
    metafile: true,
    logLevel: 'warning',
  });
  const files = Object.keys(result.metafile.outputs).map((output) => path.relative(OUTDIR, path.join(ROOT, output)));
  return { outdir: OUTDIR, files };
}

export async function sizeOf(file) {
  const bytes = await fs.readFile(file);
  return {
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { outdir, files } = await buildDemo();
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  // The .wasm is the package's own, the same with or without the console (bench/bindings-size.mjs).
  for (const name of files.filter((f) => f.endsWith('.js'))) {
    const size = await sizeOf(path.join(outdir, name));
    console.log(`www/dist/${name}: ${kib(size.raw)} raw, ${kib(size.gzip)} gzip -9, ${kib(size.brotli)} brotli -11`);
  }
}
