// orgwarden/react in a real browser (node --test tests/react/): esbuild bundles tests/react/app.jsx
// with React's development build and the package as its "exports" offer it ('orgwarden' for the
// browser, 'orgwarden/react', and the .wasm emitted as a file whose URL the provider gives to
// init()), a loopback server serves the bundle, and headless Chromium runs the scenarios. The
// decisions the page shows are compared with the engine's own, asked here in Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { Authorizer } from 'orgwarden';
import { openPage } from '../consumers/harness.mjs';
import { BROWSER_BUNDLE, FIXTURE, HERE, ROOT, WAIT, expectedFor, openBundledPage, pageHelpers } from './browser.mjs';

let opened; // the bundled page, served and open in Chromium
let page;
let problems; // console errors and warnings, page errors, failed requests

before(
  async () => {
    opened = await openBundledPage('app.jsx', buildReadmeSample);
    ({ page, problems } = opened);
  },
  { timeout: 120_000 },
);

after(() => opened?.close());

/**
 * The README's React sample, as written, in a page of its own: the sample's `App` is rendered
 * with the `InviteForm` it leaves to its context, its fetch of /api/org-snapshot gets the
 * fixture, and, as it passes no `wasm`, init() fetches the .wasm copied beside the bundle.
 */
async function buildReadmeSample(out) {
  const readme = await fs.readFile(path.join(ROOT, 'README.md'), 'utf8');
  const lines = readme.split('\n');
  const at = lines.indexOf('### React');
  assert.ok(at >= 0, 'README.md has a "### React" section');
  const open = lines.findIndex((line, i) => i > at && line === '```jsx');
  const close = lines.findIndex((line, i) => i > open && line === '```');
  assert.ok(open > at && close > open, 'a ```jsx block under "### React"');
  const sample = lines.slice(open + 1, close).join('\n');
  const contents = [
    "import { createRoot } from 'react-dom/client';",
    'const InviteForm = () => <form id="invite-form">invite</form>;',
    sample,
    "createRoot(document.getElementById('root')).render(<App />);",
    "document.getElementById('result').dataset.done = '';",
  ].join('\n');
  await esbuild.build({
    ...BROWSER_BUNDLE,
    stdin: { contents, resolveDir: HERE, sourcefile: 'readme-sample.jsx', loader: 'jsx' },
    outfile: path.join(out, 'readme.js'),
  });
  const html = (await fs.readFile(path.join(HERE, 'index.html'), 'utf8')).replace('./app.js', './readme.js');
  await fs.writeFile(path.join(out, 'readme.html'), html);
  await fs.mkdir(path.join(out, 'api'));
  await fs.copyFile(FIXTURE, path.join(out, 'api/org-snapshot'));
  await fs.copyFile(path.join(ROOT, 'pkg/dist/orgwarden_bg.wasm'), path.join(out, 'orgwarden_bg.wasm'));
}

// --- helpers -------------------------------------------------------------------------------------

const { mount, release, visible, gone, text, present, attr, deleteEnabled, waitForDelete, shownFor } = pageHelpers(() => page);

const fixture = JSON.parse(await fs.readFile(FIXTURE, 'utf8'));
const promoted = structuredClone(fixture);
promoted.organizations[0].members.find((m) => m.user === 'mia').role = 'owner';

// --- scenarios -----------------------------------------------------------------------------------

test('the provider shows its fallback while the snapshot loads, then a button per decision', async () => {
  await mount('org');
  await visible('#loading');
  assert.equal(await text('#loading'), 'Loading permissions…');
  assert.equal(await present('#olivia'), false, 'nothing under the provider renders while it loads');
  await release();
  await visible('#olivia');
  assert.equal(await present('#loading'), false);

  assert.equal(await deleteEnabled('olivia'), true, 'the owner sees an enabled Delete organization button');
  assert.equal(await text('#olivia .reason'), 'You may delete acme');
  assert.equal(await deleteEnabled('mia'), false, 'a member does not');
  assert.equal(await text('#mia .reason'), 'Only owners can delete the organization');
  assert.equal(await text('#mia .no-invite'), 'no invitations', '<Can fallback> renders the fallback when denied');
  assert.equal(await attr('#mia .billing', 'data-type'), 'success', 'a render-function child gets the decision');
  for (const user of ['olivia', 'adam', 'mia']) assert.deepEqual(await shownFor(user), expectedFor(fixture, user), user);
  assert.equal(await attr('#state', 'data-status'), 'ready');
});

