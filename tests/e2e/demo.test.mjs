// End-to-end test of the demo console (www/) in headless Chromium:
//   node --test tests/e2e/
// Needs pkg/dist/ (bash scripts/build-wasm.sh) and Debian's /usr/bin/chromium; playwright-core
// drives it and never downloads a browser. Writes tests/artifacts/demo.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ARTIFACTS = path.join(ROOT, 'tests/artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let server;
let browser;
let page;
let baseUrl;
const pageErrors = [];

const tid = (id) => `[data-testid="${id}"]`;

before(async () => {
  for (const file of ['pkg/dist/orgwarden.js', 'pkg/dist/orgwarden_bg.wasm']) {
    assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} is missing: run \`bash scripts/build-wasm.sh\` first`);
  }
  assert.ok(fs.existsSync(CHROMIUM), `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`);
  ({ server, url: baseUrl } = await startServer({ port: 0 }));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.stack ?? error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`console.error: ${message.text()}`);
  });
  await page.goto(baseUrl);
  await page.waitForSelector('#app[data-ready="true"]', { timeout: 30_000 }).catch(async (error) => {
    const fatal = await page.locator(tid('fatal')).textContent().catch(() => null);
    throw new Error(`the console did not start${fatal ? `: ${fatal}` : ''}\n${pageErrors.join('\n')}\n${error.message}`);
  });
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve()));
  assert.deepEqual(pageErrors, [], `JavaScript errors in the page:\n${pageErrors.join('\n')}`);
});

// ---- helpers ------------------------------------------------------------------------------------

function noPageErrors(when) {
  assert.deepEqual(pageErrors, [], `JavaScript errors in the page ${when}:\n${pageErrors.join('\n')}`);
}

async function viewAs(user) {
  await page.selectOption(tid('view-as'), user);
  assert.equal(await page.inputValue(tid('view-as')), user, `"view as" did not switch to ${user}`);
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

// ---- tests ----------------------------------------------------------------------------------------

test('the console loads the example organization and shows the status line', async () => {
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

  // A collaborator sees no member list (MEM-10) and an outsider only the public profile (ORG-4).
  await viewAs('carl');
  assert.equal(await page.locator(tid('panel-members') + ' ' + tid('hidden-members')).isVisible(), true, 'collaborators do not see the member list');
  await viewAs('otto');
  assert.equal(await page.locator(tid('hidden-profile')).isVisible(), true, 'an outsider sees only the public profile');
  assert.equal(await page.locator(tid('algorithm-ocr')).count(), 1, 'the public algorithm is listed for an outsider');
  assert.equal(await page.locator(tid('algorithm-sentiment')).count(), 0, 'a private algorithm is hidden from an outsider');
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

test('a custom policy with a syntax error is reported with its line and column', async () => {
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

test('a valid custom policy changes a button, and removing it changes it back', async () => {
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
  await expectDisabled('viewBilling', 'Only admins and owners see billing, invoices, earnings and usage', 'member maya, custom policy removed');
  noPageErrors('after the custom policy');
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
  const file = path.join(ARTIFACTS, 'demo.png');
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 10_000, 'the screenshot was written');
  noPageErrors('at the end');
});
