// The packed package in the toolchains its users build with (node --test tests/consumers/).
//
// Once per run: `npm pack` of pkg/ into a temporary directory, and the tools of
// tests/consumers/tools/ (exact versions, package-lock.json) installed with `npm ci` into
// another. Then each consumer gets a throwaway project that installs the tarball with npm, like
// a user's would, imports only what the package's "exports" offer, builds with the shared tools
// (referenced by path, never installed into the project), runs the result — in Node, Deno,
// headless Chromium or workerd — and asserts real decisions (./shared/decide.js), not a load.
// The README's Node, Vite (page and server) and Cloudflare Worker samples are extracted and run
// as written, and orgwarden/react renders decisions with React installed beside the tarball.
// The compiled runtime is tested as its users get it: one project with binaryen as its dev
// dependency runs `npx orgwarden compile` on a policy of its own, once per run, and its
// authz.wasm serves the README's compiled Node and Worker samples and a Vite page.
//
// Everything goes under one directory in TMPDIR, removed at the end (set
// ORGWARDEN_KEEP_CONSUMERS=1 to keep it for a look). A failing command's error shows the
// command, its directory and the tail of its stderr.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { Miniflare } from 'miniflare';
import { run, resultLine, copyInto, readmeSample, withoutComments, documentedAnswer, assertShows, serveDirectory, openPage } from './harness.mjs';
import { expected } from './shared/decide.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const FIXTURE = path.join(ROOT, 'tests/fixtures/small-org.json');
const src = (...parts) => path.join(HERE, ...parts);
const README = await fs.readFile(path.join(ROOT, 'README.md'), 'utf8');

let work; // the run's directory
let tarball; // the packed package
let packedFiles; // what `npm pack` put in it
let packedSizes; // its bytes packed and installed, as npm counts them
let tools; // the shared tools project
let env; // the environment of every command
let browser; // one headless Chromium, launched on first use

const bin = (name) => path.join(tools, 'node_modules/.bin', name);
/**
 * `deno run` of `file` in `cwd`, whatever its exit code. The Node entries read their .wasm from
 * npm's node_modules: read permission, nothing else. An unreachable registry shows that Deno
 * downloads nothing and uses npm's node_modules.
 */
const deno = (file, cwd) =>
  run(bin('deno'), ['run', '--allow-read', file], { cwd, env: { ...env, NPM_CONFIG_REGISTRY: 'http://127.0.0.1:9/' }, allowFailure: true });
const log = (message) => process.stderr.write(`consumers: ${message}\n`);
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

before(
  async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'orgwarden-consumers-'));
    env = {
      ...process.env,
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      CI: '1',
      // Deno's cache, and wrangler's config, logs and metrics id, stay in this run's directory.
      DENO_DIR: path.join(work, 'deno-dir'),
      DENO_NO_UPDATE_CHECK: '1',
      XDG_CONFIG_HOME: path.join(work, 'config'),
      WRANGLER_SEND_METRICS: 'false',
      WRANGLER_LOG_PATH: path.join(work, 'wrangler-logs'),
      // So does what the tools leave in the temporary directory (wrangler's update check).
      TMPDIR: path.join(work, 'tmp'),
    };
    await fs.mkdir(env.TMPDIR);
    // The node:test runner marks its children; the tools' own processes are not tests.
    delete env.NODE_TEST_CONTEXT;

    tools = path.join(work, 'tools');
    await copyInto(tools, { 'package.json': src('tools/package.json'), 'package-lock.json': src('tools/package-lock.json') });
    const started = Date.now();
    const [packed] = await Promise.all([
      run('npm', ['pack', path.join(ROOT, 'pkg'), '--pack-destination', work, '--json'], { cwd: work, env }),
      // No install scripts: every tool here works without them (esbuild, workerd and deno find
      // their platform binary package at run time), and npm 11 would skip them anyway.
      run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: tools, env, timeout: 400_000 }),
    ]);
    const [manifest] = JSON.parse(packed.stdout);
    tarball = path.join(work, manifest.filename);
    packedFiles = manifest.files.map((file) => file.path).sort();
    packedSizes = { packed: manifest.size, installed: manifest.unpackedSize };
    // A package packed while pkg/dist is missing or half-written fails every consumer alike.
    const wasm = manifest.files.find((file) => file.path === 'dist/orgwarden_bg.wasm');
    assert.ok(wasm?.size > 1024, `the tarball's dist/orgwarden_bg.wasm is ${wasm ? `${wasm.size} bytes` : 'missing'}: build pkg/dist first (bash scripts/build-wasm.sh)`);
    log(`packed ${path.basename(tarball)} and installed the tools in ${seconds(started)} (${work})`);
    // `orgwarden compile` (the longest step by far) starts now and runs beside the consumers
    // before its own; a filtered run leaves it to the first test that needs it. Its failure is
    // reported by those tests.
    if (!process.execArgv.some((arg) => /^--test-(name-pattern|skip-pattern|only)/.test(arg))) compiledDir().catch(() => {});
  },
  { timeout: 420_000 },
);

after(async () => {
  // Not to remove the directory under a compile still running (its tests filtered out or failed).
  await compileProject?.catch(() => {});
  await browser?.close();
  if (!work) return;
  if (process.env.ORGWARDEN_KEEP_CONSUMERS) log(`kept ${work}`);
  else await fs.rm(work, { recursive: true, force: true });
});

