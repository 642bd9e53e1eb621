// End-to-end test of the demo console (www/) in headless Chromium:
//   node --test tests/e2e/
// Needs pkg/dist/ (bash scripts/build-wasm.sh) and Debian's /usr/bin/chromium; playwright-core
// drives it and never downloads a browser. Bundles the console (scripts/build-demo.mjs) and
// starts the demo's server (scripts/serve.mjs) itself. Writes tests/artifacts/demo-<runtime>.png.
//
// The same tests run on each build of the console: its browser side on the full package and on
// the compiled runtime (DEMO_RUNTIMES), one after the other, each with a server of its own, in one
// browser. Only the custom policy, which is policy text for the browser, is the full package's.
//
// Beyond what the console shows, it checks what the browser receives: every response body of a
// page viewing as a collaborator is searched for what only the full organization holds (the
// members' emails, the API keys, the pending invitations' emails, the billing figures), and an
// owner's page must receive all of it, so the search is known to find what is there.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DEMO_RUNTIMES, buildDemo } from '../../scripts/build-demo.mjs';
import { startServer } from '../../scripts/serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const EXAMPLE = JSON.parse(fs.readFileSync(path.join(ROOT, 'www/example-org.json'), 'utf8'));

// The module each build's page must fetch, as built into pkg/dist/.
const MODULES = {
  full: 'pkg/dist/orgwarden_bg.wasm',
  compiled: 'pkg/dist/orgwarden_compiled_bg.wasm',
};
const moduleBytes = (runtime) => fs.readFileSync(path.join(ROOT, MODULES[runtime]));

let browser; // one for both builds
// The build under test: its server, and its console's page. The builds' suites run one at a time.
let server;
let page;
let baseUrl;
const pageErrors = [];

const tid = (id) => `[data-testid="${id}"]`;

/** A new page that records its errors into `errors`, and every response body into `bodies`. */
async function openConsole(url, { errors = pageErrors, bodies = null } = {}) {
  const opened = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  opened.setDefaultTimeout(10_000);
  opened.on('pageerror', (error) => errors.push(`pageerror: ${error.stack ?? error.message}`));
  opened.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  const reads = [];
  if (bodies) {
    opened.on('response', (response) => {
      reads.push(
        response.body().then(
          (body) => bodies.push({ url: response.url(), text: body.toString('latin1') }),
          () => {}, // a redirect has no body
        ),
      );
    });
  }
  await opened.goto(url);
  await opened.waitForSelector(tid('console'), { timeout: 30_000 }).catch(async (error) => {
    const fatal = await opened.locator(tid('fatal')).textContent().catch(() => null);
    throw new Error(`the console did not start${fatal ? `: ${fatal}` : ''}\n${errors.join('\n')}\n${error.message}`);
  });
  return { page: opened, settled: () => Promise.all(reads) };
}

before(
  async () => {
    for (const file of ['pkg/dist/orgwarden.js', 'pkg/dist/orgwarden_compiled.js', ...Object.values(MODULES)]) {
      assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} is missing: run \`bash scripts/build-wasm.sh\` first`);
    }
    assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
    await Promise.all(Object.keys(DEMO_RUNTIMES).map((runtime) => buildDemo(runtime)));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  },
  { timeout: 120_000 },
);

after(() => browser?.close());

// ---- helpers ------------------------------------------------------------------------------------

function noPageErrors(when) {
  assert.deepEqual(pageErrors, [], `JavaScript errors in the page ${when}:\n${pageErrors.join('\n')}`);
}

/** Switches "view as" and waits for the console of that viewer: their scoped snapshot, loaded. */
async function viewAs(user) {
  await page.selectOption(tid('view-as'), user);
  assert.equal(await page.inputValue(tid('view-as')), user, `"view as" did not switch to ${user}`);
  await page.waitForSelector(`${tid('console')}[data-viewer="${user}"]`);
}

async function expectEnabled(key, who) {
  const button = page.locator(tid(`action-${key}`));
  assert.equal(await button.count(), 1, `button action-${key} is missing (as ${who})`);
  assert.equal(await button.isEnabled(), true,
    `action-${key} should be enabled for ${who}, but it is disabled: ${await button.getAttribute('title')}`);
  assert.equal(await button.getAttribute('data-allowed'), 'true');
  assert.equal(await page.locator(tid(`reason-${key}`)).count(), 0, `an allowed button shows no deny reason (action-${key})`);
}

