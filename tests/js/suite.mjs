// One behaviour suite for the built package, run unchanged against the Node entry
// (node.test.mjs), the browser entry in headless Chromium (browser.test.mjs) and workerd
// (workerd.test.mjs), each for both builds: the full package and the compiled runtime.
// `api` is the package module; `fixture` the parsed tests/fixtures/small-org.json; `internals`
// the package's pkg/lib/module.js, loaded by the runner beside the entry (the same instance),
// for the one test hook it has: a real trap in the next call into the module. `build` is
// 'full' or 'compiled': the compiled runtime (the default policies compiled ahead of time)
// decides alike and refuses policy and schema text with COMPILED_RUNTIME, which the few cases
// about text assert instead.

export function cases(api, fixture, internals = {}, build = 'full') {
  const compiled = build === 'compiled';
  const { Authorizer, OrgwardenError, validatePolicies, defaultPolicySources, defaultSchema, membershipId, newOrganization, splitOrganizations, moduleStatus } = api;
  const user = (id) => ({ type: 'User', id });
  const acme = { type: 'Organization', id: 'acme' };
  const loaded = () => {
    const authz = new Authorizer();
    const answer = authz.loadSnapshot(fixture);
    expect(answer.type === 'success', `loadSnapshot failed: ${JSON.stringify(answer)}`);
    return authz;
  };

  /** The error `run` throws (an OrgwardenError), or a failed expectation if it returns. */
  const threw = (run) => {
    try {
      run();
    } catch (error) {
      expect(error instanceof OrgwardenError, `threw an OrgwardenError, not ${error}`);
      return error;
    }
    throw new Error('expected a throw');
  };

  /** The compiled runtime's side of the custom-policy case: text is refused, nothing else is. */
  const compiledRefusesText = () => {
    const text = 'permit (principal, action, resource);';
    for (const options of [{ policies: [{ name: 'custom.cedar', text }] }, { schema: 'entity User;' }, { includeDefaultPolicies: false }]) {
      const error = threw(() => new Authorizer(options));
      equal(error.code, 'COMPILED_RUNTIME');
      expect(error.message.includes('orgwarden compile'), 'the refusal names the command that compiles');
    }
    const validation = validatePolicies({ policies: [{ name: 'custom.cedar', text }] });
    equal(validation.type, 'failure');
    equal(validation.errors[0].code, 'COMPILED_RUNTIME');
    // Options equal to the defaults are the compiled ruleset, and it decides.
    const authz = new Authorizer({ policies: [] });
    equal(authz.loadSnapshot(fixture).type, 'success');
    equal(authz.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
    equal(authz.isAllowed(user('mia'), 'viewBilling', acme), false);
  };

  return {
    'ORG-2: owner deletes, a member is refused with the policy reason'() {
      const authz = loaded();
      const owner = authz.check(user('olivia'), 'deleteOrganization', acme);
      equal(owner.type, 'success');
      equal(owner.allowed, true);
      equal(owner.cause, 'permitted');
      equal(owner.policies[0].rule, 'ORG-2');
      const member = authz.check(user('mia'), 'deleteOrganization', acme);
      equal(member.allowed, false);
      equal(member.cause, 'notPermitted');
      equal(member.reason, 'Only owners can delete the organization');
      equal(member.requirements[0].id, 'org2-owners-delete');
    },

    'ALG-3: the submitter approving their own version is forbidden, by rule'() {
      const authz = loaded();
      const decision = authz.check(user('adam'), 'approveVersion', { type: 'AlgorithmVersion', id: 'sentiment@1' });
      equal(decision.cause, 'forbidden');
      deepEqual(decision.policies.map((p) => p.rule), ['ALG-3']);
      equal(authz.isAllowed(user('olivia'), 'approveVersion', { type: 'AlgorithmVersion', id: 'sentiment@1' }), true);
    },

    'SEC-2: roles do not cross organizations'() {
      const authz = loaded();
      const globex = { type: 'Organization', id: 'globex' };
      equal(authz.isAllowed(user('oscar'), 'viewMembers', globex), true);
      equal(authz.isAllowed(user('oscar'), 'viewMembers', acme), false);
      equal(authz.isAllowed(user('olivia'), 'deleteOrganization', globex), false);
    },

    'SEC-4: unknown entities and malformed input are tagged failures that deny'() {
      const authz = loaded();
      const unknown = authz.check(user('nobody'), 'viewMembers', acme);
      equal(unknown.type, 'failure');
      equal(unknown.allowed, false);
      equal(unknown.errors[0].code, 'UNKNOWN_PRINCIPAL');
      equal(authz.check(user('olivia'), 'noSuchAction', acme).errors[0].code, 'UNKNOWN_ACTION');
      equal(authz.check('User::"olivia"', 'viewMembers', acme).type, 'failure');
      equal(authz.check(user('olivia'), 'viewMembers', undefined).allowed, false);
      equal(authz.isAllowed(null, 'viewMembers', acme), false);
      const badContext = authz.check(user('olivia'), 'removeMember', { type: 'Membership', id: 'acme/mia' }, { confirmation: 7 });
      equal(badContext.errors[0].code, 'INVALID_CONTEXT');
      const fresh = new Authorizer();
      const refused = fresh.loadSnapshot({ organizations: [{ id: 'x', name: 'x', members: [] }] });
      equal(refused.type, 'failure');
      equal(refused.errors[0].code, 'INVALID_SNAPSHOT');
      equal(fresh.loadSnapshot('{ nope').errors[0].code, 'INVALID_JSON');
    },

    'loadSnapshot within a budget of entities: refused before it is built, the store kept'() {
      const authz = loaded();
      const count = authz.entityCount();
      const over = authz.loadSnapshot(fixture, { maxEntities: count - 1 });
      equal(over.errors[0].code, 'LIMIT_EXCEEDED');
      expect(over.errors[0].message.includes(`(${count}) exceeds the limit of ${count - 1}`), over.errors[0].message);
      equal(authz.entityCount(), count);
      equal(authz.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
      equal(authz.loadSnapshot(fixture, { maxEntities: count }).entityCount, count);
      equal(authz.loadSnapshot(fixture, { maxEntities: Infinity }).entityCount, count);
      for (const options of [{ maxEntities: -1 }, { maxEntities: 1.5 }, { maxEntities: '9' }, [count], 7]) {
        equal(authz.loadSnapshot(fixture, options).errors[0].code, 'INVALID_REQUEST');
      }
      equal(authz.entityCount(), count);
      authz.free();
    },

    'loadSnapshot for one organization: another, several or none are refused (ORG_MISMATCH), the store kept'() {
      const split = splitOrganizations(fixture);
      const only = (id) => split.organizations.find((org) => org.orgId === id).snapshot;
      const authz = new Authorizer();
      const count = authz.loadSnapshot(only('acme'), { organization: 'acme' }).entityCount;
      expect(count > 0, 'acme alone loads for acme');
      const refusals = [
        [only('globex'), 'the organizations ["globex"]'],
        [fixture, 'the organizations ["acme","globex"]'],
        [{ ...only('acme'), organizations: [] }, 'no organization'],
        [JSON.stringify(fixture), 'the organizations ["acme","globex"]'],
      ];
      for (const [snapshot, held] of refusals) {
        const refused = authz.loadSnapshot(snapshot, { organization: 'acme', maxEntities: 1 });
        equal(refused.type, 'failure');
        equal(refused.errors[0].code, 'ORG_MISMATCH');
        expect(refused.errors[0].message.endsWith(`holds ${held}`), refused.errors[0].message);
        equal(authz.entityCount(), count);
        equal(authz.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
      }
      for (const organization of [5, null, { id: 'acme' }, '', 'x'.repeat(70_000)]) {
        const code = typeof organization === 'string' && organization !== '' ? 'LIMIT_EXCEEDED' : 'INVALID_REQUEST';
        equal(authz.loadSnapshot(only('acme'), { organization }).errors[0].code, code);
      }
      // Without the option, any snapshot loads as before.
      equal(authz.loadSnapshot(fixture).type, 'success');
      authz.free();
    },

    'JSON text with a byte-order mark before it loads as without'() {
      const authz = new Authorizer();
      const text = JSON.stringify(fixture);
      const plain = authz.loadSnapshot(text).entityCount;
      equal(authz.loadSnapshot(`\uFEFF${text}`).entityCount, plain);
      equal(authz.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
      // One mark, at the start: anywhere else it is text that is not JSON.
      equal(authz.loadSnapshot(`\uFEFF\uFEFF${text}`).errors[0].code, 'INVALID_JSON');
      authz.free();
    },

    'MEM-8: validateAction needs the typed confirmation'() {
      const authz = loaded();
      const resource = { type: 'Membership', id: membershipId('acme', 'mia') };
      const wrong = authz.validateAction({ principal: user('olivia'), action: 'removeMember', resource, input: { confirmation: 'x@y' } });
      equal(wrong.valid, false);
      deepEqual(wrong.violations.map((v) => v.rule), ['MEM-8']);
      const missing = authz.validateAction({ principal: user('olivia'), action: 'removeMember', resource });
      equal(missing.violations[0].code, 'MISSING_INPUT');
      const right = authz.validateAction({ principal: user('olivia'), action: 'removeMember', resource, input: { confirmation: 'mia@acme.test' } });
      equal(right.valid, true);
      deepEqual(right.violations, []);
    },

    'answers read right: a grant when allowed, the closest requirement when not, words true for an outsider'() {
      const authz = loaded();
      const owner = authz.check(user('olivia'), 'renameOrganization', acme);
      equal(owner.allowed, true);
      equal(owner.reason, 'Owners can rename the organization');
      equal(owner.policies[0].grant, 'Owners can rename the organization');
      const admin = authz.check(user('adam'), 'renameOrganization', acme);
      equal(admin.cause, 'notPermitted');
      equal(admin.reason, 'Only owners can rename the organization');
      // mia holds `maintain` on research: she is told the workspace role she lacks (WS-1), not
      // every way in joined (WS-4's org admins too).
      const member = authz.check(user('mia'), 'deleteWorkspace', { type: 'Workspace', id: 'research' });
      equal(member.reason, 'Only workspace owners can delete the workspace');
      equal(member.requirements[0].rule, 'WS-1');
      // oscar owns globex: in acme he is an outsider, and is told so in words true for him.
      const outsider = authz.check(user('oscar'), 'viewBilling', acme);
      equal(outsider.cause, 'forbidden');
      equal(outsider.policies[0].rule, 'ORG-4');
      equal(outsider.reason, 'Only members of the organization can do this: everyone else sees only its public profile');
    },

    'validateAction never reports an allowed decision beside a violation'() {
      const authz = loaded();
      const resource = { type: 'Membership', id: membershipId('acme', 'mia') };
      // `role` is inviteMember's field; changeRole needs `newRole`.
      const misspelt = authz.validateAction({ principal: user('olivia'), action: 'changeRole', resource, input: { role: 'admin' } });
      equal(misspelt.valid, false);
      deepEqual(misspelt.violations.map((v) => v.code), ['MISSING_INPUT']);
      equal(misspelt.decision.allowed, false);
      equal(misspelt.decision.type, 'failure');
      equal(misspelt.decision.errors[0].code, 'MISSING_INPUT');
      const right = authz.validateAction({ principal: user('olivia'), action: 'changeRole', resource, input: { newRole: 'admin' } });
      equal(right.valid, true);
      equal(right.decision.allowed, true);
    },

    'SEC-4: a snapshot field that does not exist is INVALID_SNAPSHOT, at its path'() {
      const fresh = new Authorizer();
      const organizations = fixture.organizations.map((o, i) => (i === 0 ? { ...o, api_keys: [] } : o));
      const refused = fresh.loadSnapshot({ ...fixture, organizations });
      equal(refused.type, 'failure');
      equal(refused.errors[0].code, 'INVALID_SNAPSHOT');
      expect(refused.errors[0].message.includes('`organizations[0].api_keys`'), refused.errors[0].message);
      equal(fresh.loadSnapshot('{"organisations": []}').errors[0].code, 'INVALID_SNAPSHOT');
      equal(fresh.loadSnapshot('{"organisations": []}}').errors[0].code, 'INVALID_JSON');
    },

    'allowedActions and matrix answer a page in one call'() {
      const authz = loaded();
      const member = authz.allowedActions(user('mia'), acme);
      equal(member.type, 'success');
      expect(member.allowed.includes('viewMembers'), 'a member views members');
      expect(!member.allowed.includes('inviteMember'), 'a member does not invite');
      for (const outcome of member.outcomes) {
        equal(outcome.decision.allowed, member.allowed.includes(outcome.action), outcome.action);
      }
      const matrix = authz.matrix(user('olivia'), [acme, { type: 'Organization', id: 'globex' }, { type: 'Team', id: 'ghost' }], ['deleteOrganization', 'viewMembers']);
      equal(matrix.type, 'success');
      deepEqual(matrix.actions, ['deleteOrganization', 'viewMembers']);
      deepEqual(matrix.rows.map((r) => r.cells.map((c) => c.allowed)), [[true, true], [false, false], [false, false]]);
      equal(matrix.rows[2].cells[0].cause, 'error');
      equal(matrix.rows[0].cells[0].rule, 'ORG-2');
      equal(matrix.rows[1].cells[0].cause, 'forbidden');
      equal(matrix.rows[1].cells[0].rule, 'ORG-4');
    },

    'splitOrganizations: each org with the users it references decides as the whole snapshot'() {
      const answer = splitOrganizations(fixture);
      equal(answer.type, 'success');
      deepEqual(answer.organizations.map((o) => o.orgId), ['acme', 'globex']);
      const [{ snapshot }] = answer.organizations;
      deepEqual(snapshot.organizations.map((o) => o.id), ['acme']);
      const held = new Set(snapshot.users.map((u) => u.id));
      expect(held.has('olivia') && !held.has('oscar'), 'acme references olivia, not globex owner oscar');
      const whole = loaded();
      const alone = new Authorizer();
      equal(alone.loadSnapshot(snapshot).type, 'success');
      for (const who of ['olivia', 'adam', 'mia']) {
        for (const action of ['viewMembers', 'inviteMember', 'deleteOrganization', 'viewBilling']) {
          deepEqual(alone.check(user(who), action, acme), whole.check(user(who), action, acme), `${who} ${action}`);
        }
      }
      // A user acme does not reference is unknown to acme's own store: a deny.
      equal(alone.check(user('oscar'), 'viewPublicProfile', acme).errors[0].code, 'UNKNOWN_PRINCIPAL');
      deepEqual(splitOrganizations(JSON.stringify(fixture)), answer);
      equal(splitOrganizations({ users: 1 }).errors[0].code, 'INVALID_SNAPSHOT');
      equal(splitOrganizations(42).type, 'failure');
      alone.free();
      whole.free();
    },

    'allowedResources lists the ids of one type a principal may act on, sorted, as check would'() {
      const authz = loaded();
      const research = { type: 'Workspace', id: 'research' };
      deepEqual(authz.allowedResources(user('olivia'), 'deleteOrganization', 'Organization'), { type: 'success', resources: ['acme'] });
      deepEqual(authz.allowedResources(user('oscar'), 'viewPublicProfile', 'Organization'), { type: 'success', resources: ['acme', 'globex'] });
      deepEqual(authz.allowedResources(user('mia'), 'viewWorkspace', 'Workspace').resources, ['research']);
      deepEqual(authz.allowedResources(user('oscar'), 'viewWorkspace', 'Workspace').resources, []);
      for (const who of ['olivia', 'adam', 'mia', 'oscar']) {
        for (const [action, resources] of [['viewMembers', [acme, { type: 'Organization', id: 'globex' }]], ['editWorkspace', [research]]]) {
          const expected = resources.filter((r) => authz.isAllowed(user(who), action, r)).map((r) => r.id);
          deepEqual(authz.allowedResources(user(who), action, resources[0].type).resources, expected);
        }
      }
      // Fail closed, with the codes check gives.
      const code = (...args) => authz.allowedResources(...args).errors[0].code;
      equal(code(user('nobody'), 'viewMembers', 'Organization'), 'UNKNOWN_PRINCIPAL');
      equal(code(user('olivia'), 'noSuchAction', 'Organization'), 'UNKNOWN_ACTION');
      equal(code(user('olivia'), 'viewMembers', 'Organisation'), 'UNKNOWN_ENTITY_TYPE');
      equal(code(user('olivia'), 'deleteOrganization', 'Workspace'), 'INVALID_REQUEST');
      equal(code(user('olivia'), 'viewMembers', 7), 'INVALID_REQUEST');
      equal(authz.allowedResources('User::"olivia"', 'viewMembers', 'Organization').type, 'failure');
    },

    'incremental updates change decisions without a reload'() {
      const authz = loaded();
      const team = { type: 'Team', id: 'ml' };
      equal(authz.check(user('olivia'), 'editTeam', team).type, 'failure');
      const answer = authz.upsertEntities([{ uid: team, attrs: { org: acme, name: 'ML', complianceLabels: [] }, parents: [] }]);
      equal(answer.type, 'success');
      equal(authz.isAllowed(user('olivia'), 'editTeam', team), true);
      equal(authz.isAllowed(user('mia'), 'editTeam', team), false);
      equal(authz.removeEntities([team]).type, 'success');
      equal(authz.check(user('olivia'), 'editTeam', team).errors[0].code, 'UNKNOWN_RESOURCE');
      equal(authz.removeEntities([{ type: 'Team', id: 'ghost' }]).errors[0].code, 'UNKNOWN_ENTITY');
    },

    'custom policies extend the defaults; invalid ones are rejected with a location'() {
      if (compiled) return compiledRefusesText();
      const text = '@id("members-see-billing")\n@rule("CUSTOM-1")\n@reason("Members see billing here")\npermit (principal is User, action == Action::"viewBilling", resource is Organization)\nwhen { principal in resource.members };';
      const authz = new Authorizer({ policies: [{ name: 'custom.cedar', text }] });
      equal(authz.loadSnapshot(fixture).type, 'success');
      const decision = authz.check(user('mia'), 'viewBilling', acme);
      equal(decision.allowed, true);
      equal(decision.policies[0].rule, 'CUSTOM-1');
      equal(loaded().isAllowed(user('mia'), 'viewBilling', acme), false);

      const invalid = validatePolicies({ policies: [{ name: 'bad.cedar', text: 'permit (principal, action, resource)\nwhen { principal.nope == 1 };' }] });
      equal(invalid.type, 'failure');
      const diagnostic = invalid.errors[0].diagnostics[0];
      equal(diagnostic.location.source, 'bad.cedar');
      equal(diagnostic.location.line, 2);
      let thrown;
      try {
        new Authorizer({ policies: [{ name: 'syntax.cedar', text: 'permit (principal, action resource);' }] });
      } catch (error) {
        thrown = error;
      }
      expect(thrown instanceof Error, 'the constructor throws an Error');
      equal(thrown.name, 'OrgwardenError');
      equal(thrown.code, 'INVALID_POLICY');
      equal(thrown.diagnostics[0].location.line, 1);
      const replaced = new Authorizer({ includeDefaultPolicies: false, policies: [{ name: 'only.cedar', text }] });
      equal(replaced.policies().length, 1);
    },

    'authorizers share the default policies, never their entities or custom policies'() {
      const first = loaded();
      const second = new Authorizer();
      equal(first.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
      equal(second.check(user('olivia'), 'deleteOrganization', acme).errors[0].code, 'UNKNOWN_PRINCIPAL');
      equal(second.loadSnapshot(fixture).type, 'success');
      equal(second.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
      second.free();
      equal(first.isAllowed(user('olivia'), 'deleteOrganization', acme), true);

      const taken = new Authorizer().policies()[0];
      const clash = `@id("${taken.id}")\npermit (principal, action, resource) when { false };`;
      let thrown;
      try {
        new Authorizer({ policies: [{ name: 'clash.cedar', text: clash }] });
      } catch (error) {
        thrown = error;
      }
      equal(thrown?.code, compiled ? 'COMPILED_RUNTIME' : 'INVALID_POLICY');
      deepEqual(new Authorizer().policies()[0], taken);
    },

    'the embedded policies and schema are exposed with their annotations'() {
      const authz = new Authorizer();
      const policies = authz.policies();
      expect(policies.length > 50, 'the default set has every rule');
      for (const policy of policies) {
        expect(/^[A-Z]+-\d+$/.test(policy.rule), `${policy.id} cites a rule id`);
        expect(policy.reason.length > 10, `${policy.id} has a reason`);
      }
      if (compiled) {
        // The text was compiled in: the authorizer gives it, the module-level helpers refuse.
        expect(authz.policySources().length > 0 && authz.schemaText().includes('entity User'), 'the compiled text is kept');
        equal(threw(() => defaultPolicySources()).code, 'COMPILED_RUNTIME');
        equal(threw(() => defaultSchema()).code, 'COMPILED_RUNTIME');
        return;
      }
      deepEqual(authz.policySources().map((s) => s.name), defaultPolicySources().map((s) => s.name));
      equal(authz.schemaText(), defaultSchema());
    },

    'a trap is reported by the call it hit, the module is replaced, and later calls answer'() {
      expect(typeof internals.armTrapForTests === 'function', 'the runner passes the trap hook');
      const hit = loaded();
      const bystander = loaded();
      const resetsBefore = moduleStatus().resets;
      internals.armTrapForTests();
      const trapped = hit.check(user('olivia'), 'deleteOrganization', acme);
      equal(trapped.type, 'failure');
      equal(trapped.allowed, false);
      equal(trapped.errors[0].code, 'ENGINE_TRAPPED');
      equal(moduleStatus().resets, resetsBefore + 1);
      // Engines of the old instance are gone: they deny with ENGINE_RESET, never answer stale.
      equal(bystander.check(user('olivia'), 'deleteOrganization', acme).errors[0].code, 'ENGINE_RESET');
      equal(bystander.isAllowed(user('olivia'), 'deleteOrganization', acme), false);
      // New authorizers work on the fresh instance, and a load rebuilds a lost engine.
      const fresh = loaded();
      equal(fresh.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
      equal(hit.loadSnapshot(fixture).type, 'success');
      equal(hit.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
      equal(hit.isAllowed(user('mia'), 'deleteOrganization', acme), false);
      // A trap while an engine is being made throws from the constructor, with the code.
      internals.armTrapForTests();
      let thrown;
      try {
        new Authorizer();
      } catch (error) {
        thrown = error;
      }
      expect(thrown instanceof OrgwardenError, 'the constructor throws an OrgwardenError');
      equal(thrown.code, 'ENGINE_TRAPPED');
      equal(loaded().isAllowed(user('olivia'), 'deleteOrganization', acme), true);
    },

    'setters a page puts on Object.prototype never run inside a call: answers are whole, and calling back from them resets nothing'() {
      const authz = loaded();
      const bystander = loaded();
      const mia = user('mia');
      const removal = { principal: user('olivia'), action: 'removeMember', resource: { type: 'Membership', id: 'acme/mia' }, input: { confirmation: 'wrong@acme.test' } };
      const ask = () => ({
        load: authz.loadSnapshot(fixture),
        check: authz.check(mia, 'deleteOrganization', acme),
        refused: authz.check(user('nobody'), 'viewMembers', acme),
        actions: authz.allowedActions(mia, acme),
        resources: authz.allowedResources(user('olivia'), 'viewWorkspace', 'Workspace'),
        matrix: authz.matrix(user('olivia'), [acme], ['viewBilling', 'deleteOrganization']),
        validation: authz.validateAction(removal),
        policies: authz.policies(),
        split: splitOrganizations(fixture),
      });
      const plain = ask();
      const resetsBefore = moduleStatus().resets;
      // Fields every answer has: a setter for each, which calls back into the module the way a
      // reactive store might.
      const fields = ['type', 'allowed', 'cause', 'reason', 'errors', 'code', 'rows', 'valid', 'entityCount', 'resources', 'policies', 'id'];
      const saved = fields.map((field) => [field, Object.getOwnPropertyDescriptor(Object.prototype, field)]);
      const fired = [];
      let asked;
      try {
        for (const field of fields) {
          Object.defineProperty(Object.prototype, field, {
            configurable: true,
            get: () => undefined,
            set(value) {
              fired.push(field);
              Object.defineProperty(this, field, { value, writable: true, enumerable: true, configurable: true });
              authz.loadSnapshot(fixture);
              bystander.isAllowed(user('olivia'), 'deleteOrganization', acme);
            },
          });
        }
        asked = ask();
      } finally {
        for (const [field, descriptor] of saved) {
          if (descriptor) Object.defineProperty(Object.prototype, field, descriptor);
          else delete Object.prototype[field];
        }
      }
      deepEqual(asked, plain);
      deepEqual(fired, []);
      equal(moduleStatus().resets, resetsBefore);
      equal(bystander.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
    },

    'hostile arguments get tagged failures, never a throw or a trap'() {
      const authz = loaded();
      const resetsBefore = moduleStatus().resets;
      const huge = { length: 1e8 };
      const throwing = { get type() { throw new Error('getter'); }, id: 'x' };
      for (const action of [5, 5n, Symbol('x'), {}, undefined, null, [], huge, 'x'.repeat(70 * 1024)]) {
        const decision = authz.check(user('olivia'), action, acme);
        equal(decision.type, 'failure', String(typeof action));
        equal(decision.allowed, false);
        expect(['INVALID_REQUEST', 'LIMIT_EXCEEDED'].includes(decision.errors[0].code), decision.errors[0].code);
        equal(authz.isAllowed(user('olivia'), action, acme), false);
      }
      equal(authz.check(throwing, 'viewMembers', acme).errors[0].code, 'INVALID_REQUEST');
      equal(authz.check(user('olivia'), 'viewMembers', acme, { toJSON() { throw new Error('no'); } }).errors[0].code, 'INVALID_CONTEXT');
      // A lone surrogate is valid JSON once stringified, but no string the module can hold: it
      // is named as such, and the text of a backslash and "ud800" is not one.
      const membership = { type: 'Membership', id: 'acme/mia' };
      const lone = authz.check(user('olivia'), 'removeMember', membership, { confirmation: 'mia@acme.test\uD800' });
      equal(lone.errors[0].code, 'INVALID_CONTEXT');
      expect(lone.errors[0].message.includes('lone surrogate'), lone.errors[0].message);
      equal(authz.check(user('olivia'), 'removeMember', membership, { confirmation: '\\ud800' }).type, 'success');
      const loneName = structuredClone(fixture);
      loneName.users[0].name = '\uDC00';
      const refusedLoad = authz.upsertEntities([{ uid: { type: 'Team', id: '\uDC00' }, attrs: {}, parents: [] }]);
      equal(refusedLoad.errors[0].code, 'INVALID_JSON');
      expect(refusedLoad.errors[0].message.includes('lone surrogate'), refusedLoad.errors[0].message);
      equal(loaded().loadSnapshot(loneName).errors[0].code, 'INVALID_JSON');
      equal(authz.matrix(user('olivia'), [acme], ['viewBilling', null]).errors[0].code, 'INVALID_REQUEST');
      equal(authz.matrix(user('olivia'), huge, ['viewBilling']).errors[0].code, 'INVALID_REQUEST');
      equal(authz.loadSnapshot(5).errors[0].code, 'INVALID_JSON');
      // The refusal names what was given, in words.
      equal(authz.upsertEntities(undefined).errors[0].message, 'entities must be JSON text or an object, not undefined');
      equal(authz.loadSnapshot(5).errors[0].message, 'snapshot must be JSON text or an object, not a number');
      const cyclic = {};
      cyclic.self = cyclic;
      equal(authz.upsertEntities(cyclic).errors[0].code, 'INVALID_JSON');
      equal(authz.validateAction(null).violations[0].code, 'INVALID_JSON');
      equal(validatePolicies(7).errors[0].code, 'INVALID_JSON');
      // A detached method gets any `this`.
      equal(Authorizer.prototype.check.call({}, user('olivia'), 'viewMembers', acme).errors[0].code, 'INVALID_REQUEST');
      equal(Authorizer.prototype.isAllowed.call(undefined, user('olivia'), 'viewMembers', acme), false);
      let thrown;
      try {
        membershipId(1, 2);
      } catch (error) {
        thrown = error;
      }
      equal(thrown?.code, 'INVALID_REQUEST');
      equal(moduleStatus().resets, resetsBefore);
      equal(authz.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
    },

    'options and action requests are plain objects, never read by position; a policy entry is { name, text } alone'() {
      const entry = { name: 'custom.cedar', text: 'permit (principal, action, resource);' };
      // [schema, policies, includeDefaultPolicies] would be the options without the defaults; a
      // Map would be written as {}, the defaults; a toJSON may write an array too. Each is
      // refused in JS, before the module sees it, alike on both builds.
      const notPlain = [[null, [entry], false], [null, [], false], [], new Map([['includeDefaultPolicies', false]]), { toJSON: () => [null, [entry], false] }];
      for (const options of notPlain) {
        const error = threw(() => new Authorizer(options));
        equal(error.code, 'INVALID_REQUEST');
        expect(error.message.startsWith('options must be a plain object'), error.message);
        const validation = validatePolicies(options);
        equal(validation.type, 'failure');
        equal(validation.errors[0].code, 'INVALID_REQUEST');
      }
      // A key the module does not read in an entry (here one that looks like it makes the
      // policy a forbid) is refused and named, as a misspelt option is; so is an entry by position.
      const entries = [
        [{ ...entry, effect: 'forbid' }, 'options.policies[0] has the unknown key "effect"'],
        [['custom.cedar', entry.text], 'options.policies[0] must be an object { name, text }, not an array'],
      ];
      for (const [badEntry, message] of entries) {
        const error = threw(() => new Authorizer({ policies: [badEntry] }));
        equal(error.code, 'INVALID_REQUEST');
        expect(error.message.startsWith(message), error.message);
        const validation = validatePolicies({ policies: [badEntry] });
        equal(validation.errors[0].code, 'INVALID_REQUEST');
        expect(validation.errors[0].message.startsWith(message), validation.errors[0].message);
      }
      // validateAction's request by position is refused, where its object form is valid.
      const authz = loaded();
      equal(authz.validateAction({ principal: user('olivia'), action: 'renameOrganization', resource: acme }).valid, true);
      const positional = authz.validateAction([user('olivia'), 'renameOrganization', acme]);
      equal(positional.valid, false);
      equal(positional.violations[0].code, 'INVALID_REQUEST');
      expect(positional.violations[0].message.startsWith('action request must be a plain object'), positional.violations[0].message);
      equal(positional.decision.allowed, false);
      // Below the top level too: a principal by position is refused by the module, which reads
      // structs from objects only, where serde alone would read it as { type, id }.
      const nested = authz.validateAction({ principal: ['User', 'olivia'], action: 'renameOrganization', resource: acme });
      equal(nested.valid, false);
      equal(nested.violations[0].code, 'INVALID_REQUEST');
      expect(nested.violations[0].message.includes('invalid type: sequence, expected struct EntityRef'), nested.violations[0].message);
      // And a snapshot's records: a member given as [user, role] is the snapshot's error, named
      // by its path; the store is kept.
      const count = authz.entityCount();
      const byPosition = structuredClone(fixture);
      byPosition.organizations[0].members[0] = [byPosition.organizations[0].members[0].user, 'owner'];
      const refused = authz.loadSnapshot(byPosition);
      equal(refused.errors[0].code, 'INVALID_SNAPSHOT');
      expect(refused.errors[0].message.startsWith('invalid snapshot at `organizations[0].members[0]`: invalid type: sequence, expected struct MemberRecord'), refused.errors[0].message);
      equal(authz.entityCount(), count);
      equal(authz.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
    },

    'a freed authorizer answers AUTHORIZER_FREED; Symbol.dispose frees it'() {
      const authz = loaded();
      authz.free();
      authz.free();
      equal(authz.check(user('olivia'), 'deleteOrganization', acme).errors[0].code, 'AUTHORIZER_FREED');
      equal(authz.isAllowed(user('olivia'), 'deleteOrganization', acme), false);
      equal(authz.matrix(user('olivia'), [acme], ['viewBilling']).errors[0].code, 'AUTHORIZER_FREED');
      equal(authz.loadSnapshot(fixture).errors[0].code, 'AUTHORIZER_FREED');
      let thrown;
      try {
        authz.entityCount();
      } catch (error) {
        thrown = error;
      }
      equal(thrown?.code, 'AUTHORIZER_FREED');
      if (typeof Symbol.dispose === 'symbol') {
        const disposed = loaded();
        disposed[Symbol.dispose]();
        equal(disposed.check(user('olivia'), 'viewMembers', acme).errors[0].code, 'AUTHORIZER_FREED');
      }
    },

    'subscribers hear of every store change that succeeded, and only those'() {
      const authz = new Authorizer();
      const heard = [];
      const unsubscribe = authz.subscribe((event) => heard.push(event));
      equal(authz.loadSnapshot(fixture).type, 'success');
      equal(authz.loadSnapshot('{ nope').type, 'failure');
      equal(authz.removeEntities([{ type: 'User', id: 'nobody' }]).type, 'failure');
      equal(authz.removeEntities([user('mia')]).type, 'success');
      unsubscribe();
      equal(authz.loadSnapshot(fixture).type, 'success');
      deepEqual(heard.map((e) => e.change), ['loadSnapshot', 'removeEntities']);
      deepEqual(heard[1].removed, [user('mia')]);
      equal(heard[1].entityCount, heard[0].entityCount - 1);
      let thrown;
      try {
        authz.subscribe('not a function');
      } catch (error) {
        thrown = error;
      }
      equal(thrown?.code, 'INVALID_REQUEST');
    },

    'storeBytes counts what the store holds in the module; a reload reuses it, free gives it all back'() {
      const held = () => moduleStatus().heldBytes;
      // The first authorizer of a run builds what all of them share.
      loaded().free();
      const start = held();
      const authz = new Authorizer();
      equal(authz.storeBytes(), 0);
      const empty = held();
      const heard = [];
      authz.subscribe((event) => heard.push(event.storeBytes));
      equal(authz.loadSnapshot(fixture).type, 'success');
      const bytes = authz.storeBytes();
      equal(bytes, held() - empty);
      const perEntity = bytes / authz.entityCount();
      expect(perEntity > 300 && perEntity < 6_000, `${perEntity} bytes an entity`);
      // A reload replaces the store: the old one is freed, nothing adds up.
      equal(authz.loadSnapshot(fixture).type, 'success');
      equal(authz.storeBytes(), bytes);
      equal(held() - empty, bytes);
      // A refused load changes nothing.
      equal(authz.loadSnapshot('{ nope').type, 'failure');
      equal(authz.storeBytes(), bytes);
      // Updates count what they add and what they free (the first one also indexes children).
      equal(authz.removeEntities([user('mia')]).type, 'success');
      equal(authz.storeBytes(), held() - empty);
      deepEqual(heard, [bytes, bytes, authz.storeBytes()]);
      authz.free();
      equal(held(), start, 'free gives back every byte the authorizer held');
    },

    'ORG-1: a new organization makes its creator the first owner'() {
      const org = newOrganization('initech', 'initech', 'mia');
      deepEqual(org.members, [{ user: 'mia', role: 'owner' }]);
      const authz = new Authorizer();
      const snapshot = { users: fixture.users, organizations: [...fixture.organizations, org] };
      equal(authz.loadSnapshot(snapshot).type, 'success');
      equal(authz.isAllowed(user('mia'), 'deleteOrganization', { type: 'Organization', id: 'initech' }), true);
      equal(authz.isAllowed(user('mia'), 'createOrganization', { type: 'Platform', id: 'platform' }), true);
    },

    'scopeSnapshot: a collaborator gets no one else\'s email and no API keys, and kept resources answer as on the full snapshot'() {
      // The fixture, with carol collaborating on research, an API key, an invitation and billing.
      const full = structuredClone(fixture);
      full.users.push({ id: 'carol', email: 'carol@partner.test', mfaEnabled: true, passwordCompliant: true });
      const org = full.organizations.find((o) => o.id === 'acme');
      org.collaborators = ['carol'];
      org.workspaces.find((w) => w.id === 'research').participants.push({ user: 'carol', role: 'launch' });
      org.apiKeys = [{ id: 'key-ci', name: 'CI', scopes: ['algorithms:call'] }];
      org.invitations = [{ id: 'inv-1', email: 'dave@example.test', role: 'member', status: 'pending' }];
      org.billing = { creditBalance: 1200, concurrentRunLimit: 5, activeRuns: 1 };

      // Any authorizer scopes with its policies; its own store (small-org) is left as it was.
      const server = loaded();
      const answer = server.scopeSnapshot(full, user('carol'));
      equal(answer.type, 'success', JSON.stringify(answer));
      equal(server.isAllowed(user('olivia'), 'deleteOrganization', acme), true);
      equal(server.check(user('carol'), 'viewWorkspace', { type: 'Workspace', id: 'research' }).errors?.[0].code, 'UNKNOWN_PRINCIPAL');

      const { snapshot } = answer;
      const text = JSON.stringify(snapshot);
      for (const other of [...full.users.filter((u) => u.id !== 'carol').map((u) => u.email), 'dave@example.test']) {
        expect(!text.includes(other), `${other} is in carol's snapshot`);
      }
      for (const kept of snapshot.organizations) {
        deepEqual(kept.apiKeys ?? [], []);
        deepEqual(kept.invitations ?? [], []);
        expect(kept.billing?.creditBalance !== 1200, 'the credit balance is hidden');
      }
      deepEqual(snapshot.organizations.map((o) => o.id), ['acme']);

      const browser = new Authorizer();
      equal(browser.loadSnapshot(snapshot).type, 'success');
      const whole = new Authorizer();
      equal(whole.loadSnapshot(full).type, 'success');
      const research = { type: 'Workspace', id: 'research' };
      const sentiment = { type: 'Algorithm', id: 'sentiment' };
      for (const [action, resource] of [
        ['launchCompute', research], ['viewWorkspace', research], ['deleteWorkspace', research],
        ['viewAlgorithm', sentiment], ['callAlgorithm', sentiment], ['viewMembers', acme], ['viewBilling', acme],
      ]) {
        deepEqual(browser.check(user('carol'), action, resource), whole.check(user('carol'), action, resource));
      }
      equal(browser.isAllowed(user('carol'), 'launchCompute', research), true);
      deepEqual(browser.allowedActions(user('carol'), acme), whole.allowedActions(user('carol'), acme));

      equal(server.scopeSnapshot(full, { type: 'ApiKey', id: 'key-ci' }).errors[0].code, 'INVALID_REQUEST');
      equal(server.scopeSnapshot(full, user('nobody')).errors[0].code, 'UNKNOWN_PRINCIPAL');
      equal(server.scopeSnapshot(full, null).errors[0].code, 'INVALID_REQUEST');
      equal(server.scopeSnapshot(5, user('carol')).errors[0].code, 'INVALID_JSON');
      equal(Authorizer.prototype.scopeSnapshot.call({}, full, user('carol')).errors[0].code, 'INVALID_REQUEST');
    },
  };
}

function expect(condition, message) {
  if (!condition) throw new Error(`expectation failed: ${message}`);
}

function equal(actual, expected, label = '') {
  if (actual !== expected) {
    throw new Error(`${label ? label + ': ' : ''}expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function deepEqual(actual, expected) {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) throw new Error(`expected ${b}, got ${a}`);
}
