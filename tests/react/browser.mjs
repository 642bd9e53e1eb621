// What the Chromium suites of tests/react/ share (react.test.mjs on orgwarden/react, compiled.test.mjs
// on orgwarden/compiled/react): how a page is bundled, the browser, what a page shows for a user
// (the toolbar of ./components.jsx) and what the engine says it must show.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { Authorizer } from 'orgwarden';
import { serveDirectory, openPage } from '../consumers/harness.mjs';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '../..');
export const FIXTURE = path.join(ROOT, 'tests/fixtures/small-org.json');
export const WAIT = { timeout: 15_000 };

/** How the pages are bundled: an ES module for the browser, React's development build. */
export const BROWSER_BUNDLE = {
  absWorkingDir: ROOT,
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"development"' },
  logLevel: 'silent',
};

export function launchChromium() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
  });
}

/**
 * The page `entry` (a .jsx of this folder) bundled into a fresh directory beside index.html and
 * the fixture, `prepare(out)` run on that directory, then served and opened in Chromium:
 * `{ out, metafile, page, problems, close() }` (problems: console errors and warnings, page
 * errors, failed requests).
 */
export async function openBundledPage(entry, prepare = async () => {}) {
  const out = await fs.mkdtemp(path.join(os.tmpdir(), 'orgwarden-react-'));
  const opened = { out, server: null, browser: null };
  opened.close = async () => {
    await opened.browser?.close();
    await opened.server?.close();
    await fs.rm(out, { recursive: true, force: true });
  };
  const { metafile } = await esbuild.build({
    ...BROWSER_BUNDLE,
    entryPoints: { app: path.join(HERE, entry) },
    loader: { '.wasm': 'file' },
    outdir: out,
    metafile: true,
  });
  await fs.copyFile(path.join(HERE, 'index.html'), path.join(out, 'index.html'));
  await fs.copyFile(FIXTURE, path.join(out, 'small-org.json'));
  await prepare(out);
  opened.server = await serveDirectory(out);
  opened.browser = await launchChromium();
  return Object.assign(opened, { metafile }, await openPage(opened.browser, opened.server.url));
}

/** What the page must show for `user`, from the engine in Node with the same snapshot. */
export function expectedFor(snapshot, user) {
  const authz = new Authorizer();
  try {
    assert.equal(authz.loadSnapshot(snapshot).type, 'success');
    const me = { type: 'User', id: user };
    const acme = { type: 'Organization', id: 'acme' };
    const remove = authz.check(me, 'deleteOrganization', acme);
    const matrix = authz.matrix(me, [acme, { type: 'Workspace', id: 'research' }], ['viewOrganization', 'editWorkspace']);
    return {
      deleteEnabled: remove.allowed,
      reason: remove.allowed ? 'You may delete acme' : remove.reason,
      invite: authz.isAllowed(me, 'inviteMember', acme),
      billing: String(authz.isAllowed(me, 'viewBilling', acme)),
      allowed: authz.allowedActions(me, acme).allowed.join(','),
      matrix: matrix.rows.map((row) => row.cells.map((c) => (c.allowed ? 'Y' : 'n')).join('')).join('|'),
    };
  } finally {
    authz.free();
  }
}

/**
 * The helpers a suite drives its page with; `currentPage()` gives the page, which a suite opens
 * in its `before`. The page's `window.harness` mounts the scenarios.
 */
export function pageHelpers(currentPage) {
  const helpers = {
    mount: (name) => currentPage().evaluate((n) => window.harness.mount(n), name),
    release: () => currentPage().evaluate(() => window.harness.held.release()),
    visible: (selector) => currentPage().waitForSelector(selector, { state: 'attached', ...WAIT }),
    gone: (selector) => currentPage().waitForSelector(selector, { state: 'detached', ...WAIT }),
    text: (selector) => currentPage().textContent(selector),
    present: async (selector) => (await currentPage().$(selector)) !== null,
    attr: (selector, name) => currentPage().getAttribute(selector, name),
    deleteEnabled: (user) => currentPage().$eval(`#${user} button.delete`, (b) => !b.disabled),
    /** Waits until `user`'s Delete button is enabled (or disabled). */
    waitForDelete: (user, enabled) =>
      currentPage().waitForFunction(([u, e]) => document.querySelector(`#${u} button.delete`)?.disabled === !e, [user, enabled], WAIT),
    /** What the page shows for `user`, in the shape of expectedFor's answer. */
    async shownFor(user) {
      return {
        deleteEnabled: await helpers.deleteEnabled(user),
        reason: await helpers.text(`#${user} .reason`),
        invite: await helpers.present(`#${user} .invite-button`),
        billing: await helpers.attr(`#${user} .billing`, 'data-allowed'),
        allowed: await helpers.text(`#${user} .allowed`),
        matrix: await helpers.text(`#${user} .matrix`),
      };
    },
  };
  return helpers;
}
