// What each console action changes in the full organization, once validateAction has allowed it.
// Each change edits a copy of the snapshot; the engine then loads the copy, and refuses it whole
// if it breaks a rule of the model (a collaborator left without a workspace role, WS-3; a team
// member outside the org, TEAM-2): the demo states no rule of its own, it reports the engine's.
import { newOrganization } from 'orgwarden';

/** A request's field as a non-empty string, or an error the console shows. */
export function text(fields, name, { max = 200 } = {}) {
  const value = fields?.[name];
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw new ChangeError(`"${name}" must be a non-empty text of at most ${max} characters`);
  }
  return value.trim();
}

function count(fields, name) {
  const value = fields?.[name];
  if (!Number.isSafeInteger(value) || value < 0) throw new ChangeError(`"${name}" must be a whole number, 0 or more`);
  return value;
}

function list(fields, name) {
  const value = fields?.[name];
  if (!Array.isArray(value) || value.length > 50 || !value.every((v) => typeof v === 'string' && v.length <= 100)) {
    throw new ChangeError(`"${name}" must be a list of names`);
  }
  return value;
}

/** A change that cannot be made with what the request gave. */
export class ChangeError extends Error {}

/** A new id from `name`, unused among `taken`. */
function uniqueId(name, taken) {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'item';
  let id = slug;
  for (let n = 2; taken.has(id); n += 1) id = `${slug}-${n}`;
  return id;
}

const idsOf = (snapshot, pick) => new Set(snapshot.organizations.flatMap(pick));

function find(items, id, what) {
  const item = items?.find((x) => x.id === id);
  if (!item) throw new ChangeError(`no ${what} "${id}"`);
  return item;
}

/** The user a membership id (`<org>/<user>`) names. */
const memberOf = (membershipId) => membershipId.slice(membershipId.indexOf('/') + 1);

/** Takes every reference to `user` out of `org`: a removed person leaves no record behind. */
function removePerson(org, user) {
  org.members = org.members.filter((m) => m.user !== user);
  org.collaborators = (org.collaborators ?? []).filter((c) => c !== user);
  for (const team of org.teams ?? []) team.members = team.members.filter((m) => m !== user);
  for (const ws of org.workspaces ?? []) ws.participants = ws.participants.filter((p) => p.user !== user);
  for (const alg of org.algorithms ?? []) alg.contributors = (alg.contributors ?? []).filter((c) => c !== user);
}

function setVersionStatus(status) {
  return ({ org, resource }) => {
    const version = org.algorithms.flatMap((a) => a.versions).find((v) => v.id === resource.id);
    if (!version) throw new ChangeError(`no version "${resource.id}"`);
    version.status = status;
    return `Version ${version.version} is now ${status}.`;
  };
}

/**
 * action → ({ snapshot, org, viewer, resource, input, fields }) → the sentence the console shows.
 * `org` is the organization the resource belongs to, in the copy being edited.
 */
