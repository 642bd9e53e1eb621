// Helpers for tests/consumers/run.test.mjs: running a command with a readable failure, copying
// a consumer's files, extracting the README's samples, serving a build output directory, and
// reading a page's answer in headless Chromium.
import { spawn } from 'node:child_process';
import http from 'node:http';
import fs from 'node:fs/promises';
import path from 'node:path';
import assert from 'node:assert/strict';

/** How many lines of a failing command's output its error shows. */
const TAIL_LINES = 40;

function tail(text, lines = TAIL_LINES) {
  const all = text.trimEnd().split('\n');
  const kept = all.slice(-lines).map((line) => (line.length > 400 ? `${line.slice(0, 400)} …` : line));
  return (all.length > lines ? [`… (${all.length - lines} lines before)`] : []).concat(kept).join('\n');
}

/**
 * Runs `command args` in `cwd` and resolves to { code, stdout, stderr }. Unless `allowFailure`,
 * a non-zero exit (or a timeout) rejects with an error that shows the command, where it ran,
 * and the tails of its stderr and stdout.
 */
export function run(command, args, { cwd, env, timeout = 180_000, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeout);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code, signal, stdout, stderr };
      if (!timedOut && (code === 0 || allowFailure)) return resolve(result);
      const how = timedOut ? `timed out after ${timeout / 1000} s` : `exit ${code ?? signal}`;
      reject(
        new Error(
          [
            `command failed (${how}) in ${cwd}:`,
            `$ ${[command, ...args].join(' ')}`,
            `--- stderr (tail) ---`,
            tail(stderr) || '(empty)',
            `--- stdout (tail) ---`,
            tail(stdout) || '(empty)',
          ].join('\n'),
        ),
      );
    });
  });
}

/** The JSON a consumer printed on its `RESULT ` line. */
export function resultLine(stdout) {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in the output:\n${tail(stdout)}`);
  return JSON.parse(line.slice('RESULT '.length));
}

export async function copyInto(dir, files) {
  for (const [name, from] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await fs.copyFile(from, path.join(dir, name));
  }
}

/**
 * The ```js block number `index` (0: the first) under the line `heading` of the README, before
 * the next heading of level 1 to 3, as written (without its fences), or an error naming the
 * heading: a renamed heading or a missing block must fail, not skip. Blocks in other languages
 * are passed over whole, so a shell comment (`# ...`) inside one is not taken for a heading.
 * `language` picks blocks of another language instead (`jsonc`).
 */
export function readmeSample(readme, heading, index = 0, language = 'js') {
  const lines = readme.split('\n');
  const at = lines.indexOf(heading);
  if (at < 0) throw new Error(`README.md has no line ${JSON.stringify(heading)}`);
  const closing = (open) => {
    const close = lines.findIndex((line, i) => i > open && line === '```');
    if (close < 0) throw new Error(`a block opened at README.md line ${open + 1} (under ${heading}) is not closed`);
    return close;
  };
  let found = 0;
  for (let i = at + 1; i < lines.length && !/^#{1,3} /.test(lines[i]); i += 1) {
    if (!lines[i].startsWith('```')) continue;
    const close = closing(i);
    if (lines[i] === '```' + language && found++ === index) return lines.slice(i + 1, close).join('\n') + '\n';
    i = close;
  }
  throw new Error(`no \`\`\`${language} block number ${index + 1} under ${heading} in README.md (${found} found)`);
}

/** JSON with `//` comments (a ```jsonc block) as JSON: each comment goes, strings are kept whole. */
export function withoutComments(jsonc) {
  let out = '';
  for (let i = 0, inString = false; i < jsonc.length; i += 1) {
    const c = jsonc[i];
    if (inString) {
      out += c;
      if (c === '\\') out += jsonc[(i += 1)];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && jsonc[i + 1] === '/') {
      while (i + 1 < jsonc.length && jsonc[i + 1] !== '\n') i += 1;
    } else {
      out += c;
    }
  }
  return out;
}

/** Stands for the README's `'…'` in an answer it shows: any value is what it shows. */
const ANY = Symbol('…');

/**
 * The answer a README sample shows in the `//` comment lines right after the line that starts
 * with `line` (a JavaScript object literal, `'…'` for what it leaves out), as a value.
 */
export function documentedAnswer(sample, line) {
  const lines = sample.split('\n');
  const at = lines.findIndex((l) => l.startsWith(line));
  if (at < 0) throw new Error(`the README sample has no line starting with ${JSON.stringify(line)}`);
  const comment = [];
  for (const l of lines.slice(at + 1)) {
    if (!l.startsWith('//')) break;
    comment.push(l.slice(2));
  }
  if (comment.length === 0) throw new Error(`the README sample shows no answer after ${JSON.stringify(line)}`);
  return new Function('ANY', `return (${comment.join('\n').replaceAll("'…'", 'ANY')});`)(ANY);
}

/**
 * Asserts that `actual` is what the README shows: each field it shows, with the value it shows
 * (`'…'` any), arrays of the same length; fields it leaves out may be there.
 */
export function assertShows(actual, shown, at = 'answer') {
  if (shown === ANY) return;
  if (Array.isArray(shown)) {
    assert.ok(Array.isArray(actual), `${at}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, shown.length, `${at}: ${JSON.stringify(actual)}`);
    shown.forEach((item, i) => assertShows(actual[i], item, `${at}[${i}]`));
  } else if (shown !== null && typeof shown === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${at}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [key, value] of Object.entries(shown)) {
      assert.ok(key in actual, `${at}: no field ${key} in ${JSON.stringify(actual)}`);
      assertShows(actual[key], value, `${at}.${key}`);
    }
  } else {
    assert.equal(actual, shown, at);
  }
}

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
};

/**
 * A static server for one directory on 127.0.0.1 (a free port); resolves to { url, close }.
 * `routes` maps a path (without its query) to a handler `(req, res)` that answers it instead.
 */
export function serveDirectory(root, { routes = {} } = {}) {
  const server = http.createServer(async (req, res) => {
    // Chromium asks for one on every page; its 404 would read as a console error.
    if (req.url === '/favicon.ico') return res.writeHead(204).end();
    const route = routes[new URL(req.url, 'http://localhost').pathname];
    if (route) return route(req, res);
    let file;
    try {
      const pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
      file = path.resolve(root, '.' + (pathname.endsWith('/') ? pathname + 'index.html' : pathname));
      if (file !== root && !file.startsWith(root + path.sep)) throw new Error('outside');
      const body = await fs.readFile(file);
      const type = MIME[path.extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, { 'Content-Type': type, 'Content-Length': body.length, 'Cache-Control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end(`not found: ${req.url}\n`);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}/`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

/**
 * Opens `url` in a new page of `browser`, waits until `ready` (a selector) is in the DOM, and
 * resolves to { page, problems }: every page error, console error or warning, failed request
 * and HTTP error the page met (the caller asserts there are none, then reads the page).
 * `cookies` ({ name, value }) are set for `url` before it opens.
 */
export async function openPage(browser, url, ready = '#result[data-done]', { cookies = [] } = {}) {
  const page = await browser.newPage();
  if (cookies.length) await page.context().addCookies(cookies.map((cookie) => ({ url, ...cookie })));
  const problems = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  await page.goto(url);
  try {
    await page.waitForSelector(ready, { state: 'attached', timeout: 30_000 });
  } catch (error) {
    throw new Error(`${url}: ${ready} never appeared (${error.message.split('\n')[0]}); problems: ${JSON.stringify(problems)}`);
  }
  return { page, problems };
}
