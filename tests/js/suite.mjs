// One behaviour suite for the built package, run unchanged against the Node entry
// (node.test.mjs) and the browser entry in headless Chromium (browser.test.mjs).
// `api` is the package module; `fixture` the parsed tests/fixtures/small-org.json.

export function cases(api, fixture) {
  const { Authorizer, validatePolicies, defaultPolicySources, defaultSchema, membershipId, newOrganization } = api;
  const user = (id) => ({ type: 'User', id });
  const acme = { type: 'Organization', id: 'acme' };
  const loaded = () => {
    const authz = new Authorizer();
    const answer = authz.loadSnapshot(fixture);
    expect(answer.type === 'success', `loadSnapshot failed: ${JSON.stringify(answer)}`);
    return authz;
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
      equal(matrix.rows[1].cells[0].rule, 'WS-3');
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
      equal(thrown?.code, 'INVALID_POLICY');
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
      deepEqual(authz.policySources().map((s) => s.name), defaultPolicySources().map((s) => s.name));
      equal(authz.schemaText(), defaultSchema());
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
