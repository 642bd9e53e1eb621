// The benchmark workload, generated deterministically from a seed: organization snapshots of
// a chosen size (the demo's example org, www/example-org.json, plus generated orgs shaped like
// it), and a request mix over every role and many actions and resources.

import { readFileSync } from 'node:fs';

/** mulberry32: a small seeded PRNG, so every run generates the very same workload. */
export function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => next() < p;
  const sample = (list, k) => {
    const copy = [...list];
    const out = [];
    while (out.length < k && copy.length > 0) out.push(copy.splice(int(copy.length), 1)[0]);
    return out;
  };
  return { next, int, pick, chance, sample };
}

const WORKSPACE_ROLES = ['view', 'connect', 'launch', 'maintain', 'admin', 'owner'];
const VERSION_STATUSES = ['draft', 'pending', 'approved', 'rejected', 'published'];
const INVITATION_STATUSES = ['pending', 'pending', 'accepted', 'cancelled', 'expired'];
const SCOPES = [
  'algorithms:read', 'algorithms:call', 'algorithms:write', 'workspaces:read',
  'compute:launch', 'usage:read', 'members:read', 'profile:read',
];
const LABELS = ['hipaa', 'soc2', 'gdpr'];

const exampleOrg = () =>
  JSON.parse(readFileSync(new URL('../www/example-org.json', import.meta.url), 'utf8'));

/**
 * A snapshot: the example org `acme` as it is, `orgCount` generated orgs of `members` members
 * each, one personal account and some users outside every org. All users are compliant.
 */
export function generateSnapshot({ orgCount, members, seed }) {
  const rnd = prng(seed);
  const snapshot = exampleOrg();
  for (const user of snapshot.users) Object.assign(user, { mfaEnabled: true, passwordCompliant: true });
  const addUser = (id, domain) => {
    snapshot.users.push({ id, email: `${id}@${domain}`, name: id.toUpperCase(), mfaEnabled: true, passwordCompliant: true });
    return id;
  };
  // Users outside every org: outsiders, invitees by account name, collaborators.
  const freelancers = Array.from({ length: Math.max(8, Math.round(members / 2)) }, (_, i) => addUser(`free${i}`, 'free.example'));

  let previousMembers = [];
  for (let o = 0; o < orgCount; o++) {
    const id = `org${o}`;
    const own = Array.from({ length: members }, (_, i) => addUser(`o${o}u${i}`, `org${o}.example`));
    // A few members of the previous org belong here too: users in two orgs.
    const shared = rnd.sample(previousMembers, Math.min(3, previousMembers.length));
    const memberIds = [...own, ...shared];
    const ownerCount = o % 3 === 0 ? 1 : 2; // some orgs with a last owner
    const memberRecords = memberIds.map((user, i) => ({
      user,
      role: i < ownerCount ? 'owner' : i < ownerCount + Math.max(2, Math.round(members / 10)) ? 'admin' : 'member',
    }));
    const memberSet = new Set(memberIds);
    const collaborators = rnd
      .sample([...previousMembers.filter((u) => !memberSet.has(u)), ...freelancers], Math.max(2, Math.round(members / 10)));
    const people = [...memberIds, ...collaborators];

    const teams = Array.from({ length: Math.max(2, Math.round(members / 8)) }, (_, t) => ({
      id: `${id}-team${t}`,
      name: `Team ${t}`,
      members: rnd.sample(people, 3 + rnd.int(6)),
      complianceLabels: t % 5 === 4 ? [rnd.pick(LABELS)] : [],
    }));
    const workspaces = Array.from({ length: Math.max(3, Math.round(members / 6)) }, (_, w) => ({
      id: `${id}-ws${w}`,
      name: `Workspace ${w}`,
      labels: rnd.sample(LABELS, rnd.int(3)),
      participants: [
        ...rnd.sample(teams, 1 + rnd.int(2)).map((team) => ({ team: team.id, role: rnd.pick(WORKSPACE_ROLES) })),
        ...rnd.sample(people, 3 + rnd.int(4)).map((user) => ({ user, role: rnd.pick(WORKSPACE_ROLES) })),
      ],
    }));
    // WS-3: a collaborator holds a workspace role.
    collaborators.forEach((user, i) => {
      const workspace = workspaces[i % workspaces.length];
      if (!workspace.participants.some((p) => p.user === user)) {
        workspace.participants.push({ user, role: WORKSPACE_ROLES[i % WORKSPACE_ROLES.length] });
      }
    });
    let versionCount = 0;
    const algorithms = Array.from({ length: Math.max(3, Math.round(members / 4)) }, (_, a) => {
      const contributors = rnd.sample(people, 1 + rnd.int(3));
      return {
        id: `${id}-alg${a}`,
        name: `Algorithm ${a}`,
        workspace: rnd.pick(workspaces).id,
        public: rnd.chance(0.3),
        contributors,
        labels: rnd.sample(LABELS, rnd.int(3)),
        versions: Array.from({ length: 1 + rnd.int(4) }, (_, v) => ({
          id: `${id}-alg${a}@${v}`,
          version: `1.${v}`,
          status: VERSION_STATUSES[versionCount++ % VERSION_STATUSES.length],
          submitter: rnd.chance(0.7) ? rnd.pick(contributors) : rnd.pick(memberIds),
        })),
      };
    });
    const invitations = Array.from({ length: Math.max(2, Math.round(members / 10)) }, (_, i) => {
      const byAccount = i % 2 === 0;
      const account = byAccount ? rnd.pick(freelancers) : undefined;
      return {
        id: `${id}-inv${i}`,
        email: byAccount ? `${account}@free.example` : `new${i}@${id}.invite.example`,
        ...(byAccount ? { account } : {}),
        role: rnd.pick(['member', 'member', 'admin', 'owner']),
        status: rnd.pick(INVITATION_STATUSES),
      };
    });
    const apiKeys = Array.from({ length: Math.max(2, Math.round(members / 20)) }, (_, k) => ({
      id: `${id}-key${k}`,
      name: `Key ${k}`,
      scopes: rnd.sample(SCOPES, 1 + rnd.int(4)),
      revoked: k % 7 === 3,
    }));
    snapshot.organizations.push({
      id,
      name: id,
      displayName: `Org ${o}`,
      termsVersion: '2026-01',
      members: memberRecords,
      collaborators,
      teams,
      workspaces,
      algorithms,
      invitations,
      apiKeys,
      billing: o % 4 === 1
        ? { creditBalance: 0, concurrentRunLimit: 5, activeRuns: 0 } // BILL-3: no credit
        : o % 4 === 2
          ? { creditBalance: 900, concurrentRunLimit: 3, activeRuns: 3 } // BILL-3: at the limit
          : { creditBalance: 5000, concurrentRunLimit: 10, activeRuns: 2 },
      security: {
        enforcePasswordPolicy: o % 2 === 0,
        requireMfa: o % 3 === 0,
        requireIndependentApproval: o % 5 !== 4,
      },
    });
    previousMembers = own;
  }
  const soloOwner = addUser('solo', 'solo.example');
  snapshot.organizations.push({ id: 'solo-account', name: 'solo', personal: true, members: [{ user: soloOwner, role: 'owner' }] });
  return snapshot;
}