async function expectDisabled(key, reason, who) {
  const button = page.locator(tid(`action-${key}`));
  assert.equal(await button.count(), 1, `button action-${key} is missing (as ${who})`);
  assert.equal(await button.isDisabled(), true, `action-${key} should be disabled for ${who}`);
  assert.equal(await button.getAttribute('title'), reason, `title of action-${key} (as ${who})`);
  const shown = page.locator(tid(`reason-${key}`));
  assert.equal(await shown.isVisible(), true, `the deny reason of action-${key} should be visible (as ${who})`);
  assert.equal((await shown.textContent()).trim(), reason, `visible reason of action-${key} (as ${who})`);
}

async function outcome() {
  const box = page.locator(tid('outcome'));
  await box.waitFor({ state: 'visible' });
  return {
    kind: await box.getAttribute('data-kind'),
    text: (await box.textContent()).replace(/\s+/g, ' ').trim(),
    violations: await page.locator(`${tid('outcome')} ${tid('violation')}`).evaluateAll((items) =>
      items.map((li) => ({ rule: li.dataset.rule, code: li.dataset.code, message: li.querySelector('.message').textContent }))),
  };
}

async function reset() {
  await page.click(tid('reset'));
  await page.click(tid('outcome-close'));
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** What the browser must never receive unless its viewer may see it, from the full organization. */
function secretsOf(org, viewer) {
  const acme = org.organizations[0];
  const emails = new Map(org.users.map((u) => [u.id, u.email]));
  const strings = [
    ...acme.members.filter((m) => m.user !== viewer).map((m) => emails.get(m.user)),
    ...acme.collaborators.filter((c) => c !== viewer).map((c) => emails.get(c)),
    ...acme.apiKeys.flatMap((k) => [k.name, k.id]),
    ...acme.invitations.filter((i) => i.status === 'pending').map((i) => i.email),
  ];
  // Figures are looked for where they would be: as the value of their field in any JSON answer.
  const billing = Object.entries(acme.billing);
  for (const [field, value] of billing) assert.ok(value > 1, `the example's ${field} (${value}) differs from any stand-in`);
  return { strings: [...new Set(strings)], billing };
}

/** Every `field: value` pair of the JSON bodies among `bodies`, at any depth. */
function jsonFields(bodies) {
  const pairs = [];
  const walk = (value) => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        pairs.push([k, v]);
        walk(v);
      }
    }
  };
  for (const { text } of bodies) {
    try {
      walk(JSON.parse(text));
    } catch {
      // not JSON: the page, the bundle, the .wasm
    }
  }
  return pairs;
}

async function receivedAs(viewer) {
  const bodies = [];
  const errors = [];
  const opened = await openConsole(`${baseUrl}?as=${viewer}`, { errors, bodies });
  await opened.page.waitForSelector(`${tid('console')}[data-viewer="${viewer}"]`);
  await opened.settled();
  await opened.page.close();
  assert.deepEqual(errors, [], `errors in the page of ${viewer}`);
  return bodies;
}

// ---- tests, on each build -----------------------------------------------------------------------