test('a snapshot replaced through the prop re-renders the buttons, with no page reload', async () => {
  await page.evaluate(() => {
    window.sameDocument = true;
    window.firstAuthorizer = window.harness.authorizer;
  });
  await page.evaluate(() => window.harness.setSnapshot(window.harness.withRole('mia', 'owner')));
  await waitForDelete('mia', true);
  assert.equal(await text('#mia .reason'), 'You may delete acme');
  assert.deepEqual(await shownFor('mia'), expectedFor(promoted, 'mia'));
  assert.deepEqual(await shownFor('adam'), expectedFor(promoted, 'adam'));
  assert.equal(await page.evaluate(() => window.sameDocument), true);
  assert.equal(await page.evaluate(() => window.harness.authorizer === window.firstAuthorizer), true, 'the same authorizer, loaded again');
});

test('a change made on the authorizer itself (loadSnapshot, removeEntities) re-renders through subscribe', async () => {
  const before = Number(await attr('#state', 'data-version'));
  assert.equal(await page.evaluate(() => window.harness.authorizer.loadSnapshot(window.harness.fixture).type), 'success');
  await waitForDelete('mia', false);
  assert.equal(await text('#mia .reason'), 'Only owners can delete the organization');
  assert.ok(Number(await attr('#state', 'data-version')) > before, 'the store version was bumped');

  const removed = await page.evaluate(() => window.harness.authorizer.removeEntities([{ type: 'User', id: 'mia' }]).type);
  assert.equal(removed, 'success');
  await page.waitForFunction(() => document.querySelector('#mia .allowed')?.textContent === 'failure', null, WAIT);
  assert.match(await text('#mia .reason'), /mia/, 'the reason of the failure names the unknown principal');
  assert.equal(await deleteEnabled('olivia'), true, 'the others are unchanged');
  assert.equal(await page.evaluate(() => window.sameDocument), true);
});

test('unmounting the provider frees the authorizer it made', async () => {
  await page.evaluate(() => {
    window.made = window.harness.authorizer;
    window.harness.unmount();
  });
  const after = await page.evaluate(() => window.made.check({ type: 'User', id: 'olivia' }, 'viewOrganization', { type: 'Organization', id: 'acme' }));
  assert.equal(after.allowed, false);
  assert.equal(after.errors?.[0]?.code, 'AUTHORIZER_FREED');
});

test('without a fallback the children render and the hooks answer loading, denied', async () => {
  await mount('inline');
  await visible('#mia');
  assert.equal(await attr('#mia', 'data-check'), 'loading');
  assert.equal(await deleteEnabled('mia'), false);
  assert.equal(await text('#mia .reason'), 'checking…', "<Can>'s loading prop");
  assert.equal(await present('#mia .no-invite'), false, 'no fallback while loading');
  assert.equal(await attr('#mia .billing', 'data-type'), 'loading', 'a render-function child gets the loading decision');
  assert.equal(await attr('#mia .billing', 'data-allowed'), 'false');
  assert.equal(await text('#mia .allowed'), 'loading');
  assert.equal(await attr('#state', 'data-status'), 'loading');
  await release();
  await page.waitForFunction(() => document.querySelector('#mia')?.dataset.check === 'success', null, WAIT);
  assert.deepEqual(await shownFor('mia'), expectedFor(fixture, 'mia'));
});

test('a snapshot that fails to load shows the error state, and retry loads it again', async () => {
  await mount('failing');
  await visible('#error');
  assert.equal(await text('#error .code'), 'INVALID_SNAPSHOT');
  assert.match(await text('#error .message'), /users/);
  assert.equal(await present('#olivia'), false);
  await page.click('#error .retry');
  await visible('#olivia');
  assert.equal(await present('#error'), false);
  assert.deepEqual(await shownFor('olivia'), expectedFor(fixture, 'olivia'));
});

test('without errorFallback the error goes to the nearest error boundary', async () => {
  await mount('thrown');
  await visible('#caught');
  assert.equal(await attr('#caught', 'data-code'), 'INVALID_SNAPSHOT');
  assert.match(await text('#caught'), /ghost/);
  assert.equal((await page.evaluate(() => window.harness.caught)).length, 1);
});

test('invalid options show the constructor’s error', async () => {
  await mount('badOptions');
  await visible('#error');
  assert.equal(await text('#error .code'), 'INVALID_POLICY');
});

test('with suspense, a boundary above the provider shows its fallback until the snapshot is in', async () => {
  await mount('suspenseAbove');
  await visible('#suspended');
  assert.equal(await present('#olivia'), false);
  await release();
  await visible('#olivia');
  await gone('#suspended');
  assert.deepEqual(await shownFor('olivia'), expectedFor(fixture, 'olivia'));
  // StrictMode sets effects up twice when a boundary shows its content again: that must keep the
  // authorizer, not make a new one and suspend again, over and over.
  const version = await attr('#state', 'data-version');
  await page.waitForTimeout(300);
  assert.equal(await attr('#state', 'data-version'), version, 'the provider settled');
  assert.equal(await present('#suspended'), false);
});