/** Entities the engine derives from a snapshot (without the schema's action entities). */
export function countEntities(snapshot) {
  let n = 1 + snapshot.users.length; // Platform, users
  for (const org of snapshot.organizations) {
    n += 5 + org.members.length; // 4 role groups, the org, memberships
    n += (org.teams ?? []).length + 7 * (org.workspaces ?? []).length + (org.invitations ?? []).length + (org.apiKeys ?? []).length;
    for (const algorithm of org.algorithms ?? []) n += 1 + algorithm.versions.length;
  }
  return n;
}

/** The generated snapshot whose entity count comes closest to `target`. */
export function snapshotOfSize({ target, orgCount, seed }) {
  let best;
  for (let members = 4; members <= 2000; members += 1) {
    const count = countEntities(generateSnapshot({ orgCount, members, seed }));
    if (!best || Math.abs(count - target) < Math.abs(best.count - target)) best = { members, count };
    if (count > target) break;
  }
  return { snapshot: generateSnapshot({ orgCount, members: best.members, seed }), membersPerOrg: best.members };
}

const ROLE_WEIGHTS = [
  ['owner', 0.14], ['admin', 0.16], ['member', 0.24], ['collaborator', 0.14], ['outsider', 0.14], ['apiKey', 0.18],
];

/**
 * `count` requests `{principal, action, resource, role, crossOrg}`, each with an empty context.
 * `applies(principalType, resourceType)` lists the actions the schema allows for that pair.
 */