for (const runtime of Object.keys(DEMO_RUNTIMES)) {
  describe(`the console on ${DEMO_RUNTIMES[runtime].package}`, () => {
    const policyTextSkip = runtime === 'compiled' && 'the compiled runtime runs no policy text: the console offers no custom policy';

    before(
      async () => {
        pageErrors.length = 0;
        ({ server, url: baseUrl } = await startServer({ port: 0, runtime }));
        ({ page } = await openConsole(baseUrl));
        assert.equal(await page.getAttribute('#app', 'data-ready'), 'true');
      },
      { timeout: 60_000 },
    );

    after(async () => {
      await page?.close();
      await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
      assert.deepEqual(pageErrors, [], `JavaScript errors in the page:\n${pageErrors.join('\n')}`);
    });

    test('the console loads the owner\'s scoped snapshot and shows the status line', async () => {
      const status = (await page.locator(tid('status')).textContent()).trim();
      assert.match(status, /^orgwarden: \d+ policies, \d+ entities$/, `status line: ${status}`);
      const [, policies, entities] = status.match(/(\d+) policies, (\d+) entities/).map(Number);
      assert.ok(policies > 50, `expected the default policy set, got ${policies} policies`);
      assert.ok(entities > 50, `expected the example snapshot's entities, got ${entities}`);
      assert.equal(await page.locator(tid('org-display-name')).textContent(), 'Acme AI');
      assert.equal(await page.inputValue(tid('view-as')), 'olivia');
      assert.equal(await page.locator(tid('policy-org2-owners-delete')).count(), 1, 'the policy list shows org2-owners-delete');
      noPageErrors('after loading');
    });

    test(`the page decides with ${DEMO_RUNTIMES[runtime].package}: the header names it, and the one .wasm it fetches is that build's module`, async () => {
      assert.equal(await page.locator(tid('runtime')).textContent(), DEMO_RUNTIMES[runtime].package);
      const modules = (await receivedAs('olivia')).filter((body) => new URL(body.url).pathname.endsWith('.wasm'));
      assert.deepEqual(modules.map((body) => path.basename(new URL(body.url).pathname).replace(/-[A-Z0-9]+\.wasm$/, '.wasm')), [path.basename(MODULES[runtime])]);
      const fetched = Buffer.from(modules[0].text, 'latin1');
      assert.notEqual(moduleBytes('full').length, moduleBytes('compiled').length, 'the two modules differ in size');
      assert.equal(fetched.length, moduleBytes(runtime).length, `the fetched module's size (${runtime})`);
      assert.equal(sha256(fetched), sha256(moduleBytes(runtime)), `the fetched module is ${MODULES[runtime]}`);
    });

    test('the policy panel offers a custom policy only on the full package, which runs policy text', async () => {
      const editor = await page.locator(tid('custom-policy')).count();
      const note = await page.locator(tid('custom-policy-compiled')).count();
      if (runtime === 'compiled') {
        assert.deepEqual({ editor, note }, { editor: 0, note: 1 });
        assert.match(await page.locator(tid('custom-policy-compiled')).textContent(), /orgwarden\/compiled: its policies were compiled/);
      } else {
        assert.deepEqual({ editor, note }, { editor: 1, note: 0 });
      }
    });

    test('switching "view as" from an owner to a member re-evaluates the buttons', async () => {
      await viewAs('olivia');
      await expectEnabled('deleteOrganization', 'owner olivia');
      await expectEnabled('inviteMember', 'owner olivia');
      await expectEnabled('viewBilling', 'owner olivia');
      await expectEnabled('changeRole-maya', 'owner olivia');

      await viewAs('maya');
      await expectDisabled('deleteOrganization', 'Only owners can delete the organization', 'member maya');
      await expectDisabled('inviteMember', 'Only admins and owners can invite members', 'member maya');
      await expectDisabled('viewBilling', 'Only admins and owners see billing, invoices, earnings and usage', 'member maya');
      await expectDisabled('removeMember-mike', 'Only admins and owners can remove members, and only owners can remove an admin or an owner', 'member maya');
      await expectEnabled('leaveOrganization', 'member maya');
      await expectEnabled('callAlgorithm-sentiment', 'member maya');

      // A collaborator sees no member list (MEM-10). An outsider's snapshot holds no organization of
      // which they are not a member, collaborator or invitee: not even its public algorithms.
      await viewAs('carl');
      assert.equal(await page.locator(tid('panel-members') + ' ' + tid('hidden-members')).isVisible(), true, 'collaborators do not see the member list');
      assert.equal(await page.locator(tid('algorithm-sentiment')).count(), 1, "carl contributes to sentiment and sees it");
      await viewAs('otto');
      assert.equal(await page.locator(tid('no-organization')).isVisible(), true, 'an outsider is sent no organization');
      assert.equal(await page.locator(tid('algorithm-ocr')).count(), 0, "not even the org's public algorithm");
      await expectEnabled('createOrganization', 'outsider otto');
      noPageErrors('after switching users');
    });

    test('an admin cannot approve the version they submitted (ALG-3)', async () => {
      const alg3 = 'The submitter cannot approve their own version: the organization requires independent approval';
      await viewAs('ada');
      await expectDisabled('approveVersion-sentiment-1.2', alg3, 'admin ada (the submitter)');
      await expectEnabled('approveVersion-ocr-1.1', 'admin ada (not the submitter)');

      // Let the denied button be clicked: validateAction refuses it and the page says why.
      await page.check(tid('try-denied'));
      await page.click(tid('action-approveVersion-sentiment-1.2'));
      const result = await outcome();
      assert.equal(result.kind, 'error', `approving one's own version must be refused: ${result.text}`);
      assert.deepEqual(result.violations.map((v) => v.rule), ['ALG-3'], `violations: ${JSON.stringify(result.violations)}`);
      assert.equal(result.violations[0].message, alg3);
      assert.equal(await page.locator(tid('status-sentiment-1.2')).textContent(), 'pending', 'the version stays pending');
      await page.uncheck(tid('try-denied'));
      assert.equal(await page.locator(tid('action-approveVersion-sentiment-1.2')).isDisabled(), true);

      // Another admin may approve it.
      await viewAs('alan');
      await expectEnabled('approveVersion-sentiment-1.2', 'admin alan');
      noPageErrors('after the ALG-3 refusal');
    });

    test('an owner promotes a member to admin and the page is evaluated again', async () => {
      await reset();
      await viewAs('ada');
      await expectEnabled('removeMember-maya', 'admin ada, maya still a member');

      await viewAs('olivia');
      assert.equal(await page.locator(tid('role-maya')).textContent(), 'member');
      await page.selectOption(tid('role-select-maya'), 'admin');
      await page.click(tid('action-changeRole-maya'));
      const result = await outcome();
      assert.equal(result.kind, 'ok', `changeRole should succeed: ${result.text}`);
      assert.equal(await page.locator(tid('role-maya')).textContent(), 'admin', 'the row shows the new role');

      // Now maya is an admin: admin ada may no longer remove her (MEM-6), and maya may invite.
      // (No permit applies, so the engine gives the reason of the closest requirement, MEM-6's.)
      await viewAs('ada');
      await expectDisabled('removeMember-maya', 'Only admins and owners can remove members, and only owners can remove an admin or an owner', 'admin ada, maya now an admin');
      assert.equal(await page.locator(tid('action-removeMember-maya')).getAttribute('data-cause'), 'notPermitted');
      await viewAs('maya');
      await expectEnabled('inviteMember', 'maya, now an admin');
      await expectEnabled('approveVersion-ocr-1.1', 'maya, now an admin');
      noPageErrors('after changeRole');
    });

    test('approving a version enables publishing it', async () => {
      await reset();
      await viewAs('olivia');
      await expectDisabled('publishVersion-ocr-1.1', 'Only an approved version can be published', 'owner olivia, version pending');
      await page.click(tid('action-approveVersion-ocr-1.1'));
      assert.equal((await outcome()).kind, 'ok');
      assert.equal(await page.locator(tid('status-ocr-1.1')).textContent(), 'approved');
      await expectDisabled('approveVersion-ocr-1.1', 'Only a version waiting for approval can be approved or rejected', 'owner olivia, version approved');
      await expectEnabled('publishVersion-ocr-1.1', 'owner olivia, version approved');
      await page.click(tid('action-publishVersion-ocr-1.1'));
      assert.equal((await outcome()).kind, 'ok');
      assert.equal(await page.locator(tid('status-ocr-1.1')).textContent(), 'published');
      noPageErrors('after approve and publish');
    });

    test('removing a member needs their email typed (MEM-8); inputs go through validateAction', async () => {
      await reset();
      await viewAs('olivia');
      await page.click(tid('action-removeMember-mike'));
      await page.fill(tid('input-removeMember-mike-confirmation'), 'someone@else.example');
      await page.click(tid('submit-removeMember-mike'));
      let result = await outcome();
      assert.equal(result.kind, 'error');
      assert.deepEqual(result.violations.map((v) => v.rule), ['MEM-8'], result.text);
      assert.equal(await page.locator(tid('member-mike')).count(), 1, 'mike is still a member');

      await page.fill(tid('input-removeMember-mike-confirmation'), 'mike@acme.example');
      await page.click(tid('submit-removeMember-mike'));
      result = await outcome();
      assert.equal(result.kind, 'ok', result.text);
      assert.equal(await page.locator(tid('member-mike')).count(), 0, 'mike was removed');

      // MEM-2: an existing account is invited by name, not by email.
      await page.selectOption(tid('invite-by'), 'email');
      await page.fill(tid('invite-target'), 'otto@example.org');
      await page.click(tid('action-inviteMember'));
      result = await outcome();
      assert.equal(result.kind, 'error');
      assert.deepEqual(result.violations.map((v) => v.rule), ['MEM-2'], result.text);
      await page.selectOption(tid('invite-by'), 'account');
      await page.fill(tid('invite-target'), 'otto');
      await page.click(tid('action-inviteMember'));
      assert.equal((await outcome()).kind, 'ok');
      assert.equal(await page.locator(tid('invitation-inv-otto')).count(), 1, 'the invitation is listed');
      noPageErrors('after removal and invitation');
    });

    test('the invitee accepts their invitation and becomes a member (MEM-4)', async () => {
      await reset();
      await viewAs('nina');
      await expectEnabled('acceptInvitation-inv-nina', 'invitee nina');
      assert.equal(await page.locator(tid('invitation-inv-newhire')).count(), 0, 'nina sees only her own invitation');
      await page.click(tid('action-acceptInvitation-inv-nina'));
      await page.fill(tid('input-acceptInvitation-inv-nina-acceptedTermsVersion'), '2025-06');
      await page.click(tid('submit-acceptInvitation-inv-nina'));
      let result = await outcome();
      assert.equal(result.kind, 'error');
      assert.deepEqual(result.violations.map((v) => v.rule), ['MEM-4'], result.text);

      await page.fill(tid('input-acceptInvitation-inv-nina-acceptedTermsVersion'), '2026-01');
      await page.click(tid('submit-acceptInvitation-inv-nina'));
      result = await outcome();
      assert.equal(result.kind, 'ok', result.text);
      assert.match(result.text, /recorded/, 'the acceptance notice says the time is recorded');
      assert.equal(await page.locator(tid('role-nina')).textContent(), 'admin', 'nina is now an admin');
      await expectEnabled('inviteMember', 'nina, now an admin');
      noPageErrors('after accepting');
    });

    test('a custom policy with a syntax error is reported with its line and column', { skip: policyTextSkip }, async () => {
      await page.fill(tid('custom-policy'), '// line 1 is a comment\npermit (principal, action ==, resource);\n');
      await page.click(tid('custom-policy-apply'));
      const errors = page.locator(tid('custom-policy-errors'));
      await errors.waitFor({ state: 'visible' });
      const text = (await errors.textContent()).replace(/\s+/g, ' ');
      assert.match(text, /custom\.cedar:2:\d+/, `the error names line 2: ${text}`);
      assert.match(text, /unexpected token/, `the error message is shown: ${text}`);
      assert.equal(await page.locator(tid('custom-policy-active')).count(), 0, 'the bad policy is not applied');
      noPageErrors('after a bad policy');
    });

    test('a valid custom policy changes a button, and removing it changes it back', { skip: policyTextSkip }, async () => {
      await viewAs('maya');
      const before = (await page.locator(tid('status')).textContent()).match(/(\d+) policies/)[1];
      await expectDisabled('viewBilling', 'Only admins and owners see billing, invoices, earnings and usage', 'member maya');
      await page.click(tid('custom-policy-example'));
      await page.click(tid('custom-policy-apply'));
      await page.locator(tid('custom-policy-active')).waitFor({ state: 'visible' });
      assert.equal(await page.locator(tid('custom-policy-errors')).count(), 0);
      const afterCount = (await page.locator(tid('status')).textContent()).match(/(\d+) policies/)[1];
      assert.equal(Number(afterCount), Number(before) + 1, 'the status line counts the custom policy');
      await expectEnabled('viewBilling', 'member maya with the custom permit');
      await page.click(tid('action-viewBilling'));
      assert.equal((await outcome()).kind, 'ok');
      assert.equal(await page.locator(tid('policy-custom-members-view-billing')).count(), 1, 'the policy list shows the custom policy');

      await page.click(tid('custom-policy-remove'));
      // New policies make the provider start over: a new authorizer, and the snapshot scoped again.
      await page.locator(tid('custom-policy-active')).waitFor({ state: 'detached' });
      await page.waitForSelector(tid('console'));
      await expectDisabled('viewBilling', 'Only admins and owners see billing, invoices, earnings and usage', 'member maya, custom policy removed');
      noPageErrors('after the custom policy');
    });

    test('a change made as an owner re-renders the buttons it affects, with no reload of the page', async () => {
      await reset();
      await viewAs('olivia');
      await expectEnabled('revokeApiKey-key-reports', 'owner olivia, key live');
      await expectEnabled('useApiKey-key-reports', 'owner olivia, key live');
      // The console stays mounted: the new scoped snapshot is loaded into the same authorizer, whose
      // subscribe() re-renders what changed.
      await page.evaluate(() => (window.consoleBeforeChange = document.querySelector('[data-testid="console"]')));
      const fetched = page.waitForResponse((response) => response.url().includes('/api/org-snapshot?viewer=olivia'));
      await page.click(tid('action-revokeApiKey-key-reports'));
      assert.equal((await outcome()).kind, 'ok');
      await fetched;
      await expectDisabled('revokeApiKey-key-reports', 'This API key is already revoked', 'owner olivia, key revoked');
      await expectDisabled('useApiKey-key-reports', 'This API key is already revoked', 'owner olivia, key revoked');
      await expectEnabled('revokeApiKey-key-ci', 'owner olivia, the other key');
      assert.equal(await page.evaluate(() => window.consoleBeforeChange.isConnected), true, 'the console was not mounted again');
      noPageErrors('after revoking a key');
    });

    test('the browser receives only its viewer\'s scoped snapshot: a collaborator gets no email, key, invitation or billing figure', async () => {
      await reset();
      const { strings, billing } = secretsOf(EXAMPLE, 'carl');
      const asCarl = await receivedAs('carl');
      assert.ok(asCarl.some((b) => b.url.includes('/api/org-snapshot?viewer=carl')), 'the page fetched its scoped snapshot');
      for (const secret of strings) {
        const found = asCarl.filter((b) => b.text.includes(secret)).map((b) => b.url);
        assert.deepEqual(found, [], `${JSON.stringify(secret)} reached a collaborator's browser`);
      }
      const carlFields = jsonFields(asCarl);
      for (const [field, value] of billing) {
        assert.ok(!carlFields.some(([k, v]) => k === field && v === value), `the ${field} ${value} reached a collaborator's browser`);
      }

      // The same search finds all of it in what an owner's browser receives.
      const asOwner = await receivedAs('olivia');
      for (const secret of secretsOf(EXAMPLE, 'olivia').strings) {
        assert.ok(asOwner.some((b) => b.text.includes(secret)), `${JSON.stringify(secret)} should reach the owner's browser`);
      }
      const ownerFields = jsonFields(asOwner);
      for (const [field, value] of billing) {
        assert.ok(ownerFields.some(([k, v]) => k === field && v === value), `the ${field} ${value} should reach the owner's browser`);
      }

      // And the full organization is not a file the server hands out.
      const direct = await fetch(new URL('/www/example-org.json', baseUrl));
      assert.equal(direct.status, 404);
    });

    test('a viewer the server cannot scope for gets 403 and the error codes alone: no message about the full organization', async () => {
      const scoped = (viewer) => fetch(new URL(`/api/org-snapshot?viewer=${encodeURIComponent(viewer)}`, baseUrl));
      const unknown = await scoped('nobody');
      assert.equal(unknown.status, 403);
      assert.deepEqual(await unknown.json(), { errors: [{ code: 'UNKNOWN_PRINCIPAL' }] });
      if (runtime === 'compiled') return; // the rest puts a custom policy in force: policy text
      // A policy that reads what a member's scoped snapshot leaves out (the credit balance):
      // scoping for a member is refused, and the refusal's message stays on the server too.
      const policy = '@id("funded-orgs-let-members-rename")\npermit (principal is User, action == Action::"renameOrganization", resource is Organization)\nwhen { principal in resource.members && resource.creditBalance > 100 };';
      const put = (text) => fetch(new URL('/api/policies', baseUrl), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text }) });
      assert.equal((await (await put(policy)).json()).type, 'success');
      try {
        const member = await scoped('maya');
        assert.equal(member.status, 403);
        assert.deepEqual(await member.json(), { errors: [{ code: 'INVALID_REQUEST' }] });
      } finally {
        assert.equal((await (await put(null)).json()).type, 'success');
      }
      assert.equal((await scoped('maya')).status, 200);
    });

    test('screenshot of the console', async () => {
      await reset();
      await viewAs('ada');
      await page.check(tid('try-denied'));
      await page.click(tid('action-approveVersion-sentiment-1.2'));
      await outcome();
      await page.uncheck(tid('try-denied'));
      await page.evaluate(() => window.scrollTo(0, 0));
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      const file = path.join(ARTIFACTS, `demo-${runtime}.png`);
      await page.screenshot({ path: file, fullPage: true });
      assert.ok(fs.statSync(file).size > 10_000, 'the screenshot was written');
      noPageErrors('at the end');
    });
  });
}