test('with suspense, a boundary inside the provider suspends only what asks the authorizer', async () => {
  await mount('suspenseInside');
  await visible('#suspended');
  assert.equal(await text('#static'), 'acme', 'what does not ask renders at once');
  assert.equal(await present('#mia'), false);
  await release();
  await visible('#mia');
  await gone('#suspended');
  assert.deepEqual(await shownFor('mia'), expectedFor(fixture, 'mia'));
});

test('options are compared by value: equal ones keep the authorizer, others make (and free) a new one', async () => {
  await mount('options');
  await visible('#mia');
  assert.equal(await deleteEnabled('mia'), false);
  await page.evaluate(() => (window.optionsAuthorizer = window.harness.authorizer));
  for (let i = 1; i <= 2; i++) {
    await page.evaluate(() => window.harness.tick());
    await page.waitForFunction((n) => document.querySelector('#tick')?.dataset.tick === String(n), i, WAIT);
  }
  assert.equal(await page.evaluate(() => window.harness.authorizer === window.optionsAuthorizer), true, 'the same authorizer after re-renders');

  await page.evaluate(() => window.harness.addPolicy());
  await waitForDelete('mia', true);
  assert.equal(await page.evaluate(() => window.harness.authorizer !== window.optionsAuthorizer), true, 'a new authorizer for new options');
  const old = await page.evaluate(() => window.optionsAuthorizer.check({ type: 'User', id: 'mia' }, 'viewOrganization', { type: 'Organization', id: 'acme' }));
  assert.equal(old.errors?.[0]?.code, 'AUTHORIZER_FREED', 'the one it replaced is freed');
});

test('answers are computed once per store version and argument value, and stay the same object', async () => {
  await mount('given');
  await visible('#identity');
  const checks = () => page.evaluate(() => window.harness.given.checks);
  const distinct = async () => Number(await attr('#identity', 'data-distinct'));
  assert.equal(await page.$$eval('b.same', (nodes) => nodes.length), 20);
  assert.equal(await attr('#identity', 'data-allowed'), 'true');
  assert.equal(await checks(), 1, '21 components asking the same thing: one check');

  for (let i = 1; i <= 3; i++) {
    await page.evaluate(() => window.harness.tick());
    await page.waitForFunction((n) => document.querySelector('#tick')?.dataset.tick === String(n), i, WAIT);
  }
  assert.equal(await checks(), 1, 're-renders with arguments equal by value do not check again');
  assert.equal(await distinct(), 1, 'and answer the same decision object');

  await page.evaluate(() => window.harness.given.loadSnapshot(window.harness.fixture));
  await page.waitForFunction(() => document.querySelector('#identity')?.dataset.distinct === '2', null, WAIT);
  assert.equal(await checks(), 2, 'a store change: one new check for all of them');

  await page.evaluate(() => window.harness.unmount());
  const stillThere = await page.evaluate(() => window.harness.given.isAllowed({ type: 'User', id: 'olivia' }, 'deleteOrganization', { type: 'Organization', id: 'acme' }));
  assert.equal(stillThere, true, 'an authorizer the provider was given is not freed');
});

test("the README's React sample runs as written: mia sees a disabled button and the reason", async () => {
  const readme = await openPage(opened.browser, new URL('readme.html', opened.server.url).href);
  try {
    await readme.page.waitForSelector('button[title]', WAIT);
    const button = await readme.page.$eval('button[title]', (b) => ({ text: b.textContent, disabled: b.disabled, title: b.title }));
    assert.deepEqual(button, { text: 'Delete organization', disabled: true, title: 'Only owners can delete the organization' });
    const mia = expectedFor(fixture, 'mia');
    assert.equal(mia.invite, false);
    const body = await readme.page.textContent('#root');
    assert.equal(await readme.page.$('#invite-form'), null, 'no invitation form for a member');
    const reason = new Authorizer();
    reason.loadSnapshot(fixture);
    const invite = reason.check({ type: 'User', id: 'mia' }, 'inviteMember', { type: 'Organization', id: 'acme' });
    reason.free();
    assert.ok(body.endsWith(invite.reason), `the reason <Can showReason> renders: ${body}`);
    assert.deepEqual(readme.problems, []);
  } finally {
    await readme.page.close();
  }
});

test('the page met no error, warning or failed request (React development build)', () => {
  assert.deepEqual(problems, []);
});
