// Compiled with `tsc --noEmit` against the package's shipped declarations: if a declaration
// drifts from the API (a renamed call, a widened union), this file stops compiling.
import init, {
  Authorizer,
  validatePolicies,
  membershipId,
  moduleStatus,
  newOrganization,
  splitOrganizations,
  type ActionValidation,
  type Decision,
  type EntityRef,
  type TypedEntityRef,
  type ActionName,
  type SchemaNames,
  type ErrorCode,
  type LoadAnswer,
  type MatrixAnswer,
  type OrgwardenError,
  type PolicyInfo,
  type Snapshot,
} from 'orgwarden';

await init();

const snapshot: Snapshot = {
  users: [{ id: 'olivia', email: 'olivia@acme.test', mfaEnabled: true, passwordCompliant: true }],
  organizations: [
    {
      id: 'acme',
      name: 'acme',
      members: [{ user: 'olivia', role: 'owner' }],
      workspaces: [{ id: 'research', participants: [{ team: 'ml', role: 'launch' }] }],
      teams: [{ id: 'ml', members: ['olivia'], complianceLabels: ['hipaa'] }],
      billing: { creditBalance: 10, concurrentRunLimit: 2, activeRuns: 0 },
      security: { requireMfa: true },
    },
  ],
};

const authz = new Authorizer({ policies: [{ name: 'custom.cedar', text: 'permit (principal, action, resource);' }] });
const loaded: LoadAnswer = authz.loadSnapshot(snapshot, { maxEntities: 10_000 });
// @ts-expect-error: a budget is a number.
authz.loadSnapshot(snapshot, { maxEntities: '10000' });
const forAcme = authz.loadSnapshot(snapshot, { organization: 'acme', maxEntities: 10_000 });
if (forAcme.type === 'failure' && forAcme.errors[0]?.code === 'ORG_MISMATCH') void forAcme;
// @ts-expect-error: an organization is named by its id.
authz.loadSnapshot(snapshot, { organization: { id: 'acme' } });
if (loaded.type === 'success') {
  const count: number = loaded.entityCount;
  void count;
} else {
  const codes: ErrorCode[] = loaded.errors.map((e) => e.code);
  void codes;
}

const olivia: TypedEntityRef<'User'> = { type: 'User', id: 'olivia' };
const decision: Decision = authz.check(olivia, 'deleteOrganization', { type: 'Organization', id: 'acme' });
if (decision.type === 'success') {
  const allowed: boolean = decision.allowed;
  const cause: 'permitted' | 'forbidden' | 'notPermitted' = decision.cause;
  const rules: (string | undefined)[] = decision.policies.map((p: PolicyInfo) => p.rule);
  // Every answer, allowed or not, carries a sentence for a person.
  const reason: string = decision.reason;
  void [allowed, cause, rules, reason];
} else {
  // A failure can only deny.
  const denied: false = decision.allowed;
  void denied;
}
const fast: boolean = authz.isAllowed(olivia, 'viewMembers', { type: 'Organization', id: 'acme' }, { any: 1 });

const matrix: MatrixAnswer = authz.matrix(olivia, [{ type: 'Organization', id: 'acme' }], ['viewMembers']);
if (matrix.type === 'success') {
  const first: boolean | undefined = matrix.rows[0]?.cells[0]?.allowed;
  const cause: 'permitted' | 'forbidden' | 'notPermitted' | 'error' | undefined = matrix.rows[0]?.cells[0]?.cause;
  // @ts-expect-error: a cell's cause is one of four words, not any string.
  const notACause: NonNullable<typeof cause> = 'denied';
  void [first, notACause];
}

const validation: ActionValidation = authz.validateAction({
  principal: olivia,
  action: 'removeMember',
  resource: { type: 'Membership', id: membershipId('acme', 'olivia') },
  input: { confirmation: 'olivia@acme.test' },
});
const messages: string[] = validation.violations.map((v) => `${v.code} ${v.rule ?? ''} ${v.message}`);

const checked = validatePolicies({ policies: [{ name: 'x.cedar', text: 'permit (principal, action, resource);' }] });
if (checked.type === 'failure') {
  const line: number | undefined = checked.errors[0]?.diagnostics?.[0]?.location?.line;
  void line;
}