export function generateRequests(snapshot, { count, seed, applies }) {
  const rnd = prng(seed);
  const orgs = snapshot.organizations;
  const allUsers = snapshot.users.map((u) => u.id);
  const pickRole = () => {
    let x = rnd.next();
    for (const [role, weight] of ROLE_WEIGHTS) if ((x -= weight) < 0) return role;
    return 'member';
  };
  const ref = (type, id) => ({ type, id });
  const resourceTypes = ['Platform', 'Organization', 'Membership', 'Team', 'Workspace', 'Algorithm', 'AlgorithmVersion', 'Invitation', 'ApiKey'];

  const resourceOf = (type, org, principal) => {
    switch (type) {
      case 'Platform': return ref('Platform', 'platform');
      case 'Organization': return ref('Organization', org.id);
      case 'Membership': {
        // Now and then the principal's own membership (MEM-5, MEM-10 self rules).
        const own = principal.type === 'User' && org.members.find((m) => m.user === principal.id);
        const member = own && rnd.chance(0.15) ? own : rnd.pick(org.members);
        return ref('Membership', `${org.id}/${member.user}`);
      }
      case 'Team': return org.teams?.length ? ref('Team', rnd.pick(org.teams).id) : null;
      case 'Workspace': return org.workspaces?.length ? ref('Workspace', rnd.pick(org.workspaces).id) : null;
      case 'Algorithm': return org.algorithms?.length ? ref('Algorithm', rnd.pick(org.algorithms).id) : null;
      case 'AlgorithmVersion': {
        if (!org.algorithms?.length) return null;
        return ref('AlgorithmVersion', rnd.pick(rnd.pick(org.algorithms).versions).id);
      }
      case 'Invitation': {
        if (!org.invitations?.length) return null;
        // Now and then an invitation addressed to the principal (MEM-4).
        const mine = org.invitations.filter((i) => i.account === principal.id);
        return ref('Invitation', (mine.length && rnd.chance(0.5) ? rnd.pick(mine) : rnd.pick(org.invitations)).id);
      }
      case 'ApiKey': return org.apiKeys?.length ? ref('ApiKey', rnd.pick(org.apiKeys).id) : null;
      default: return null;
    }
  };

  const requests = [];
  while (requests.length < count) {
    const org = rnd.pick(orgs);
    const role = pickRole();
    let principal;
    if (role === 'apiKey') {
      if (!org.apiKeys?.length) continue;
      principal = ref('ApiKey', rnd.pick(org.apiKeys).id);
    } else if (role === 'collaborator') {
      if (!org.collaborators?.length) continue;
      principal = ref('User', rnd.pick(org.collaborators));
    } else if (role === 'outsider') {
      const inside = new Set([...org.members.map((m) => m.user), ...(org.collaborators ?? [])]);
      principal = ref('User', rnd.pick(allUsers.filter((u) => !inside.has(u))));
    } else {
      const holders = org.members.filter((m) => m.role === role);
      if (!holders.length) continue;
      principal = ref('User', rnd.pick(holders).user);
    }
    // Mostly a resource of the same org; 15% of another org: cross-org requests.
    const crossOrg = rnd.chance(0.15);
    const resourceOrg = crossOrg ? rnd.pick(orgs.filter((o) => o !== org)) : org;
    const resourceType = rnd.pick(resourceTypes);
    const actions = applies(principal.type, resourceType);
    if (!actions.length) continue;
    const resource = resourceOf(resourceType, resourceOrg, principal);
    if (!resource) continue;
    requests.push({ principal, action: rnd.pick(actions), resource, role, crossOrg });
  }
  return requests;
}

// One entity of each type in the example org, which every generated snapshot holds.
const SAMPLE = {
  User: 'olivia', ApiKey: 'key-ci', Platform: 'platform', Organization: 'acme', Membership: 'acme/olivia',
  Team: 'ml-research', Workspace: 'ws-research', Algorithm: 'sentiment', AlgorithmVersion: 'sentiment-1.0',
  Invitation: 'inv-newhire',
};

/**
 * Which actions apply to which principal and resource types, as the schema says, read from
 * `authz.allowedActions` (every applicable action has an outcome) on a store holding a
 * generated snapshot: `(principalType, resourceType) => action names`, for generateRequests.
 */
export function applicability(authz) {
  const table = new Map();
  for (const principalType of ['User', 'ApiKey']) {
    for (const resourceType of Object.keys(SAMPLE).filter((t) => t !== 'User')) {
      const answer = authz.allowedActions({ type: principalType, id: SAMPLE[principalType] }, { type: resourceType, id: SAMPLE[resourceType] });
      if (answer.type !== 'success') throw new Error(`allowedActions: ${JSON.stringify(answer)}`);
      table.set(`${principalType}>${resourceType}`, answer.outcomes.map((o) => o.action));
    }
  }
  return (p, r) => table.get(`${p}>${r}`) ?? [];
}