/**
 * A throwaway project `name` with the tarball installed by npm and `files` copied in;
 * `devDependencies` (name: exact version) are in its package.json and installed with it.
 */
async function project(name, files = {}, { devDependencies } = {}) {
  const dir = path.join(work, name);
  await fs.mkdir(dir, { recursive: true });
  const manifest = { name: `orgwarden-consumer-${name}`, private: true, type: 'module', devDependencies };
  await fs.writeFile(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  const started = Date.now();
  await run('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, env });
  log(`${name}: installed the tarball in ${seconds(started)}`);
  await copyInto(dir, { 'decide.js': src('shared/decide.js'), 'small-org.json': FIXTURE, ...files });
  return dir;
}

async function chromiumBrowser() {
  browser ??= await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
  return browser;
}

/**
 * Serves `dir`, opens `page` there, and asserts a clean load and the answer in #result: with
 * `check(answer, where)`, or equal to the decisions of shared/decide.js.
 */
async function assertPageDecides(dir, page = '', check = (answer, where) => assert.deepEqual(answer, expected, where)) {
  const server = await serveDirectory(dir);
  try {
    const opened = await openPage(await chromiumBrowser(), server.url + page);
    const text = await opened.page.textContent('#result');
    await opened.page.close();
    assert.deepEqual(opened.problems, [], `the page ${page || '/'} met problems`);
    assert.ok(!text.startsWith('ERROR'), `the page ${page || '/'} failed: ${text}`);
    check(JSON.parse(text), `the page ${page || '/'}`);
  } finally {
    await server.close();
  }
}

/**
 * A module made of the README's ```js block `index` under `heading`, as written, after the
 * lines `before` (what the sample leaves to its context) and followed by the lines `after`
 * (what reports how it went).
 */
function readmeModule(heading, index, { before = [], after = [] } = {}) {
  return [
    `// Written by tests/consumers/run.test.mjs: README.md's \`\`\`js block ${index + 1} under "${heading}",`,
    '// as written, between lines that give it what it leaves to its context and report the outcome.',
    ...before,
    readmeSample(README, heading, index),
    ...after,
    '',
  ].join('\n');
}

/**
 * The README's Node sample for `userId`; it prints that it got through (it throws "forbidden"
 * otherwise).
 */
function readmeNodeProgram(userId) {
  return readmeModule('### Node (and Deno)', 0, {
    before: [`const userId = ${JSON.stringify(userId)}, orgId = 'acme';`],
    after: ["console.log('RESULT \"allowed\"');"],
  });
}

test('the README states the package\'s size packed and installed, as npm counts them, to the tenth of a MiB', () => {
  const stated = README.match(/\(([\d.]+) MiB packed, ([\d.]+) MiB installed\)/);
  assert.ok(stated, 'README.md states no "(… MiB packed, … MiB installed)"');
  const mib = (bytes) => bytes / 1048576;
  for (const [index, key] of [[1, 'packed'], [2, 'installed']]) {
    const actual = mib(packedSizes[key]);
    assert.ok(Math.abs(Number(stated[index]) - actual) <= 0.1, `README says ${stated[index]} MiB ${key}, npm counts ${actual.toFixed(2)} MiB`);
  }
});

// --- Node ------------------------------------------------------------------------------------

let nodeProject;
const nodeDir = () =>
  (nodeProject ??= project('node', {
    'esm.mjs': src('node/esm.mjs'),
    'cjs.cjs': src('node/cjs.cjs'),
    'org.json': FIXTURE,
  }));

test('the tarball holds exactly what the package ships; publint and arethetypeswrong find no problem', async () => {
  // What a user downloads: the entries, the JS layer, the command (with what `orgwarden compile`
  // runs), the generated modules, glue and declarations, and the compiled runtime's source module
  // that the command builds from; no sources, tests or build leftovers.
  assert.deepEqual(packedFiles, [
    'README.md',
    'bin/compile.mjs',
    'bin/optimize.mjs',
    'bin/orgwarden.mjs',
    'bin/preinitialize.mjs',
    'bin/report.mjs',
    'bin/sizes.mjs',
    'bin/types.mjs',
    'dist/names.d.ts',
    'dist/orgwarden.d.ts',
    'dist/orgwarden.js',
    'dist/orgwarden_bg.wasm',
    'dist/orgwarden_bg.wasm.d.ts',
    'dist/orgwarden_compiled.d.ts',
    'dist/orgwarden_compiled.js',
    'dist/orgwarden_compiled_bg.wasm',
    'dist/orgwarden_compiled_source.wasm',
    'entries/auto.d.ts',
    'entries/compiled-node.js',
    'entries/compiled.d.ts',
    'entries/compiled.js',
    'entries/node.js',
    'entries/web.d.ts',
    'entries/web.js',
    'entries/workerd.js',
    'lib/arguments.js',
    'lib/authorizer.js',
    'lib/entry.js',
    'lib/index.d.ts',
    'lib/index.js',
    'lib/module.js',
    'lib/orgs.d.ts',
    'lib/orgs.js',
    'lib/sources.js',
    'package.json',
    'react/bindings.js',
    'react/compiled.d.ts',
    'react/compiled.js',
    'react/index.d.ts',
    'react/index.js',
  ]);
  const lint = await run(bin('publint'), ['run', '--strict', tarball], { cwd: work, env });
  assert.doesNotMatch(lint.stdout, /Errors:|Warnings:/, lint.stdout);
  // Ignored on purpose: `require()` of this ES module is what Node 20.19+ and 22.12+ do (the
  // package's engines), which attw does not model; node10 resolution has no `exports`; and the
  // raw .wasm exports are bytes or a URL depending on the bundler, so they have no declarations.
  await run(
    bin('attw'),
    [
      tarball,
      ...['--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm'],
      ...['--exclude-entrypoints', './orgwarden_bg.wasm', './compiled.wasm', '--format', 'ascii'],
    ],
    { cwd: work, env },
  );
});

test('Node, ES module: import { Authorizer } from "orgwarden" decides without init()', async () => {
  const dir = await nodeDir();
  const { stdout } = await run(process.execPath, ['esm.mjs'], { cwd: dir, env });
  assert.deepEqual(resultLine(stdout), expected);
});

test(
  'Node, CommonJS: require("orgwarden") decides',
  { skip: !process.features.require_module && `Node ${process.version} cannot require() an ES module` },
  async () => {
    const dir = await nodeDir();
    const { stdout } = await run(process.execPath, ['cjs.cjs'], { cwd: dir, env });
    assert.deepEqual(resultLine(stdout), expected);
  },
);

/**
 * A directory in the Node project holding the README's own organization ("The organization
 * snapshot", its comments taken out) as org.json, which the README's samples read.
 */
async function readmeOrgDir() {
  const dir = path.join(await nodeDir(), 'readme-org');
  await fs.mkdir(dir, { recursive: true });
  const snapshot = withoutComments(readmeSample(README, '## The organization snapshot', 0, 'jsonc'));
  await fs.writeFile(path.join(dir, 'org.json'), snapshot);
  return dir;
}

test('Node: the README\'s snapshot loads, and "The JavaScript API" samples on it answer what their comments show, as written', async () => {
  const dir = await readmeOrgDir();
  const [api, list] = [0, 1].map((index) => readmeSample(README, '## The JavaScript API', index));
  await fs.writeFile(
    path.join(dir, 'readme-api.mjs'),
    [
      "import { readFileSync } from 'node:fs';",
      "const snapshot = JSON.parse(readFileSync('org.json', 'utf8'));",
      api,
      list,
      "console.log('RESULT ' + JSON.stringify({ loaded: authz.loadSnapshot(snapshot), decision, keys }));",
    ].join('\n'),
  );
  const { loaded, decision, keys } = resultLine((await run(process.execPath, ['readme-api.mjs'], { cwd: dir, env })).stdout);
  assert.equal(loaded.type, 'success', JSON.stringify(loaded));
  assertShows(decision, documentedAnswer(api, 'const decision'), 'decision');
  assertShows(keys, documentedAnswer(list, 'const keys'), 'keys');
});

test('Node: the README\'s "Node (and Deno)" sample runs as written on the README\'s snapshot: the owner passes, a member throws', async () => {
  const dir = await readmeOrgDir();
  await fs.writeFile(path.join(dir, 'readme-olivia.mjs'), readmeNodeProgram('olivia'));
  await fs.writeFile(path.join(dir, 'readme-mia.mjs'), readmeNodeProgram('mia'));
  const allowed = await run(process.execPath, ['readme-olivia.mjs'], { cwd: dir, env });
  assert.equal(resultLine(allowed.stdout), 'allowed');
  const refused = await run(process.execPath, ['readme-mia.mjs'], { cwd: dir, env, allowFailure: true });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /Error: forbidden/);
});

// --- TypeScript ------------------------------------------------------------------------------

test('TypeScript 7 and 5.9: tsc --noEmit, strict, moduleResolution bundler, node16 and nodenext; `npx orgwarden types`', async () => {
  const files = {};
  for (const name of ['usage.ts', 'web.ts', 'esbuild.ts', 'wasm.d.ts', 'custom.ts', 'schema.cedarschema']) {
    files[name] = src('typescript', name);
  }
  for (const resolution of ['bundler', 'node16', 'nodenext']) {
    files[`tsconfig.${resolution}.json`] = src('typescript', `tsconfig.${resolution}.json`);
  }
  const dir = await project('typescript', files);
  // The package's command line, from the install, writes the names custom.ts is typed with.
  await run('npx', ['--no', 'orgwarden', 'types', 'schema.cedarschema', '-o', 'authz-names.d.ts'], { cwd: dir, env });
  const compilers = {
    'TypeScript 7': [bin('tsc')],
    'TypeScript 5.9': [process.execPath, path.join(tools, 'node_modules/typescript5/bin/tsc')],
  };
  const checks = [];
  for (const [version, [command, ...prefix]] of Object.entries(compilers)) {
    for (const resolution of ['bundler', 'node16', 'nodenext']) {
      checks.push(
        run(command, [...prefix, '-p', `tsconfig.${resolution}.json`], { cwd: dir, env }).catch((error) => {
          throw new Error(`${version}, moduleResolution ${resolution}:\n${error.message}`);
        }),
      );
    }
  }
  await Promise.all(checks);
});

// --- Vite ------------------------------------------------------------------------------------

/**
 * The README's server sample ("### Browser, with Vite", second block) as a module, after the two
 * functions it leaves to its context: the signed-in user from a `user` cookie, and the full
 * organization from the fixture.
 */
function readmeServerModule() {
  return readmeModule('### Browser, with Vite', 1, {
    before: [
      "import { readFileSync } from 'node:fs';",
      "const sessionUser = (req) => /(?:^|; )user=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];",
      "const loadOrganization = () => JSON.parse(readFileSync(new URL('./small-org.json', import.meta.url), 'utf8'));",
    ],
  });
}

test('Vite 8: vite build of a page importing "orgwarden", in Chromium; and the README\'s Vite sample with its server', async () => {
  const dir = await project('vite', {
    'index.html': src('vite/index.html'),
    'main.js': src('vite/main.js'),
  });
  await fs.writeFile(
    path.join(dir, 'readme.js'),
    readmeModule('### Browser, with Vite', 0, {
      before: ["const me = new URLSearchParams(location.search).get('me'), org = 'acme';"],
      after: ["document.body.dataset.readme = 'done';"],
    }),
  );
  await fs.writeFile(path.join(dir, 'readme-server.mjs'), readmeServerModule());
  await run(bin('vite'), ['build'], { cwd: dir, env });
  const assets = await fs.readdir(path.join(dir, 'dist/assets'));
  assert.ok(assets.some((name) => name.endsWith('.wasm')), `vite emitted the .wasm: ${assets}`);

  // The README's server: its handler, with the tarball installed in the project, answers
  // /api/org-snapshot beside the build.
  const { orgSnapshot } = await import(pathToFileURL(path.join(dir, 'readme-server.mjs')).href);
  const server = await serveDirectory(path.join(dir, 'dist'), { routes: { '/api/org-snapshot': orgSnapshot } });
  try {
    const opened = await openPage(await chromiumBrowser(), `${server.url}?me=olivia`, undefined, { cookies: [{ name: 'user', value: 'olivia' }] });
    const text = await opened.page.textContent('#result');
    await opened.page.close();
    assert.deepEqual(opened.problems, []);
    assert.deepEqual(JSON.parse(text), expected);

    // The README sample: the invite button follows allowedActions, on the user's scoped snapshot.
    for (const [me, disabled] of [['adam', false], ['mia', true]]) {
      const cookies = [{ name: 'user', value: me }];
      const { page, problems } = await openPage(await chromiumBrowser(), `${server.url}?me=${me}`, 'body[data-readme=done]', { cookies });
      assert.deepEqual(problems, []);
      assert.equal(await page.isDisabled('#invite'), disabled, `#invite for ${me}`);
      await page.close();
    }
    // What the server sends: mia's organization only, and nothing to a user it does not know.
    const scoped = await fetch(new URL('/api/org-snapshot', server.url), { headers: { cookie: 'user=mia' } });
    assert.equal(scoped.status, 200);
    const body = await scoped.text();
    assert.deepEqual(JSON.parse(body).organizations.map((o) => o.id), ['acme']);
    assert.ok(!body.includes('oscar@globex.test'), 'another organization\'s member reached the browser');
    const stranger = await fetch(new URL('/api/org-snapshot', server.url), { headers: { cookie: 'user=mallory' } });
    assert.equal(stranger.status, 403);
    // The codes alone: a refusal's messages are about the full snapshot, for the server's log.
    assert.deepEqual(await stranger.json(), { errors: [{ code: 'UNKNOWN_PRINCIPAL' }] });
  } finally {
    await server.close();
  }
});

// --- React ----------------------------------------------------------------------------------

test('orgwarden/react with React 19 beside the tarball, bundled by Vite: <Can> and useCheck render real decisions in Chromium', async () => {
  const dir = await project('react', { 'index.html': src('react/index.html'), 'main.jsx': src('react/main.jsx') });
  // React as the application's own dependency, at the tools' pinned versions (their lockfile),
  // installed from the tools' copies rather than downloaded again.
  const installed = (name) => path.join(tools, 'node_modules', name);
  await run('npm', ['install', installed('react'), installed('react-dom'), '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir, env });
  await run(bin('vite'), ['build'], { cwd: dir, env });
  assert.ok((await fs.readdir(path.join(dir, 'dist/assets'))).some((name) => name.endsWith('.wasm')), 'vite emitted the .wasm');

  const server = await serveDirectory(path.join(dir, 'dist'));
  try {
    const { page, problems } = await openPage(await chromiumBrowser(), server.url, '#decisions, #error');
    const rendered = await page.$$eval('#decisions li', (items) =>
      items.map((li) => ({
        user: li.dataset.user,
        buttons: [...li.querySelectorAll('button')].map((b) => b.className),
        text: li.textContent,
        rename: { allowed: li.querySelector('.rename').dataset.allowed, cause: li.querySelector('.rename').dataset.cause },
      })),
    );
    // $eval fails at once when there is no #error; textContent would wait 30 s for one to appear.
    const error = await page.$eval('#error', (element) => element.textContent).catch(() => null);
    await page.close();
    assert.deepEqual(problems, []);
    assert.equal(error, null, `the provider failed: ${error}`);
    const byUser = Object.fromEntries(rendered.map((r) => [r.user, r]));
    // The owner gets every button; the admin may invite and see billing but not delete; the member
    // gets none, with BILL-1's reason in place of the billing button; a stranger is denied all.
    assert.deepEqual(byUser.olivia.buttons, ['invite', 'delete', 'billing']);
    assert.deepEqual(byUser.adam.buttons, ['invite', 'billing']);
    assert.match(byUser.adam.text, /denied/);
    assert.deepEqual(byUser.mia.buttons, []);
    assert.match(byUser.mia.text, /Only admins and owners see billing, invoices, earnings and usage/);
    assert.deepEqual(byUser.mallory.buttons, []);
    assert.deepEqual(byUser.olivia.rename, { allowed: 'true', cause: 'permitted' });
    assert.deepEqual(byUser.mia.rename, { allowed: 'false', cause: 'notPermitted' });
    assert.deepEqual(byUser.mallory.rename, { allowed: 'false', cause: 'failure' });
  } finally {
    await server.close();
  }
});

// --- esbuild ---------------------------------------------------------------------------------

test('esbuild, browser: --format=esm with the .wasm as a file loader URL, or copied beside the bundle; in Chromium', async () => {
  const dir = await project('esbuild-browser', {
    'browser-url.js': src('esbuild/browser-url.js'),
    'browser-copy.js': src('esbuild/browser-copy.js'),
  });
  // The README's commands ("### esbuild").
  await run(bin('esbuild'), ['browser-url.js', '--bundle', '--format=esm', '--loader:.wasm=file', '--outdir=dist/url'], { cwd: dir, env });
  await run(bin('esbuild'), ['browser-copy.js', '--bundle', '--format=esm', '--outdir=dist/copy'], { cwd: dir, env });
  // The copy recipe: the .wasm through the package's "./orgwarden_bg.wasm" export.
  const resolved = await run(process.execPath, ['-p', "require.resolve('orgwarden/orgwarden_bg.wasm')"], { cwd: dir, env });
  await fs.copyFile(resolved.stdout.trim(), path.join(dir, 'dist/copy/orgwarden_bg.wasm'));

  const html = await fs.readFile(src('esbuild/index.html'), 'utf8');
  for (const variant of ['url', 'copy']) {
    await fs.writeFile(path.join(dir, `dist/${variant}/index.html`), html.replace('ENTRY', `browser-${variant}`));
  }
  assert.ok((await fs.readdir(path.join(dir, 'dist/url'))).some((name) => /^orgwarden_bg-.*\.wasm$/.test(name)));
  await assertPageDecides(path.join(dir, 'dist'), 'url/');
  await assertPageDecides(path.join(dir, 'dist'), 'copy/');
});

let esbuildNodeProject;
const esbuildNodeDir = () =>
  (esbuildNodeProject ??= project('esbuild-node', {
    'node-external.js': src('esbuild/node-external.js'),
    'node-embedded.js': src('esbuild/node-embedded.js'),
    'inlined.js': src('node/esm.mjs'),
  }));

test('esbuild, Node: --packages=external, and one self-contained file with --loader:.wasm=binary', async () => {
  const dir = await esbuildNodeDir();
  const common = ['--bundle', '--platform=node', '--format=esm', '--target=node20'];
  await run(bin('esbuild'), ['node-external.js', ...common, '--packages=external', '--outfile=out/external.mjs'], { cwd: dir, env });
  const external = await run(process.execPath, ['out/external.mjs', 'small-org.json'], { cwd: dir, env });
  assert.deepEqual(resultLine(external.stdout), expected);

  await run(bin('esbuild'), ['node-embedded.js', ...common, '--loader:.wasm=binary', '--outfile=out/embedded.mjs'], { cwd: dir, env });
  // Run from a directory with no node_modules anywhere above it: the bundle is all it needs.
  const alone = await fs.mkdtemp(path.join(work, 'alone-'));
  await fs.copyFile(path.join(dir, 'out/embedded.mjs'), path.join(alone, 'embedded.mjs'));
  const embedded = await run(process.execPath, ['embedded.mjs', FIXTURE], { cwd: alone, env });
  assert.deepEqual(resultLine(embedded.stdout), expected);
});

test('esbuild, Node: with the package inlined, the Node entry\'s initialization survives bundling ("sideEffects")', async () => {
  const dir = await esbuildNodeDir();
  await run(bin('esbuild'), ['inlined.js', '--bundle', '--platform=node', '--format=esm', '--outfile=out/inlined.mjs'], { cwd: dir, env });
  const bundle = await fs.readFile(path.join(dir, 'out/inlined.mjs'), 'utf8');
  assert.ok(bundle.includes('new URL("../dist/orgwarden_bg.wasm", import.meta.url)'), 'the Node entry is in the bundle');
  // The entry reads its .wasm relative to its own module, which is now the bundle: give it the
  // file where it looks (out/../dist/) to see the kept initialization at work.
  await fs.mkdir(path.join(dir, 'dist'), { recursive: true });
  await fs.copyFile(path.join(dir, 'node_modules/orgwarden/dist/orgwarden_bg.wasm'), path.join(dir, 'dist/orgwarden_bg.wasm'));
  await fs.copyFile(path.join(dir, 'small-org.json'), path.join(dir, 'out/small-org.json'));
  const { stdout } = await run(process.execPath, ['out/inlined.mjs'], { cwd: dir, env });
  assert.deepEqual(resultLine(stdout), expected);
});

test(
  'esbuild, Node: a bundle that inlined the Node entry, run without the .wasm, says which recipes work',
  async () => {
    const dir = await esbuildNodeDir();
    const alone = await fs.mkdtemp(path.join(work, 'inlined-'));
    await run(bin('esbuild'), ['inlined.js', '--bundle', '--platform=node', '--format=esm', `--outfile=${alone}/inlined.mjs`], { cwd: dir, env });
    await fs.copyFile(FIXTURE, path.join(alone, 'small-org.json'));
    // Not a supported layout (the entry reads ../dist/orgwarden_bg.wasm beside itself), but the
    // failure must name the two that work rather than a bare ENOENT.
    const { code, stderr } = await run(process.execPath, ['inlined.mjs'], { cwd: alone, env, allowFailure: true });
    assert.notEqual(code, 0);
    assert.match(stderr, /orgwarden: cannot read its WebAssembly module/);
    assert.match(stderr, /--packages=external/);
    assert.match(stderr, /--loader:\.wasm=binary/);
  },
);

// --- webpack ---------------------------------------------------------------------------------

test('webpack 5: production build of a page importing "orgwarden", in Chromium', async () => {
  const dir = await project('webpack', {
    'webpack.config.js': src('webpack/webpack.config.js'),
    'main.js': src('webpack/main.js'),
  });
  await run(bin('webpack'), ['--config', 'webpack.config.js'], { cwd: dir, env });
  await fs.copyFile(src('webpack/index.html'), path.join(dir, 'dist/index.html'));
  assert.ok((await fs.readdir(path.join(dir, 'dist'))).some((name) => name.endsWith('.wasm')), 'webpack emitted the .wasm');
  await assertPageDecides(path.join(dir, 'dist'));
});

// --- Cloudflare Workers ------------------------------------------------------------------------

/**
 * The README Worker `sample` (its block `index`) written as worker.js into a project with
 * `toml` (wrangler/wrangler.toml unless given) and `files`, bundled by `wrangler deploy
 * --dry-run` and run in workerd (miniflare, with `durableObjects` when given):
 * `requests(as, wasm, mf)` gets `as(user, headers?)`, the worker's response to a request from
 * that user, the names of the .wasm modules wrangler emitted beside worker.js, and miniflare.
 */
async function readmeWorker(name, [heading, index], files, requests, { toml = 'wrangler/wrangler.toml', durableObjects } = {}) {
  const dir = await project(name, { 'wrangler.toml': src(toml), 'org.json': FIXTURE, ...files });
  await fs.writeFile(path.join(dir, 'worker.js'), readmeSample(README, heading, index));
  await run(bin('wrangler'), ['deploy', '--dry-run', '--outdir', 'dist'], { cwd: dir, env });
  const out = path.join(dir, 'dist');
  const wasm = (await fs.readdir(out)).filter((file) => file.endsWith('.wasm')).map((file) => path.join(out, file));

  const mf = new Miniflare({
    modules: true,
    scriptPath: path.join(out, 'worker.js'),
    modulesRoot: out,
    modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: '2026-04-01',
    // Without this miniflare fetches request.cf data from the network.
    cf: false,
    ...(durableObjects ? { durableObjects } : {}),
  });
  try {
    const as = (user, headers = {}) => mf.dispatchFetch('http://worker.test/', { headers: { 'x-user-id': user, ...headers } });
    await requests(as, wasm, mf);
  } finally {
    await mf.dispose();
  }
}

test('wrangler + workerd: the README\'s Cloudflare Worker, byte for byte, bundled by wrangler, in workerd', async () => {
  await readmeWorker('wrangler', ['### Cloudflare Worker', 0], {}, async (as, wasm) => {
    assert.equal(wasm.length, 1, 'wrangler kept the .wasm as a module');
    const admin = await as('adam');
    assert.equal(admin.status, 200);
    assert.equal(await admin.text(), 'ok');
    const member = await as('mia');
    assert.equal(member.status, 403);
    const refused = await member.json();
    assert.equal(refused.allowed, false);
    assert.equal(refused.cause, 'notPermitted');
    assert.equal(refused.requirements[0].id, 'bill1-admins-view-billing');
    const stranger = await as('mallory');
    assert.equal(stranger.status, 403);
    // A failure reaches the caller as its codes alone: its message quotes the request.
    assert.deepEqual(await stranger.json(), { allowed: false, errors: [{ code: 'UNKNOWN_PRINCIPAL' }] });
  });
});

test('wrangler + workerd: the README\'s Durable Object Worker, byte for byte, bundled by wrangler, in workerd with its SQLite-backed class', async () => {
  const options = { toml: 'wrangler/durable.toml', durableObjects: { ORG_SNAPSHOTS: { className: 'OrgSnapshots', useSQLite: true } } };
  await readmeWorker('wrangler-durable', ['### Many organizations at the edge', 2], {}, async (as, wasm, mf) => {
    assert.equal(wasm.length, 1, 'wrangler kept the .wasm as a module');
    // The backend's writes, through miniflare's binding: the fixture as the object of `acme`.
    const namespace = await mf.getDurableObjectNamespace('ORG_SNAPSHOTS');
    const put = async (snapshot) => {
      const response = await namespace.get(namespace.idFromName('acme')).fetch('https://orgwarden/orgs/acme', { method: 'PUT', body: JSON.stringify(snapshot) });
      assert.equal(response.status, 204);
    };
    // acme alone: the object of an org holds that org (a file of two is refused, ORG_MISMATCH).
    const whole = JSON.parse(await fs.readFile(FIXTURE, 'utf8'));
    const fixture = { users: whole.users, organizations: whole.organizations.filter((o) => o.id === 'acme') };
    await put(fixture);
    const pair = await namespace.get(namespace.idFromName('pair')).fetch('https://orgwarden/orgs/pair', { method: 'PUT', body: JSON.stringify(whole) });
    assert.equal(pair.status, 204);
    assert.deepEqual(await (await as('adam', { 'x-org-id': 'pair' })).json(), { allowed: false, errors: [{ code: 'ORG_MISMATCH' }] });
    const inAcme = (user) => as(user, { 'x-org-id': 'acme' });
    const admin = await inAcme('adam');
    assert.equal(admin.status, 200);
    assert.equal(await admin.text(), 'ok');
    const member = await inAcme('mia');
    assert.equal(member.status, 403);
    assert.equal((await member.json()).cause, 'notPermitted');
    // Promoted in the object: the next request is decided on it.
    fixture.organizations.find((o) => o.id === 'acme').members.find((m) => m.user === 'mia').role = 'admin';
    await put(fixture);
    assert.equal((await inAcme('mia')).status, 200);
    const elsewhere = await as('adam', { 'x-org-id': 'initech' });
    assert.deepEqual(await elsewhere.json(), { allowed: false, errors: [{ code: 'ORG_NOT_FOUND' }] });
  }, options);
});

// --- Deno ------------------------------------------------------------------------------------

test('Deno: the "deno" export from an npm-installed node_modules decides; and the README\'s Node sample', async () => {
  const dir = await project('deno', { 'main.js': src('deno/main.js'), 'org.json': FIXTURE });
  const main = await deno('main.js', dir);
  assert.equal(main.code, 0, main.stderr);
  assert.deepEqual(resultLine(main.stdout), expected);

  await fs.writeFile(path.join(dir, 'readme-olivia.mjs'), readmeNodeProgram('olivia'));
  await fs.writeFile(path.join(dir, 'readme-mia.mjs'), readmeNodeProgram('mia'));
  const allowed = await deno('readme-olivia.mjs', dir);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.equal(resultLine(allowed.stdout), 'allowed');
  const refused = await deno('readme-mia.mjs', dir);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /Error: forbidden/);
});

// --- Compiled runtime ------------------------------------------------------------------------

const COMPILED_SECTION = '## Policies compiled ahead of time';
// The binaryen `orgwarden compile` is tested with: the one the package's own build uses.
const BINARYEN = JSON.parse(await fs.readFile(path.join(ROOT, 'package.json'), 'utf8')).devDependencies.binaryen;
const CUSTOM_SOURCE = 'policies/usage.cedar';

/**
 * What shared/compiled.js reports on the fixture: the default policies' decisions hold either
 * way; usage.cedar lets a member see usage where it is compiled in (`custom`), and every call
 * that needs policy text answers COMPILED_RUNTIME.
 */
function compiledReport(custom) {
  return {
    decisions: expected,
    loaded: 'success',
    memberSeesUsage: custom
      ? { allowed: true, cause: 'permitted', reason: 'At Acme every member sees usage' }
      : { allowed: false, cause: 'notPermitted', reason: 'Only admins and owners see billing, invoices, earnings and usage' },
    refused: {
      policies: 'COMPILED_RUNTIME',
      schema: 'COMPILED_RUNTIME',
      validatePolicies: 'COMPILED_RUNTIME',
      defaultPolicySources: 'COMPILED_RUNTIME',
      defaultSchema: 'COMPILED_RUNTIME',
    },
  };
}

/** Asserts a compiled-runtime report: compiledReport(custom), and the sources compiled in. */
function assertCompiledReport({ sources, ...report }, custom, where) {
  assert.deepEqual(report, compiledReport(custom), where);
  assert.ok(sources.includes('billing.cedar'), `${where}: the default policies are compiled in: ${sources}`);
  assert.equal(sources.includes(CUSTOM_SOURCE), custom, `${where}: ${CUSTOM_SOURCE} among ${sources}`);
}

/** `npx orgwarden compile ...args` from the tarball installed in `dir`. */
const compile = (dir, args, options) => run('npx', ['--no', 'orgwarden', 'compile', ...args], { cwd: dir, env, ...options });

let compileProject;
/**
 * The project that compiles: the tarball with binaryen as its dev dependency, and
 * `npx orgwarden compile --policies policies -o authz.wasm` run once; its authz.wasm is the
 * module of every compiled-runtime consumer below.
 */
const compiledDir = () =>
  (compileProject ??= (async () => {
    const dir = await project(
      'compiled',
      {
        [CUSTOM_SOURCE]: src('compiled', CUSTOM_SOURCE),
        'broken.cedar': src('compiled/broken.cedar'),
        'compiled-checks.js': src('shared/compiled.js'),
        'default.mjs': src('node/compiled.mjs'),
        'org.json': FIXTURE,
      },
      { devDependencies: { binaryen: BINARYEN } },
    );
    const started = Date.now();
    const compiled = await compile(dir, ['--policies', 'policies', '-o', 'authz.wasm']);
    log(`compiled: orgwarden compile in ${seconds(started)}`);
    assert.match(compiled.stdout, /orgwarden compile: \d+ policies compiled into authz\.wasm/);
    return dir;
  })());

/**
 * The README's Node sample of the compiled runtime, followed by the checks of
 * shared/compiled.js on its authorizer, and by an import of the full package, which must throw.
 */
function readmeCompiledProgram() {
  return readmeModule(COMPILED_SECTION, 1, {
    after: [
      "import * as compiled from 'orgwarden/compiled';",
      "import { readFileSync } from 'node:fs';",
      "import { compiledChecks } from './compiled-checks.js';",
      "const report = compiledChecks(compiled, readFileSync('org.json', 'utf8'), authz);",
      "report.fullPackage = await import('orgwarden').then(() => 'imported', (error) => error.message);",
      'console.log(`RESULT ${JSON.stringify(report)}`);',
    ],
  });
}

test('orgwarden compile with binaryen as a dev dependency: the README\'s compiled Node sample decides with the custom policy, in Node and Deno; init() alone, with the default policies', async () => {
  const dir = await compiledDir();
  await fs.writeFile(path.join(dir, 'readme.mjs'), readmeCompiledProgram());
  const runs = {
    Node: await run(process.execPath, ['readme.mjs'], { cwd: dir, env }),
    Deno: await deno('readme.mjs', dir),
  };
  for (const [runtime, { code, stdout, stderr }] of Object.entries(runs)) {
    assert.equal(code, 0, `${runtime}: ${stderr}`);
    const { fullPackage, ...report } = resultLine(stdout);
    assertCompiledReport(report, true, runtime);
    assert.match(fullPackage, /'orgwarden' and 'orgwarden\/compiled' were both initialized in one program/, runtime);
  }
  const packaged = await run(process.execPath, ['default.mjs'], { cwd: dir, env });
  assertCompiledReport(resultLine(packaged.stdout), false, 'init() without a module');
});

test('orgwarden compile: a policy with an error exits 1 with file:line:column on stderr and writes nothing', async () => {
  const dir = await compiledDir();
  const refused = await compile(dir, ['--policies', 'broken.cedar', '-o', 'broken.wasm'], { allowFailure: true });
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /^ {2}broken\.cedar:5:3: .*attribute `plan` on entity type `User` not found/m);
  await assert.rejects(fs.access(path.join(dir, 'broken.wasm')), { code: 'ENOENT' });
});

test('wrangler + workerd: the README\'s compiled-runtime Worker, byte for byte, with the compiled authz.wasm', async () => {
  const authz = path.join(await compiledDir(), 'authz.wasm');
  await readmeWorker('wrangler-compiled', [COMPILED_SECTION, 0], { 'authz.wasm': authz }, async (as, wasm) => {
    // The worker's one module is the compiled one: neither the full module nor the package's own.
    assert.equal(wasm.length, 1, `wrangler emitted ${wasm}`);
    assert.ok((await fs.readFile(wasm[0])).equals(await fs.readFile(authz)), `${wasm[0]} is not authz.wasm`);
    const admin = await as('adam');
    assert.equal(admin.status, 200);
    assert.equal(await admin.text(), 'ok');
    // usage.cedar at work: a member sees usage, which the default policies refuse (the full
    // package's Worker test above); someone of another organization does not.
    const member = await as('mia');
    assert.equal(member.status, 200);
    assert.equal(await member.text(), 'ok');
    const outsider = await as('oscar');
    assert.equal(outsider.status, 403);
    const forbidden = await outsider.json();
    assert.deepEqual([forbidden.allowed, forbidden.cause, forbidden.policies[0].rule], [false, 'forbidden', 'ORG-4']);
    const stranger = await as('mallory');
    assert.equal(stranger.status, 403);
    assert.equal((await stranger.json()).errors[0].code, 'UNKNOWN_PRINCIPAL');
  });
});

test('Vite 8: a page on orgwarden/compiled in Chromium, with init() (the package\'s compiled module) or the compiled authz.wasm by ?url; no full module', async () => {
  const authz = path.join(await compiledDir(), 'authz.wasm');
  const dir = await project('vite-compiled', {
    'index.html': src('vite/compiled.html'),
    'compiled.js': src('vite/compiled.js'),
    'compiled-checks.js': src('shared/compiled.js'),
    'authz.wasm': authz,
  });
  await run(bin('vite'), ['build'], { cwd: dir, env });
  // What the build emitted: the two compiled modules, byte for byte, and nothing of the full one.
  const assets = path.join(dir, 'dist/assets');
  const emitted = {};
  for (const name of await fs.readdir(assets)) {
    if (name.endsWith('.wasm')) emitted[name.replace(/-[\w-]+\.wasm$/, '')] = await fs.readFile(path.join(assets, name));
    else assert.ok(!(await fs.readFile(path.join(assets, name), 'utf8')).includes('orgwarden_bg'), `${name} names the full module`);
  }
  assert.deepEqual(Object.keys(emitted).sort(), ['authz', 'orgwarden_compiled_bg']);
  assert.ok(emitted.authz.equals(await fs.readFile(authz)), 'the emitted authz.wasm is the compiled one');
  // The package's compiled module, where its "./compiled.wasm" export points.
  const resolved = await run(process.execPath, ['-p', "require.resolve('orgwarden/compiled.wasm')"], { cwd: dir, env });
  const packaged = await fs.readFile(resolved.stdout.trim());
  assert.ok(emitted.orgwarden_compiled_bg.equals(packaged), 'the emitted default module is orgwarden/compiled.wasm');

  for (const custom of [false, true]) {
    await assertPageDecides(path.join(dir, 'dist'), custom ? '?module=custom' : '', (answer, where) => assertCompiledReport(answer, custom, where));
  }
});
