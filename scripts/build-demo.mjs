#!/usr/bin/env node
// Bundles the demo console (www/src/main.jsx, React and the package as its "exports" offer it to
// a browser bundler) into www/dist/<runtime>/: app.js, and the .wasm it passes to the provider's
// init(). scripts/serve.mjs serves the bundle of the runtime it is given at www/dist/.
//
//   node scripts/build-demo.mjs                                   (the full package)
//   ORGWARDEN_DEMO_RUNTIME=compiled node scripts/build-demo.mjs   (the compiled runtime)
//
// Prints the bundle's size. Also importable: `buildDemo(runtime)` resolves to { outdir, files }
// (the names written), and `sizeOf(file)` to its { raw, gzip, brotli } bytes.
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The builds of the package the console's browser side can run on: the package it decides with
 * (given to the bundle as process.env.ORGWARDEN_DEMO_PACKAGE, see www/src/runtime.js), and what
 * its bundle resolves the console's imports to (its source imports the full package's names).
 * The server (www/server/) stays on the full package either way: it validates policies and actions.
 *
 * The full package is the default because the console's custom policy editor puts policy text
 * into the browser's authorizer, which the compiled runtime does not run; on the compiled
 * runtime the console decides with the policies compiled into the package's module.
 */
export const DEMO_RUNTIMES = {
  full: { package: 'orgwarden', imports: {} },
  compiled: {
    package: 'orgwarden/compiled',
    imports: {
      orgwarden: 'orgwarden/compiled',
      'orgwarden/react': 'orgwarden/compiled/react',
      'orgwarden/orgwarden_bg.wasm': 'orgwarden/compiled.wasm',
    },
  },
};

/** `name` (by default the environment's ORGWARDEN_DEMO_RUNTIME, else `full`) if it is a runtime. */
export function demoRuntime(name = process.env.ORGWARDEN_DEMO_RUNTIME || 'full') {
  if (!Object.hasOwn(DEMO_RUNTIMES, name)) {
    throw new Error(`unknown demo runtime ${JSON.stringify(name)}: one of ${Object.keys(DEMO_RUNTIMES).join(', ')}`);
  }
  return name;
}

/** Where the bundle of `runtime` is written. */
export function bundleDirectory(runtime) {
  return path.join(ROOT, 'www/dist', demoRuntime(runtime));
}

/** An esbuild plugin resolving the package's names as `runtime`'s bundle does (see DEMO_RUNTIMES). */
function runtimeImports(runtime) {
  const { imports } = DEMO_RUNTIMES[demoRuntime(runtime)];
  return {
    name: `orgwarden-${runtime}`,
    setup(build) {
      build.onResolve({ filter: /^orgwarden(\/|$)/ }, ({ path: name, kind, importer, resolveDir }) =>
        Object.hasOwn(imports, name) ? build.resolve(imports[name], { kind, importer, resolveDir }) : undefined,
      );
    },
  };
}

export async function buildDemo(runtime = 'full') {
  const outdir = bundleDirectory(runtime);
  // A previous build's hashed .wasm would linger beside the new one.
  await fs.rm(outdir, { recursive: true, force: true });
  // Loaded here, not at the top: scripts/serve.mjs imports this module for the names above only.
  const esbuild = await import('esbuild');
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
    plugins: [runtimeImports(runtime)],
    define: { 'process.env.NODE_ENV': '"production"', 'process.env.ORGWARDEN_DEMO_PACKAGE': JSON.stringify(DEMO_RUNTIMES[runtime].package) },
    outdir,
    metafile: true,
    logLevel: 'warning',
  });
  const files = Object.keys(result.metafile.outputs).map((output) => path.relative(outdir, path.join(ROOT, output)));
  return { outdir, files };
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
  let runtime;
  try {
    runtime = demoRuntime();
  } catch (error) {
    console.error(`build-demo.mjs: ${error.message}`);
    process.exit(2);
  }
  const { outdir, files } = await buildDemo(runtime);
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  // The .wasm is the package's own, the same with or without the console (bench/bindings-size.mjs).
  for (const name of files.filter((f) => f.endsWith('.js'))) {
    const size = await sizeOf(path.join(outdir, name));
    console.log(`${path.relative(ROOT, path.join(outdir, name))}: ${kib(size.raw)} raw, ${kib(size.gzip)} gzip -9, ${kib(size.brotli)} brotli -11`);
  }
}
