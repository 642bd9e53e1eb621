// How the console presents actions: labels, where an action's button goes, and the fields a
// change needs beyond validateAction's input (a new name, say). Only presentation: which actions
// exist on each resource type, and which inputs they require, come from the engine (./schema.js),
// so an action this map does not know still gets a button, under its own name; the roles and
// scopes a picker offers are the engine's snapshot vocabulary (`context.vocabulary`).

/**
 * action → { label, group?, placement?, confirm?, fields?(item) }:
 * - `group`: the heading an Organization action is listed under (else "More");
 * - `placement: 'gate'`: decides what a panel shows, not a button; `'elsewhere'`: its own control;
 * - `confirm`: the question of a form with no field, before the request;
 * - `fields(item, context)`: the form's fields for the change, `item` the resource's record.
 */
export const ACTION_UI = {
  viewOrganization: { placement: 'gate' },
  viewPublicProfile: { placement: 'gate' },
  viewMembers: { placement: 'gate' },
  listInvitations: { placement: 'gate' },
  listApiKeys: { placement: 'gate' },
  viewTeam: { placement: 'gate' },
  viewWorkspace: { placement: 'gate' },
  viewAlgorithm: { placement: 'gate' },
  inviteMember: { label: 'Send invitation', placement: 'elsewhere', primary: true },
  leaveOrganization: { label: 'Leave', placement: 'elsewhere', danger: true },
  changeRole: { label: 'Change role', placement: 'elsewhere' },
  removeTeamMember: { label: '×', placement: 'elsewhere' },

  createOrganization: { label: 'Create organization', fields: () => [{ name: 'name', label: 'Account name', value: 'newco' }] },
  editOrganizationProfile: { label: 'Edit profile', group: 'Profile', fields: (org) => [{ name: 'displayName', label: 'Display name', value: org.displayName }] },
  renameOrganization: { label: 'Rename', group: 'Profile', fields: (org) => [{ name: 'name', label: 'New account name', value: org.name }] },
  deleteOrganization: { label: 'Delete organization', group: 'Profile', danger: true, confirm: 'Delete the organization and everything in it?' },
  viewBilling: { label: 'Billing', group: 'Billing & usage' },
  viewInvoices: { label: 'Invoices', group: 'Billing & usage' },
  viewEarnings: { label: 'Earnings', group: 'Billing & usage' },
  viewUsage: { label: 'Usage', group: 'Billing & usage' },
  viewMemberActivity: { label: 'Member activity', group: 'Billing & usage' },
  changeBillingSettings: {
    label: 'Billing settings',
    group: 'Billing & usage',
    fields: (org) => [
      { name: 'concurrentRunLimit', label: 'Concurrent run limit', type: 'number', value: org.billing?.concurrentRunLimit ?? 0 },
      { name: 'creditBalance', label: 'Credit balance', type: 'number', value: org.billing?.creditBalance ?? 0 },
    ],
  },
  createTeam: { label: 'New team', group: 'Create', fields: () => [{ name: 'name', label: 'Team name', placeholder: 'Data Engineering' }] },
  createWorkspace: { label: 'New workspace', group: 'Create', fields: () => [{ name: 'name', label: 'Workspace name', placeholder: 'Staging' }] },
  createApiKey: {
    label: 'New API key',
    group: 'Create',
    fields: (org, { vocabulary: { apiKeyScopes: scopes } }) => [
      { name: 'name', label: 'Key name', placeholder: 'Nightly batch' },
      { name: 'scopes', label: 'Scopes', type: 'checkboxes', options: scopes, value: scopes.slice(0, 1) },
    ],
  },
  listPendingVersions: { label: 'Pending versions', group: 'Approvals' },

  removeMember: { label: 'Remove', danger: true },
  changeMemberEmail: { label: 'Change email' },

  editTeam: { label: 'Rename', fields: (team) => [{ name: 'name', label: 'Name', value: team.name }] },
  deleteTeam: { label: 'Delete', danger: true },
  addTeamMember: { label: 'Add member' },

  connectSession: { label: 'Connect' },
  launchCompute: { label: 'Launch run' },
  editWorkspace: { label: 'Rename', fields: (ws) => [{ name: 'name', label: 'Name', value: ws.name }] },
  manageParticipants: {
    label: 'Add participant',
    fields: (ws, { people, teams, vocabulary }) => [
      { name: 'participant', label: 'User or team', type: 'select', options: [...people.map((p) => ({ value: `user:${p.value}`, label: p.label })), ...teams.map((t) => ({ value: `team:${t.id}`, label: `team ${t.name || t.id}` }))] },
      { name: 'role', label: 'Role', type: 'select', options: vocabulary.workspaceRoles, value: 'view' },
    ],
  },
  deleteWorkspace: { label: 'Delete', danger: true },
  createAlgorithm: { label: 'New algorithm', fields: () => [{ name: 'name', label: 'Name', placeholder: 'Image tagging' }] },

  callAlgorithm: { label: 'Call' },
  editAlgorithm: {
    label: 'Edit',
    fields: (alg) => [
      { name: 'name', label: 'Name', value: alg.name },
      { name: 'public', label: 'Public', type: 'checkbox', value: alg.public },
    ],
  },
  submitVersion: { label: 'Submit version', fields: () => [{ name: 'version', label: 'Version', placeholder: '2.0' }] },
  approveVersion: { label: 'Approve', primary: true },
  rejectVersion: { label: 'Reject' },
  publishVersion: { label: 'Publish' },

  cancelInvitation: { label: 'Cancel' },
  acceptInvitation: { label: 'Accept', primary: true },
  useApiKey: { label: 'Use' },
  revokeApiKey: { label: 'Revoke', danger: true },
};

/** How a form asks for one of validateAction's inputs (the engine says which an action requires). */
export const INPUT_UI = {
  confirmation: ({ confirmationHint }) => ({ label: 'Type to confirm', placeholder: confirmationHint }),
  acceptedTermsVersion: ({ termsVersion }) => ({ label: 'Terms of Use version accepted', value: termsVersion }),
  newRole: ({ vocabulary }) => ({ label: 'New role', type: 'select', options: vocabulary.orgRoles }),
  role: ({ vocabulary }) => ({ label: 'Role offered', type: 'select', options: vocabulary.orgRoles, value: 'member' }),
  user: ({ people }) => ({ label: 'User', type: 'select', options: people }),
};

export const labelOf = (action) => ACTION_UI[action]?.label ?? action;