export const CHANGES = {
  createOrganization: ({ snapshot, viewer, fields }) => {
    const name = text(fields, 'name');
    const id = uniqueId(name, idsOf(snapshot, (o) => [o.id]));
    snapshot.organizations.push(newOrganization(id, name, viewer));
    return `Organization ${name} created; you are its first owner.`;
  },
  editOrganizationProfile: ({ org, fields }) => {
    org.displayName = text(fields, 'displayName');
    return `Display name set to “${org.displayName}”.`;
  },
  renameOrganization: ({ org, fields }) => {
    org.name = text(fields, 'name');
    return `Account name changed to “${org.name}”.`;
  },
  deleteOrganization: ({ snapshot, org }) => {
    snapshot.organizations = snapshot.organizations.filter((o) => o.id !== org.id);
    return `Organization ${org.name} deleted.`;
  },
  changeBillingSettings: ({ org, fields }) => {
    org.billing = { ...org.billing, concurrentRunLimit: count(fields, 'concurrentRunLimit'), creditBalance: count(fields, 'creditBalance') };
    return 'Billing settings saved.';
  },
  createTeam: ({ snapshot, org, fields }) => {
    const name = text(fields, 'name');
    org.teams.push({ id: uniqueId(name, idsOf(snapshot, (o) => o.teams.map((t) => t.id))), name, members: [] });
    return `Team ${name} created.`;
  },
  createWorkspace: ({ snapshot, org, fields }) => {
    const name = text(fields, 'name');
    org.workspaces.push({ id: uniqueId(`ws-${name}`, idsOf(snapshot, (o) => o.workspaces.map((w) => w.id))), name, participants: [] });
    return `Workspace ${name} created.`;
  },
  createApiKey: ({ snapshot, org, fields }) => {
    const name = text(fields, 'name');
    const id = uniqueId(`key-${name}`, idsOf(snapshot, (o) => (o.apiKeys ?? []).map((k) => k.id)));
    org.apiKeys = [...(org.apiKeys ?? []), { id, name, scopes: list(fields, 'scopes') }];
    return `API key ${name} created.`;
  },
  changeRole: ({ org, resource, input }) => {
    const member = org.members.find((m) => m.user === memberOf(resource.id));
    if (!member) throw new ChangeError(`no membership "${resource.id}"`);
    member.role = input.newRole;
    return `${member.user} is now ${input.newRole}.`;
  },
  removeMember: ({ org, resource }) => {
    removePerson(org, memberOf(resource.id));
    return `${memberOf(resource.id)} was removed.`;
  },
  leaveOrganization: ({ org, viewer }) => {
    removePerson(org, viewer);
    return `You left ${org.name}.`;
  },
  inviteMember: ({ snapshot, org, input }) => {
    const invitee = input.account ?? input.email;
    const id = uniqueId(`inv-${invitee.split('@')[0]}`, idsOf(snapshot, (o) => o.invitations.map((i) => i.id)));
    // validateAction has checked that an invitation by account names a known account (MEM-2).
    const email = input.account ? snapshot.users.find((u) => u.id === input.account).email : input.email;
    org.invitations.push({ id, email, ...(input.account ? { account: input.account } : {}), role: input.role, status: 'pending' });
    return `Invitation ${id} sent to ${invitee} as ${input.role}.`;
  },
  cancelInvitation: ({ org, resource }) => {
    find(org.invitations, resource.id, 'invitation').status = 'cancelled';
    return `Invitation ${resource.id} cancelled.`;
  },
  acceptInvitation: ({ org, resource, viewer }) => {
    const invitation = find(org.invitations, resource.id, 'invitation');
    invitation.status = 'accepted';
    // A collaborator who joins is a member from now on, no longer an outside collaborator.
    org.collaborators = (org.collaborators ?? []).filter((c) => c !== viewer);
    org.members.push({ user: viewer, role: invitation.role });
    return `Welcome to ${org.displayName || org.name}: you are now ${invitation.role}.`;
  },
  addTeamMember: ({ org, resource, input }) => {
    const team = find(org.teams, resource.id, 'team');
    if (!team.members.includes(input.user)) team.members.push(input.user);
    return `${input.user} joined team ${team.name || team.id}.`;
  },
  removeTeamMember: ({ org, resource, fields }) => {
    const team = find(org.teams, resource.id, 'team');
    const user = text(fields, 'user');
    team.members = team.members.filter((m) => m !== user);
    return `${user} left team ${team.name || team.id}.`;
  },
  editTeam: ({ org, resource, fields }) => {
    const team = find(org.teams, resource.id, 'team');
    team.name = text(fields, 'name');
    return `Team renamed to ${team.name}.`;
  },
  deleteTeam: ({ org, resource }) => {
    org.teams = org.teams.filter((t) => t.id !== resource.id);
    for (const ws of org.workspaces) ws.participants = ws.participants.filter((p) => p.team !== resource.id);
    return `Team ${resource.id} deleted.`;
  },
  launchCompute: ({ org }) => {
    org.billing = { ...org.billing, activeRuns: (org.billing?.activeRuns ?? 0) + 1 };
    return 'Run started.';
  },
  manageParticipants: ({ org, resource, fields }) => {
    const ws = find(org.workspaces, resource.id, 'workspace');
    const [kind, id] = text(fields, 'participant').split(':');
    if ((kind !== 'user' && kind !== 'team') || !id) throw new ChangeError('"participant" must be user:<id> or team:<id>');
    const role = text(fields, 'role');
    ws.participants = ws.participants.filter((p) => p[kind] !== id);
    ws.participants.push({ [kind]: id, role });
    // Granting a role in a workspace to someone outside the org is what makes them a collaborator.
    if (kind === 'user' && !org.members.some((m) => m.user === id) && !org.collaborators.includes(id)) org.collaborators.push(id);
    return `${id} now holds ${role} in ${ws.name || ws.id}.`;
  },
  editWorkspace: ({ org, resource, fields }) => {
    const workspace = find(org.workspaces, resource.id, 'workspace');
    workspace.name = text(fields, 'name');
    return `Workspace renamed to ${workspace.name}.`;
  },
  deleteWorkspace: ({ org, resource }) => {
    org.workspaces = org.workspaces.filter((w) => w.id !== resource.id);
    org.algorithms = org.algorithms.filter((a) => a.workspace !== resource.id);
    return `Workspace ${resource.id} and its algorithms deleted.`;
  },
  createAlgorithm: ({ snapshot, org, resource, viewer, fields }) => {
    const name = text(fields, 'name');
    const id = uniqueId(name, idsOf(snapshot, (o) => o.algorithms.map((a) => a.id)));
    org.algorithms.push({ id, name, workspace: resource.id, contributors: [viewer], versions: [] });
    return `Algorithm ${name} created.`;
  },
  editAlgorithm: ({ org, resource, fields }) => {
    const algorithm = find(org.algorithms, resource.id, 'algorithm');
    algorithm.name = text(fields, 'name');
    algorithm.public = fields.public === true;
    return `${algorithm.name} saved.`;
  },
  submitVersion: ({ snapshot, org, resource, viewer, fields }) => {
    const algorithm = find(org.algorithms, resource.id, 'algorithm');
    const version = text(fields, 'version', { max: 40 });
    const taken = idsOf(snapshot, (o) => o.algorithms.flatMap((a) => a.versions.map((v) => v.id)));
    algorithm.versions.push({ id: uniqueId(`${algorithm.id}-${version}`, taken), version, status: 'pending', submitter: viewer });
    return `${algorithm.name} ${version} submitted for approval.`;
  },
  approveVersion: setVersionStatus('approved'),
  rejectVersion: setVersionStatus('rejected'),
  publishVersion: setVersionStatus('published'),
  revokeApiKey: ({ org, resource }) => {
    find(org.apiKeys, resource.id, 'API key').revoked = true;
    return `Key ${resource.id} revoked.`;
  },
};
