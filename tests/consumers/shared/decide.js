// The decisions every consumer must reach, whatever toolchain built or loaded the package.
// Each consumer copies this file next to its own code, calls decide() with the package's
// exports and tests/fixtures/small-org.json, and reports the answer (stdout or the page's
// #result), which the runner compares with `expected`. A load alone would not do: a wrong
// entry, an uninitialized module or a dropped .wasm all still import, then fail here.
export function decide({ Authorizer, moduleStatus }, snapshot) {
  const authz = new Authorizer();
  const loaded = authz.loadSnapshot(snapshot);
  const acme = { type: 'Organization', id: 'acme' };
  const owner = authz.check({ type: 'User', id: 'olivia' }, 'deleteOrganization', acme);
  const member = authz.check({ type: 'User', id: 'mia' }, 'deleteOrganization', acme);
  const stranger = authz.check({ type: 'User', id: 'mallory' }, 'viewMembers', acme);
  const admin = authz.allowedActions({ type: 'User', id: 'adam' }, acme);
  return {
    loaded: loaded.type,
    ready: moduleStatus().ready,
    owner: { allowed: owner.allowed, cause: owner.cause, rule: owner.policies?.[0]?.rule },
    member: { allowed: member.allowed, cause: member.cause, reason: member.reason },
    stranger: { allowed: stranger.allowed, error: stranger.errors?.[0]?.code },
    adminMayInvite: admin.allowed?.includes('inviteMember') ?? false,
  };
}

export const expected = {
  loaded: 'success',
  ready: true,
  owner: { allowed: true, cause: 'permitted', rule: 'ORG-2' },
  member: { allowed: false, cause: 'notPermitted', reason: 'Only owners can delete the organization' },
  stranger: { allowed: false, error: 'UNKNOWN_PRINCIPAL' },
  adminMayInvite: true,
};

/** For pages: runs decide() and writes the answer, or the error, into <pre id="result">. */
export async function report(run) {
  const out = document.querySelector('#result');
  try {
    out.textContent = JSON.stringify(await run());
  } catch (error) {
    out.textContent = `ERROR ${error && error.stack ? error.stack : error}`;
  }
  out.dataset.done = 'true';
}