try {
  new Authorizer({ includeDefaultPolicies: false, policies: [{ name: 'bad.cedar', text: 'nope' }] });
} catch (error) {
  const failure = error as OrgwardenError;
  const code: ErrorCode = failure.code;
  void code;
}

const created = newOrganization('initech', 'initech', 'olivia');
const split = splitOrganizations({ users: [], organizations: [created] });
if (split.type === 'success') {
  const first: string | undefined = split.organizations[0]?.orgId;
  const part: Snapshot | undefined = split.organizations[0]?.snapshot;
  void [first, part];
}
const owners = created.members.filter((m) => m.role === 'owner');
void [fast, messages, owners];

// @ts-expect-error: a principal is an object with type and id, not a Cedar uid string.
authz.check('User::"olivia"', 'viewMembers', { type: 'Organization', id: 'acme' });

// ---- Names generated from the schema: a typo fails to compile ------------------------------

const acme = { type: 'Organization', id: 'acme' } as const;
// @ts-expect-error: no such action (the schema spells it deleteOrganization).
authz.check(olivia, 'deleteOrganisation', acme);
// @ts-expect-error: no such entity type.
authz.check({ type: 'Usr', id: 'olivia' }, 'viewMembers', acme);
// @ts-expect-error: deleteOrganization applies to an Organization, not a Team.
authz.isAllowed(olivia, 'deleteOrganization', { type: 'Team', id: 'ml' });
// @ts-expect-error: an API key never invites members (inviteMember's principal is a User).
authz.check({ type: 'ApiKey', id: 'key-ci' }, 'inviteMember', acme);
// @ts-expect-error: changeRole needs the input newRole.
authz.validateAction({ principal: olivia, action: 'changeRole', resource: { type: 'Membership', id: 'acme/mia' }, input: { role: 'admin' } });
// @ts-expect-error: a matrix takes the schema's action names.
authz.matrix(olivia, [acme], ['viewMember']);
authz.validateAction({ principal: olivia, action: 'changeRole', resource: { type: 'Membership', id: 'acme/mia' }, input: { newRole: 'admin' } });
// @ts-expect-error: a role is one of the snapshot's roles, not any string.
authz.validateAction({ principal: olivia, action: 'changeRole', resource: { type: 'Membership', id: 'acme/mia' }, input: { newRole: 'janitor' } });
// @ts-expect-error: the role offered by inviteMember too.
authz.validateAction({ principal: olivia, action: 'inviteMember', resource: { type: 'Organization', id: 'acme' }, input: { role: 'superuser', email: 'x@example.com' } });
authz.check({ type: 'ApiKey', id: 'key-ci' }, 'callAlgorithm', { type: 'Algorithm', id: 'sentiment' });
const listed = authz.allowedActions(olivia, acme);
if (listed.type === 'success') {
  const names: ActionName[] = listed.allowed;
  void names;
}

const callable = authz.allowedResources({ type: 'ApiKey', id: 'key-ci' }, 'callAlgorithm', 'Algorithm');
if (callable.type === 'success') {
  const ids: string[] = callable.resources;
  void ids;
} else {
  const why: ErrorCode | undefined = callable.errors[0]?.code;
  void why;
}
authz.allowedResources(olivia, 'viewWorkspace', 'Workspace');
// @ts-expect-error: viewWorkspace applies to a Workspace, not an Algorithm.
authz.allowedResources(olivia, 'viewWorkspace', 'Algorithm');
// @ts-expect-error: no such action.
authz.allowedResources(olivia, 'viewWorkspaces', 'Workspace');
// @ts-expect-error: an API key never invites members.
authz.allowedResources({ type: 'ApiKey', id: 'key-ci' }, 'inviteMember', 'Organization');

// Names only known at run time (a query string, a custom schema without generated names).
const untyped: Authorizer<SchemaNames> = new Authorizer({ schema: 'entity User; action "go" appliesTo { principal: User, resource: User };', includeDefaultPolicies: false });
const fromQuery: EntityRef = { type: String('User'), id: 'olivia' };
untyped.check(fromQuery, String('go'), fromQuery);
untyped.allowedResources(fromQuery, String('go'), String('User'));

// ---- orgwarden/orgs: one authorizer per organization, loaded from a source -----------------

import { createOrgAuthorizers, durableObjectSource, fetchSource, kvSource, r2Source, type DurableObjectNamespaceLike, type KVNamespaceLike, type OrgErrorCode, type OrgSource, type R2BucketLike } from 'orgwarden/orgs';

declare const ORGS: KVNamespaceLike;
declare const SNAPSHOTS: R2BucketLike;
createOrgAuthorizers({ source: r2Source(SNAPSHOTS, { key: (orgId) => `orgs/${orgId}.json` }), maxStoreBytes: 32 * 1024 * 1024 });
const fromKv = createOrgAuthorizers({ source: kvSource(ORGS, { key: (orgId) => `org:${orgId}` }), maxEntities: 100_000, maxSnapshotBytes: 4 * 1024 * 1024 });
const inMemory: OrgSource = async (_orgId, { version }) => (version === 'v1' ? { notModified: true } : { snapshot, version: 'v1' });
const tenants = createOrgAuthorizers({ source: inMemory, revalidateAfterMs: 30_000, serveStaleForMs: 300_000 });
const failing: OrgSource = async () => ({ error: { code: 'ORG_UNAVAILABLE', message: 'KV is down' } });
// @ts-expect-error: a source answers a source's codes, not the engine's.
const pretending: OrgSource = async () => ({ error: { code: 'ENGINE_TRAPPED', message: 'no' } });
void failing;
void pretending;
const verdict = await tenants.check('acme', olivia, 'deleteOrganization', acme);
if (verdict.type === 'failure') {
  const why: OrgErrorCode | undefined = verdict.errors[0]?.code;
  void why;
}
const tenant = await fromKv.forOrg('acme');
if (tenant.type === 'success' && !tenant.stale) tenant.authorizer.isAllowed(olivia, 'viewMembers', acme);
const page = await tenants.withOrg('acme', (authorizer) => authorizer.allowedActions(olivia, acme));
if (page.type === 'success' && page.value.type === 'success') {
  const shown: string[] = page.value.allowed;
  void shown;
}
const counted = await tenants.withOrg('acme', (authorizer) => authorizer.entityCount());
if (counted.type === 'success') {
  // @ts-expect-error: withOrg's value is what its use answered: a number here, not a string.
  const text: string = counted.value;
  void text;
}
// @ts-expect-error: the org's checks take the schema's action names too.
void tenants.check('acme', olivia, 'deleteOrganisation', acme);
createOrgAuthorizers({ source: fetchSource((orgId) => `https://orgs.example/${encodeURIComponent(orgId)}`, { headers: { authorization: 'Bearer t' } }) });
// A namespace shaped like Cloudflare's: ids of its own type, stubs answering fetch.
declare const ORG_SNAPSHOTS: { idFromName(name: string): { toString(): string; name?: string }; get(id: { toString(): string }): { fetch(input: string, init?: RequestInit): Promise<Response> } };
createOrgAuthorizers({ source: durableObjectSource(ORG_SNAPSHOTS), revalidateAfterMs: 0 });
createOrgAuthorizers({ source: durableObjectSource(ORG_SNAPSHOTS, { name: () => 'all-orgs', headers: { 'x-caller': 'edge' } }) });
declare const shapedLikeOurs: DurableObjectNamespaceLike<string>;
durableObjectSource(shapedLikeOurs);
// @ts-expect-error: an object's name is a string.
durableObjectSource(ORG_SNAPSHOTS, { name: (orgId: string) => orgId.length });
const resident: number = tenants.status().entities;
const byMemory = createOrgAuthorizers({ source: inMemory, maxStoreBytes: 64 * 1024 * 1024 });
const held: number[] = [byMemory.status().storeBytes, byMemory.status().maxStoreBytes, ...byMemory.status().resident.map((org) => org.storeBytes)];
const inUse: number = moduleStatus().heldBytes;
if (tenant.type === 'success') {
  const storeBytes: number = tenant.authorizer.storeBytes();
  tenant.authorizer.subscribe((event) => void (event.storeBytes + event.entityCount));
  void storeBytes;
}
// @ts-expect-error: a budget is a number of bytes.
createOrgAuthorizers({ source: inMemory, maxStoreBytes: '64 MiB' });
void [held, inUse];
const snapshotLimit: number = tenants.status().maxSnapshotBytes;
const tooLarge: OrgErrorCode = 'ORG_TOO_LARGE';
void [snapshotLimit, tooLarge];
void resident;
