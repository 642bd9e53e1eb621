// orgwarden demo console: every button below is enabled or disabled by the engine (one
// `matrix` call per resource type for the signed-in user), every action is checked with
// `validateAction` before it changes the in-memory snapshot, and the snapshot is reloaded into
// the engine after each change so the whole page is evaluated again.
import init, {
  Authorizer,
  validatePolicies,
  membershipId,
  newOrganization,
} from '../pkg/entries/web.js';

// ---- What the page asks the engine, per resource type -----------------------------------------

const ACTIONS = {
  Platform: ['createOrganization'],
  Organization: [
    'viewOrganization', 'editOrganizationProfile', 'renameOrganization', 'deleteOrganization',
    'viewBilling', 'viewInvoices', 'viewEarnings', 'viewUsage', 'viewMemberActivity',
    'changeBillingSettings', 'createTeam', 'createWorkspace', 'createApiKey', 'listPendingVersions',
    'viewMembers', 'inviteMember', 'listInvitations', 'leaveOrganization', 'listApiKeys',
  ],
  Membership: ['changeRole', 'removeMember'],
  Team: ['viewTeam', 'editTeam', 'deleteTeam', 'addTeamMember', 'removeTeamMember'],
  Workspace: [
    'viewWorkspace', 'connectSession', 'launchCompute', 'editWorkspace', 'manageParticipants',
    'deleteWorkspace', 'createAlgorithm',
  ],
  Algorithm: ['viewAlgorithm', 'callAlgorithm', 'editAlgorithm', 'submitVersion'],
  AlgorithmVersion: ['approveVersion', 'rejectVersion', 'publishVersion'],
  Invitation: ['cancelInvitation', 'acceptInvitation'],
  ApiKey: ['useApiKey', 'revokeApiKey'],
};

const LABELS = {
  createOrganization: 'Create organization',
  editOrganizationProfile: 'Edit profile', renameOrganization: 'Rename', deleteOrganization: 'Delete organization',
  viewBilling: 'Billing', viewInvoices: 'Invoices', viewEarnings: 'Earnings', viewUsage: 'Usage',
  viewMemberActivity: 'Member activity', changeBillingSettings: 'Billing settings',
  createTeam: 'New team', createWorkspace: 'New workspace', createApiKey: 'New API key',
  listPendingVersions: 'Pending versions', inviteMember: 'Send invitation', leaveOrganization: 'Leave',
  changeRole: 'Change role', removeMember: 'Remove',
  editTeam: 'Rename', deleteTeam: 'Delete', addTeamMember: 'Add member', removeTeamMember: 'Remove from team',
  connectSession: 'Connect', launchCompute: 'Launch run', editWorkspace: 'Rename',
  manageParticipants: 'Add participant', deleteWorkspace: 'Delete', createAlgorithm: 'New algorithm',
  callAlgorithm: 'Call', editAlgorithm: 'Edit', submitVersion: 'Submit version',
  approveVersion: 'Approve', rejectVersion: 'Reject', publishVersion: 'Publish',
  cancelInvitation: 'Cancel', acceptInvitation: 'Accept', useApiKey: 'Use', revokeApiKey: 'Revoke',
};

const ROLES = ['owner', 'admin', 'member'];
const WORKSPACE_ROLES = ['view', 'connect', 'launch', 'maintain', 'admin', 'owner'];
const API_KEY_SCOPES = [
  'algorithms:read', 'algorithms:call', 'algorithms:write', 'workspaces:read',
  'compute:launch', 'usage:read', 'members:read', 'profile:read',
];
const CUSTOM_SOURCE = 'custom.cedar';
const EXAMPLE_POLICY = `// Members may look at the billing page too (try it as maya).
@id("custom-members-view-billing")
@rule("CUSTOM-1")
@reason("Only members can view billing")
@grant("Members may view billing")
permit (
  principal is User,
  action == Action::"viewBilling",
  resource is Organization
)
when { principal in resource.members };
`;

// ---- State --------------------------------------------------------------------------------------

const state = {
  initial: null, // the example snapshot, for "Reset"
  snapshot: null, // the snapshot loaded in the engine
  authz: null,
  customPolicy: null, // the custom Cedar text in force, if any
  customErrors: null, // diagnostics of the last rejected custom policy
  draftPolicy: '',
  entityCount: 0,
  viewAs: 'olivia',
  orgId: 'acme',
  tryDenied: false,
  openForm: null, // key of the open inline form
  openSources: new Set(), // <details> of the policy panel that are open
  outcome: null,
  perms: new Map(), // "Type:id" -> { action: cell }
};

const me = () => ({ type: 'User', id: state.viewAs });
const org = () => state.snapshot.organizations.find((o) => o.id === state.orgId);
const userOf = (id) => state.snapshot.users.find((u) => u.id === id);
const displayUser = (id) => userOf(id)?.name || id;

// ---- DOM helper -----------------------------------------------------------------------------------

function h(tag, props, ...children) {
  const el = document.createElement(tag);
  let value;
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v == null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'testid') el.dataset.testid = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') value = v;
    else if (k === 'checked') el.checked = true;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  if (value !== undefined) el.value = value;
  return el;
}

// ---- Engine ---------------------------------------------------------------------------------------

function loadIntoEngine(snapshot) {
  const answer = state.authz.loadSnapshot(snapshot);
  if (answer.type !== 'success') return { ok: false, errors: answer.errors };
  state.snapshot = snapshot;
  state.entityCount = answer.entityCount;
  return { ok: true };
}

const DENY_ALL = (reason) => ({ allowed: false, cause: 'error', reason, rule: null });

/** Evaluates every button of the page: one matrix call per resource type. */
function evaluate() {
  state.perms = new Map();
  const o = org();
  const resources = { Platform: [{ type: 'Platform', id: 'platform' }] };
  if (o) {
    const ref = (type) => (id) => ({ type, id });
    resources.Organization = [{ type: 'Organization', id: o.id }];
    resources.Membership = o.members.map((m) => ({ type: 'Membership', id: membershipId(o.id, m.user) }));
    resources.Team = o.teams.map((t) => t.id).map(ref('Team'));
    resources.Workspace = o.workspaces.map((w) => w.id).map(ref('Workspace'));
    resources.Algorithm = o.algorithms.map((a) => a.id).map(ref('Algorithm'));
    resources.AlgorithmVersion = o.algorithms.flatMap((a) => a.versions.map((v) => v.id)).map(ref('AlgorithmVersion'));
    resources.Invitation = o.invitations.map((i) => i.id).map(ref('Invitation'));
    resources.ApiKey = (o.apiKeys ?? []).map((k) => k.id).map(ref('ApiKey'));
  }
  for (const [type, refs] of Object.entries(resources)) {
    if (!refs.length) continue;
    const answer = state.authz.matrix(me(), refs, ACTIONS[type]);
    refs.forEach((r, i) => {
      const cells = {};
      ACTIONS[type].forEach((action, j) => {
        cells[action] = answer.type === 'success'
          ? answer.rows[i].cells[j]
          : DENY_ALL(answer.errors.map((e) => e.message).join('; '));
      });
      state.perms.set(`${type}:${r.id}`, cells);
    });
  }
}

function cell(type, id, action) {
  return state.perms.get(`${type}:${id}`)?.[action] ?? DENY_ALL('Not evaluated');
}

// ---- Buttons, forms, outcomes ---------------------------------------------------------------------

/**
 * A button gated by the engine. `key` names its test ids: action-<key> and reason-<key>.
 * Denied: disabled (unless "try denied actions" is on), the reason in `title` and beside it.
 */
function actionButton(resource, action, { key, label, onClick, kind = '' }) {
  const c = cell(resource.type, resource.id, action);
  const button = h('button', {
    type: 'button',
    class: `btn ${kind} ${c.allowed ? 'allowed' : 'denied'}`.trim(),
    testid: `action-${key}`,
    title: c.allowed ? `Allowed${c.rule ? ` (${c.rule})` : ''}` : c.reason,
    disabled: !c.allowed && !state.tryDenied,
    'data-allowed': String(c.allowed),
    'data-cause': c.cause,
    onclick: onClick,
  }, label ?? LABELS[action] ?? action);
  if (c.allowed) return h('span', { class: 'act' }, button);
  return h('span', { class: 'act' }, button,
    h('small', { class: 'why' },
      c.rule ? h('b', { class: 'rule' }, c.rule) : null,
      h('span', { class: 'reason', testid: `reason-${key}` }, c.reason)));
}

/** Opens the inline form named `key` (only one at a time). */
const opener = (key) => () => {
  state.openForm = state.openForm === key ? null : key;
  render();
  document.querySelector(`[data-testid="form-${key}"] input, [data-testid="form-${key}"] select`)?.focus();
};

function closeForm() {
  state.openForm = null;
  render();
}

/**
 * An inline form. fields: [{ name, label, type: text|number|select|checkboxes|checkbox,
 * value, options }]; onSubmit gets { name: value }. Test ids: form-<key>, input-<key>-<name>,
 * submit-<key>, cancel-<key>.
 */
function inlineForm(key, title, fields, submitLabel, onSubmit, kind = 'primary') {
  if (state.openForm !== key) return null;
  const controls = {};
  const rows = fields.map((f) => {
    const id = `input-${key}-${f.name}`;
    let control;
    if (f.type === 'select') {
      control = h('select', { testid: id, value: f.value },
        f.options.map((o) => (typeof o === 'string' ? h('option', { value: o }, o) : h('option', { value: o.value }, o.label))));
    } else if (f.type === 'checkboxes') {
      control = h('span', { class: 'checks', testid: id },
        f.options.map((o) => h('label', { class: 'check' },
          h('input', { type: 'checkbox', value: o, checked: f.value?.includes(o) }), o)));
    } else if (f.type === 'checkbox') {
      control = h('input', { type: 'checkbox', testid: id, checked: Boolean(f.value) });
    } else {
      control = h('input', { type: f.type ?? 'text', testid: id, value: f.value ?? '', placeholder: f.placeholder, autocomplete: 'off' });
    }
    controls[f.name] = { field: f, control };
    return h('label', { class: 'field' }, h('span', null, f.label), control);
  });
  const read = () => Object.fromEntries(Object.entries(controls).map(([name, { field, control }]) => {
    if (field.type === 'checkboxes') return [name, [...control.querySelectorAll('input:checked')].map((i) => i.value)];
    if (field.type === 'checkbox') return [name, control.checked];
    if (field.type === 'number') return [name, Number(control.value)];
    return [name, control.value];
  }));
  return h('form', {
    class: 'inline-form',
    testid: `form-${key}`,
    onsubmit: (e) => {
      e.preventDefault();
      onSubmit(read());
    },
  },
  h('div', { class: 'form-title' }, title),
  h('div', { class: 'form-fields' }, rows),
  h('div', { class: 'form-actions' },
    h('button', { type: 'submit', class: `btn ${kind}`, testid: `submit-${key}` }, submitLabel),
    h('button', { type: 'button', class: 'btn ghost', testid: `cancel-${key}`, onclick: closeForm }, 'Cancel')));
}

function setOutcome(outcome) {
  state.outcome = outcome;
}

/**
 * Performs an action: validateAction with its input; if valid, `apply(snapshot, org)` on a
 * copy of the snapshot, which is loaded into the engine and the page re-evaluated.
 */
function perform({ action, resource, input = {}, label, apply, details }) {
  const title = label ?? LABELS[action] ?? action;
  const validation = state.authz.validateAction({ principal: me(), action, resource, input });
  if (!validation.valid) {
    setOutcome({ kind: 'error', title: `${title}: refused`, action, violations: validation.violations });
    return render();
  }
  let message = null;
  if (apply) {
    const next = structuredClone(state.snapshot);
    const o = next.organizations.find((x) => x.id === state.orgId);
    try {
      message = apply(next, o);
    } catch (error) {
      setOutcome({ kind: 'error', title: `${title}: failed`, action, lines: [error.message] });
      return render();
    }
    const loaded = loadIntoEngine(next);
    if (!loaded.ok) {
      setOutcome({ kind: 'error', title: `${title}: the new snapshot was refused`, action, lines: loaded.errors.map((e) => `${e.code}: ${e.message}`) });
      return render();
    }
    if (!next.organizations.some((x) => x.id === state.orgId)) state.orgId = next.organizations[0]?.id ?? null;
  }
  setOutcome({
    kind: 'ok',
    title: `${title}: done`,
    action,
    lines: message ? [message] : [],
    notices: validation.notices,
    details: details ? details() : null,
  });
  state.openForm = null;
  render();
}

// ---- Snapshot edits -------------------------------------------------------------------------------

function uniqueId(base, taken) {
  const slug = base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'item';
  let id = slug;
  for (let n = 2; taken.has(id); n += 1) id = `${slug}-${n}`;
  return id;
}

const allIds = (snapshot, pick) => new Set(snapshot.organizations.flatMap(pick));

/** Keeps the org consistent after removals: collaborators hold a workspace role (WS-3), teams,
 * participants and contributors name only people of the org (TEAM-2). */
function normalize(o) {
  for (let changed = true; changed;) {
    changed = false;
    const holders = new Set();
    for (const w of o.workspaces) {
      for (const p of w.participants) {
        if (p.user) holders.add(p.user);
        if (p.team) o.teams.find((t) => t.id === p.team)?.members.forEach((m) => holders.add(m));
      }
    }
    const collaborators = o.collaborators.filter((c) => holders.has(c));
    if (collaborators.length !== o.collaborators.length) changed = true;
    o.collaborators = collaborators;
    const inOrg = new Set([...o.members.map((m) => m.user), ...o.collaborators]);
    const teamIds = new Set(o.teams.map((t) => t.id));
    for (const t of o.teams) {
      const kept = t.members.filter((u) => inOrg.has(u));
      if (kept.length !== t.members.length) changed = true;
      t.members = kept;
    }
    for (const w of o.workspaces) {
      const kept = w.participants.filter((p) => (p.user ? inOrg.has(p.user) : teamIds.has(p.team)));
      if (kept.length !== w.participants.length) changed = true;
      w.participants = kept;
    }
    for (const a of o.algorithms) a.contributors = (a.contributors ?? []).filter((u) => inOrg.has(u));
  }
}

function removeFromOrg(o, user) {
  o.members = o.members.filter((m) => m.user !== user);
  for (const w of o.workspaces) w.participants = w.participants.filter((p) => p.user !== user);
  for (const t of o.teams) t.members = t.members.filter((m) => m !== user);
  normalize(o);
}

// ---- Fake read-only reports (the engine only decides who may see them) ---------------------------

function reportTable(headers, rows) {
  return h('table', { class: 'mini' },
    h('thead', null, h('tr', null, headers.map((x) => h('th', null, x)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((x) => h('td', null, x))))));
}

const money = (cents) => `$${(cents / 100).toFixed(2)}`;

const REPORTS = {
  viewBilling: (o) => reportTable(['credit balance', 'active runs', 'concurrent run limit'],
    [[`${o.billing?.creditBalance ?? 0} credits`, o.billing?.activeRuns ?? 0, o.billing?.concurrentRunLimit ?? 0]]),
  viewInvoices: () => reportTable(['invoice', 'period', 'amount', 'status'], [
    ['INV-2026-003', 'March 2026', money(184200), 'open'],
    ['INV-2026-002', 'February 2026', money(161050), 'paid'],
    ['INV-2026-001', 'January 2026', money(149900), 'paid'],
  ]),
  viewEarnings: (o) => reportTable(['algorithm', 'calls', 'earnings'],
    o.algorithms.map((a, i) => [a.name || a.id, (i + 1) * 1234, money((i + 1) * 48213)])),
  viewUsage: (o) => reportTable(['workspace', 'compute hours', 'runs'],
    o.workspaces.map((w, i) => [w.name || w.id, (i + 2) * 17, (i + 1) * 9])),
  viewMemberActivity: (o) => reportTable(['member', 'role', 'last active'],
    o.members.map((m, i) => [displayUser(m.user), m.role, `${i + 1}h ago`])),
  listPendingVersions: (o) => {
    const pending = o.algorithms.flatMap((a) => a.versions.filter((v) => v.status === 'pending').map((v) => [a.name || a.id, v.version, displayUser(v.submitter)]));
    return pending.length ? reportTable(['algorithm', 'version', 'submitted by'], pending) : h('p', null, 'No version is waiting for approval.');
  },
};

// ---- Rendering --------------------------------------------------------------------------------------

const badge = (text, cls = '') => h('span', { class: `badge ${cls || text}` }, text);
const hiddenNote = (testid, reason, rule) => h('p', { class: 'hidden-note', testid },
  '🔒 ', rule ? h('b', { class: 'rule' }, rule) : null, ' ', reason);

function panel(id, title, body, { wide = false, extra = null } = {}) {
  return h('section', { class: `panel ${wide ? 'wide' : ''}`, id, testid: `panel-${id}` },
    h('header', null, h('h2', null, title), extra), body);
}

function roleOf(userId) {
  const o = org();
  if (!o) return 'no organization';
  const m = o.members.find((x) => x.user === userId);
  if (m) return m.role;
  if (o.collaborators.includes(userId)) return 'collaborator';
  if (o.invitations.some((i) => i.status === 'pending' && (i.account === userId || i.email.toLowerCase() === userOf(userId)?.email.toLowerCase()))) return 'invited';
  return 'outsider';
}

function renderHeader() {
  const select = h('select', {
    id: 'view-as',
    testid: 'view-as',
    value: state.viewAs,
    onchange: (e) => {
      state.viewAs = e.target.value;
      state.openForm = null;
      state.outcome = null;
      render();
    },
  }, state.snapshot.users.map((u) => h('option', { value: u.id }, `${u.name || u.id} (${u.id}) — ${roleOf(u.id)}`)));
  const orgs = state.snapshot.organizations;
  return h('header', { class: 'topbar' },
    h('div', { class: 'brand' }, h('span', { class: 'logo' }, '◆'), ' orgwarden ', h('span', { class: 'muted' }, 'console')),
    orgs.length > 1
      ? h('label', { class: 'viewas' }, 'Organization ', h('select', {
        testid: 'org-select',
        value: state.orgId,
        onchange: (e) => { state.orgId = e.target.value; state.openForm = null; render(); },
      }, orgs.map((o) => h('option', { value: o.id }, o.displayName || o.name))))
      : null,
    h('label', { class: 'viewas', for: 'view-as' }, 'View as ', select),
    h('label', { class: 'toggle', title: 'Let denied buttons be clicked, to see validateAction refuse them' },
      h('input', {
        type: 'checkbox',
        testid: 'try-denied',
        checked: state.tryDenied,
        onchange: (e) => { state.tryDenied = e.target.checked; render(); },
      }), ' try denied actions'),
    h('button', {
      type: 'button',
      class: 'btn ghost',
      testid: 'reset',
      onclick: () => {
        loadIntoEngine(structuredClone(state.initial));
        state.orgId = state.initial.organizations[0]?.id ?? null;
        state.openForm = null;
        setOutcome({ kind: 'info', title: 'Example organization restored', lines: [] });
        render();
      },
    }, 'Reset'));
}

function renderStatus() {
  const policies = state.authz.policies().length;
  return h('div', { class: 'statusbar' },
    h('span', { testid: 'status' }, `orgwarden: ${policies} policies, ${state.entityCount} entities`),
    state.customPolicy ? badge('custom policy active', 'custom') : null,
    h('span', { class: 'muted' }, ` · signed in as ${displayUser(state.viewAs)} (${roleOf(state.viewAs)})`));
}

function renderOutcome() {
  const o = state.outcome;
  if (!o) return null;
  return h('aside', { class: `outcome ${o.kind}`, testid: 'outcome', 'data-kind': o.kind, 'data-action': o.action ?? '' },
    h('button', { type: 'button', class: 'close', title: 'Dismiss', testid: 'outcome-close', onclick: () => { state.outcome = null; render(); } }, '×'),
    h('div', { class: 'outcome-title' }, o.title),
    o.violations?.length
      ? h('ul', { class: 'violations' }, o.violations.map((v) => h('li', { testid: 'violation', 'data-rule': v.rule ?? '', 'data-code': v.code },
        v.rule ? h('b', { class: 'rule' }, v.rule) : null, ' ', h('span', { class: 'message' }, v.message), ' ', h('code', null, v.code))))
      : null,
    o.lines?.map((l) => h('p', null, l)),
    o.notices?.map((n) => h('p', { class: 'notice', testid: 'notice' }, h('b', { class: 'rule' }, n.rule), ' ', n.message)),
    o.details);
}

function renderNoOrg() {
  const platform = { type: 'Platform', id: 'platform' };
  return panel('organization', 'No organization', h('div', null,
    h('p', null, 'There is no organization in the snapshot. Any signed-in user may create one (ORG-1).'),
    h('div', { class: 'actions' }, actionButton(platform, 'createOrganization', { key: 'createOrganization', onClick: opener('createOrganization') })),
    inlineForm('createOrganization', 'Create an organization', [
      { name: 'name', label: 'Account name', value: 'newco' },
    ], 'Create', ({ name }) => perform({
      action: 'createOrganization',
      resource: platform,
      apply: (s) => {
        const id = uniqueId(name, allIds(s, (o) => [o.id]));
        s.organizations.push(newOrganization(id, name, state.viewAs));
        state.orgId = id;
        return `Organization ${name} created; ${displayUser(state.viewAs)} is its first owner.`;
      },
    }))), { wide: true });
}

function renderOrganization(o) {
  const R = { type: 'Organization', id: o.id };
  const full = cell('Organization', o.id, 'viewOrganization');
  const btn = (action, onClick, kind) => actionButton(R, action, { key: action, onClick, kind });
  const show = (action) => () => perform({ action, resource: R, details: () => REPORTS[action](o) });

  const profile = full.allowed
    ? h('dl', { class: 'profile' },
      h('dt', null, 'Display name'), h('dd', { testid: 'org-display-name' }, o.displayName),
      h('dt', null, 'Account name'), h('dd', { testid: 'org-name' }, o.name),
      h('dt', null, 'Terms of Use'), h('dd', null, o.termsVersion || '—'),
      h('dt', null, 'Members'), h('dd', null, `${o.members.length} members, ${o.collaborators.length} collaborators`),
      h('dt', null, 'Security'), h('dd', null,
        o.security?.requireIndependentApproval !== false ? badge('independent approval', 'on') : badge('self approval allowed', 'off'), ' ',
        o.security?.requireMfa ? badge('MFA required', 'on') : null, ' ',
        o.security?.enforcePasswordPolicy ? badge('password policy', 'on') : null))
    : h('div', null,
      h('dl', { class: 'profile' }, h('dt', null, 'Display name'), h('dd', { testid: 'org-display-name' }, o.displayName || o.name)),
      hiddenNote('hidden-profile', `Public profile only: ${full.reason}`, full.rule));

  const group = (title, ...buttons) => h('div', { class: 'group' }, h('h3', null, title), h('div', { class: 'actions' }, buttons));
  const forms = [
    inlineForm('editOrganizationProfile', 'Edit the profile', [
      { name: 'displayName', label: 'Display name', value: o.displayName },
    ], 'Save', ({ displayName }) => perform({
      action: 'editOrganizationProfile', resource: R,
      apply: (s, x) => { x.displayName = displayName; return `Display name set to “${displayName}”.`; },
    })),
    inlineForm('renameOrganization', 'Rename the account', [
      { name: 'name', label: 'New account name', value: o.name },
    ], 'Rename', ({ name }) => perform({
      action: 'renameOrganization', resource: R,
      apply: (s, x) => { x.name = name; return `Account name changed to “${name}”.`; },
    })),
    inlineForm('deleteOrganization', `Delete ${o.displayName || o.name} and everything in it?`, [],
      'Delete for good', () => perform({
        action: 'deleteOrganization', resource: R,
        apply: (s) => { s.organizations = s.organizations.filter((x) => x.id !== o.id); return `Organization ${o.name} deleted.`; },
      }), 'danger'),
    inlineForm('changeBillingSettings', 'Billing settings', [
      { name: 'concurrentRunLimit', label: 'Concurrent run limit', type: 'number', value: o.billing?.concurrentRunLimit ?? 0 },
      { name: 'creditBalance', label: 'Credit balance', type: 'number', value: o.billing?.creditBalance ?? 0 },
    ], 'Save', ({ concurrentRunLimit, creditBalance }) => perform({
      action: 'changeBillingSettings', resource: R,
      apply: (s, x) => {
        x.billing = { ...x.billing, concurrentRunLimit, creditBalance };
        return `Run limit ${concurrentRunLimit}, credit balance ${creditBalance}.`;
      },
    })),
    inlineForm('createTeam', 'New team', [{ name: 'name', label: 'Team name', placeholder: 'Data Engineering' }], 'Create', ({ name }) => perform({
      action: 'createTeam', resource: R,
      apply: (s, x) => {
        const id = uniqueId(name, allIds(s, (y) => y.teams.map((t) => t.id)));
        x.teams.push({ id, name, members: [] });
        return `Team ${name} created.`;
      },
    })),
    inlineForm('createWorkspace', 'New workspace', [{ name: 'name', label: 'Workspace name', placeholder: 'Staging' }], 'Create', ({ name }) => perform({
      action: 'createWorkspace', resource: R,
      apply: (s, x) => {
        const id = uniqueId(`ws-${name}`, allIds(s, (y) => y.workspaces.map((w) => w.id)));
        x.workspaces.push({ id, name, participants: [] });
        return `Workspace ${name} created.`;
      },
    })),
    inlineForm('createApiKey', 'New API key', [
      { name: 'name', label: 'Key name', placeholder: 'Nightly batch' },
      { name: 'scopes', label: 'Scopes', type: 'checkboxes', options: API_KEY_SCOPES, value: ['algorithms:read'] },
    ], 'Create', ({ name, scopes }) => perform({
      action: 'createApiKey', resource: R,
      apply: (s, x) => {
        const id = uniqueId(`key-${name}`, allIds(s, (y) => (y.apiKeys ?? []).map((k) => k.id)));
        x.apiKeys = [...(x.apiKeys ?? []), { id, name, scopes }];
        return `API key ${id} created with ${scopes.join(', ') || 'no scopes'}.`;
      },
    })),
  ];

  return panel('organization', o.displayName || o.name, h('div', { class: 'org-body' },
    profile,
    h('div', { class: 'groups' },
      group('Profile',
        btn('editOrganizationProfile', opener('editOrganizationProfile')),
        btn('renameOrganization', opener('renameOrganization')),
        btn('deleteOrganization', opener('deleteOrganization'), 'danger')),
      group('Billing & usage',
        btn('viewBilling', show('viewBilling')),
        btn('viewInvoices', show('viewInvoices')),
        btn('viewEarnings', show('viewEarnings')),
        btn('viewUsage', show('viewUsage')),
        btn('viewMemberActivity', show('viewMemberActivity')),
        btn('changeBillingSettings', opener('changeBillingSettings'))),
      group('Create',
        btn('createTeam', opener('createTeam')),
        btn('createWorkspace', opener('createWorkspace')),
        btn('createApiKey', opener('createApiKey'))),
      group('Approvals', btn('listPendingVersions', show('listPendingVersions')))),
    forms), { wide: true, extra: h('span', { class: 'muted' }, `Organization::"${o.id}"`) });
}

function renderMembers(o) {
  const R = { type: 'Organization', id: o.id };
  const view = cell('Organization', o.id, 'viewMembers');
  let body;
  if (!view.allowed) {
    body = hiddenNote('hidden-members', view.reason, view.rule);
  } else {
    const rows = o.members.flatMap((m) => {
      const M = { type: 'Membership', id: membershipId(o.id, m.user) };
      const u = userOf(m.user);
      const self = m.user === state.viewAs;
      const canChange = cell('Membership', M.id, 'changeRole').allowed || state.tryDenied;
      const roleSelect = h('select', { testid: `role-select-${m.user}`, value: m.role, disabled: !canChange, 'aria-label': `New role for ${m.user}` },
        ROLES.map((r) => h('option', { value: r }, r)));
      const tr = h('tr', { testid: `member-${m.user}`, class: self ? 'me' : '' },
        h('td', null, h('div', { class: 'who' }, u?.name || m.user, self ? badge('you', 'you') : null), h('div', { class: 'muted small' }, u?.email)),
        h('td', null, h('span', { testid: `role-${m.user}`, class: `badge ${m.role}` }, m.role)),
        h('td', null, h('div', { class: 'actions' },
          h('span', { class: 'role-change' }, roleSelect,
            actionButton(M, 'changeRole', {
              key: `changeRole-${m.user}`,
              onClick: () => perform({
                action: 'changeRole', resource: M, input: { newRole: roleSelect.value },
                apply: (s, x) => {
                  x.members.find((y) => y.user === m.user).role = roleSelect.value;
                  return `${displayUser(m.user)} is now ${roleSelect.value}.`;
                },
              }),
            })),
          actionButton(M, 'removeMember', { key: `removeMember-${m.user}`, kind: 'danger', onClick: opener(`removeMember-${m.user}`) }),
          self ? actionButton(R, 'leaveOrganization', { key: 'leaveOrganization', kind: 'danger', onClick: opener('leaveOrganization') }) : null)));
      const form = inlineForm(`removeMember-${m.user}`, `Remove ${u?.name || m.user}? Type their email to confirm (MEM-8).`, [
        { name: 'confirmation', label: 'Email', placeholder: u?.email },
      ], 'Remove member', ({ confirmation }) => perform({
        action: 'removeMember', resource: M, input: { confirmation },
        apply: (s, x) => { removeFromOrg(x, m.user); return `${displayUser(m.user)} was removed.`; },
      }), 'danger') || (self && inlineForm('leaveOrganization', `Leave ${o.displayName || o.name}? Type the organization's name to confirm (MEM-8).`, [
        { name: 'confirmation', label: 'Organization name', placeholder: o.name },
      ], 'Leave organization', ({ confirmation }) => perform({
        action: 'leaveOrganization', resource: R, input: { confirmation },
        apply: (s, x) => { removeFromOrg(x, m.user); return `You left ${o.name}.`; },
      }), 'danger'));
      return form ? [tr, h('tr', { class: 'form-row' }, h('td', { colspan: 3 }, form))] : [tr];
    });
    body = h('table', { class: 'grid' },
      h('thead', null, h('tr', null, h('th', null, 'Member'), h('th', null, 'Role'), h('th', null, 'Actions'))),
      h('tbody', null, rows));
  }

  // The invitation form: gated by inviteMember (role, account/email checked on submit).
  const by = h('select', { testid: 'invite-by', 'aria-label': 'Invite by' }, h('option', { value: 'account' }, 'account name'), h('option', { value: 'email' }, 'email'));
  const target = h('input', { testid: 'invite-target', placeholder: 'nina or someone@example.com', 'aria-label': 'Invitee', autocomplete: 'off' });
  const role = h('select', { testid: 'invite-role', 'aria-label': 'Role offered', value: 'member' }, ROLES.map((r) => h('option', { value: r }, r)));
  const invite = h('form', {
    class: 'invite',
    testid: 'invite-form',
    onsubmit: (e) => {
      e.preventDefault();
      const value = target.value.trim();
      const input = { role: role.value, [by.value]: value };
      perform({
        action: 'inviteMember', resource: R, input,
        apply: (s, x) => {
          const id = uniqueId(`inv-${value.split('@')[0]}`, allIds(s, (y) => y.invitations.map((i) => i.id)));
          const account = by.value === 'account' ? value : undefined;
          const email = account ? s.users.find((u) => u.id === account).email : value;
          x.invitations.push({ id, email, ...(account ? { account } : {}), role: role.value, status: 'pending' });
          return `Invitation ${id} sent to ${account ?? email} as ${role.value}.`;
        },
      });
    },
  }, h('span', { class: 'label' }, 'Invite by'), by, target, 'as', role,
  actionButton(R, 'inviteMember', { key: 'inviteMember', kind: 'primary', onClick: (e) => { e.preventDefault(); invite.requestSubmit(); } }));

  return panel('members', 'Members', h('div', null, body, invite), { wide: true, extra: h('span', { class: 'muted' }, `${o.members.length} members`) });
}

/** Shows the items the signed-in user may see, and says why the others are hidden. */
function visible(items, type, viewAction, testid) {
  const shown = items.filter((x) => cell(type, x.id, viewAction).allowed);
  const hidden = items.filter((x) => !cell(type, x.id, viewAction).allowed);
  const note = hidden.length
    ? hiddenNote(testid, `${hidden.length} hidden: ${cell(type, hidden[0].id, viewAction).reason}`, cell(type, hidden[0].id, viewAction).rule)
    : null;
  return { shown, note };
}

function renderTeams(o) {
  const { shown, note } = visible(o.teams, 'Team', 'viewTeam', 'hidden-teams');
  const candidates = state.snapshot.users.map((u) => ({ value: u.id, label: `${u.name || u.id} (${roleOf(u.id)})` }));
  const cards = shown.map((t) => {
    const T = { type: 'Team', id: t.id };
    return h('article', { class: 'card', testid: `team-${t.id}` },
      h('h3', null, t.name || t.id, ' ', h('span', { class: 'muted small' }, t.id)),
      t.complianceLabels?.length ? h('p', null, 'restricted to ', t.complianceLabels.map((l) => badge(l, 'label'))) : null,
      h('ul', { class: 'chips' }, t.members.length ? t.members.map((u) => h('li', { class: 'chip' }, displayUser(u), ' ',
        actionButton(T, 'removeTeamMember', {
          key: `removeTeamMember-${t.id}-${u}`, label: '×', kind: 'icon',
          onClick: () => perform({
            action: 'removeTeamMember', resource: T, label: `Remove ${u} from ${t.name || t.id}`,
            apply: (s, x) => {
              x.teams.find((y) => y.id === t.id).members = x.teams.find((y) => y.id === t.id).members.filter((m) => m !== u);
              normalize(x);
              return `${displayUser(u)} left team ${t.name || t.id}.`;
            },
          }),
        }))) : h('li', { class: 'muted' }, 'no members')),
      h('div', { class: 'actions' },
        actionButton(T, 'addTeamMember', { key: `addTeamMember-${t.id}`, onClick: opener(`addTeamMember-${t.id}`) }),
        actionButton(T, 'editTeam', { key: `editTeam-${t.id}`, onClick: opener(`editTeam-${t.id}`) }),
        actionButton(T, 'deleteTeam', {
          key: `deleteTeam-${t.id}`, kind: 'danger',
          onClick: () => perform({
            action: 'deleteTeam', resource: T,
            apply: (s, x) => {
              x.teams = x.teams.filter((y) => y.id !== t.id);
              for (const w of x.workspaces) w.participants = w.participants.filter((p) => p.team !== t.id);
              normalize(x);
              return `Team ${t.name || t.id} deleted.`;
            },
          }),
        })),
      inlineForm(`addTeamMember-${t.id}`, 'Add a member or collaborator of the organization (TEAM-2)', [
        { name: 'user', label: 'User', type: 'select', options: candidates },
      ], 'Add', ({ user }) => perform({
        action: 'addTeamMember', resource: T, input: { user },
        apply: (s, x) => {
          const team = x.teams.find((y) => y.id === t.id);
          if (!team.members.includes(user)) team.members.push(user);
          return `${displayUser(user)} joined team ${t.name || t.id}.`;
        },
      })),
      inlineForm(`editTeam-${t.id}`, 'Rename the team', [{ name: 'name', label: 'Name', value: t.name }], 'Save', ({ name }) => perform({
        action: 'editTeam', resource: T,
        apply: (s, x) => { x.teams.find((y) => y.id === t.id).name = name; return `Team renamed to ${name}.`; },
      })));
  });
  return panel('teams', 'Teams', h('div', { class: 'cards' }, cards.length ? cards : h('p', { class: 'muted' }, 'No teams to show.'), note));
}

function renderWorkspaces(o) {
  const { shown, note } = visible(o.workspaces, 'Workspace', 'viewWorkspace', 'hidden-workspaces');
  const who = [
    ...state.snapshot.users.map((u) => ({ value: `user:${u.id}`, label: `${u.name || u.id} (${roleOf(u.id)})` })),
    ...o.teams.map((t) => ({ value: `team:${t.id}`, label: `team ${t.name || t.id}` })),
  ];
  const cards = shown.map((w) => {
    const W = { type: 'Workspace', id: w.id };
    return h('article', { class: 'card', testid: `workspace-${w.id}` },
      h('h3', null, w.name || w.id, ' ', h('span', { class: 'muted small' }, w.id)),
      h('ul', { class: 'chips' }, w.participants.map((p) => h('li', { class: 'chip' },
        p.team ? `team ${o.teams.find((t) => t.id === p.team)?.name ?? p.team}` : displayUser(p.user), ' ', badge(p.role, 'ws')))),
      h('div', { class: 'actions' },
        actionButton(W, 'connectSession', { key: `connectSession-${w.id}`, onClick: () => perform({ action: 'connectSession', resource: W, label: `Connect to ${w.name}`, apply: () => `Session opened in ${w.name}.` }) }),
        actionButton(W, 'launchCompute', {
          key: `launchCompute-${w.id}`,
          onClick: () => perform({
            action: 'launchCompute', resource: W, label: `Launch in ${w.name}`,
            apply: (s, x) => {
              x.billing = { ...x.billing, activeRuns: (x.billing?.activeRuns ?? 0) + 1 };
              return `Run started: ${x.billing.activeRuns} of ${x.billing.concurrentRunLimit} concurrent runs in use.`;
            },
          }),
        }),
        actionButton(W, 'manageParticipants', { key: `manageParticipants-${w.id}`, onClick: opener(`manageParticipants-${w.id}`) }),
        actionButton(W, 'createAlgorithm', { key: `createAlgorithm-${w.id}`, onClick: opener(`createAlgorithm-${w.id}`) }),
        actionButton(W, 'editWorkspace', { key: `editWorkspace-${w.id}`, onClick: opener(`editWorkspace-${w.id}`) }),
        actionButton(W, 'deleteWorkspace', {
          key: `deleteWorkspace-${w.id}`, kind: 'danger',
          onClick: () => perform({
            action: 'deleteWorkspace', resource: W,
            apply: (s, x) => {
              x.workspaces = x.workspaces.filter((y) => y.id !== w.id);
              x.algorithms = x.algorithms.filter((a) => a.workspace !== w.id);
              normalize(x);
              return `Workspace ${w.name} and its algorithms deleted.`;
            },
          }),
        })),
      inlineForm(`manageParticipants-${w.id}`, 'Grant a workspace role (a new person becomes a collaborator, WS-3)', [
        { name: 'who', label: 'User or team', type: 'select', options: who },
        { name: 'role', label: 'Role', type: 'select', options: WORKSPACE_ROLES, value: 'view' },
      ], 'Grant', ({ who: target, role }) => perform({
        action: 'manageParticipants', resource: W, label: `Grant ${role} in ${w.name}`,
        apply: (s, x) => {
          const [kind, id] = target.split(':');
          const ws = x.workspaces.find((y) => y.id === w.id);
          ws.participants = ws.participants.filter((p) => p[kind] !== id);
          ws.participants.push({ [kind]: id, role });
          if (kind === 'user' && !x.members.some((m) => m.user === id) && !x.collaborators.includes(id)) x.collaborators.push(id);
          return `${kind === 'user' ? displayUser(id) : `Team ${id}`} now holds ${role} in ${w.name}.`;
        },
      })),
      inlineForm(`createAlgorithm-${w.id}`, 'New algorithm', [{ name: 'name', label: 'Name', placeholder: 'Image tagging' }], 'Create', ({ name }) => perform({
        action: 'createAlgorithm', resource: W,
        apply: (s, x) => {
          const id = uniqueId(name, allIds(s, (y) => y.algorithms.map((a) => a.id)));
          x.algorithms.push({ id, name, workspace: w.id, contributors: [state.viewAs], versions: [] });
          return `Algorithm ${name} created in ${w.name}.`;
        },
      })),
      inlineForm(`editWorkspace-${w.id}`, 'Rename the workspace', [{ name: 'name', label: 'Name', value: w.name }], 'Save', ({ name }) => perform({
        action: 'editWorkspace', resource: W,
        apply: (s, x) => { x.workspaces.find((y) => y.id === w.id).name = name; return `Workspace renamed to ${name}.`; },
      })));
  });
  const billing = o.billing ?? {};
  return panel('workspaces', 'Workspaces', h('div', { class: 'cards' }, cards.length ? cards : h('p', { class: 'muted' }, 'No workspaces to show.'), note),
    { extra: h('span', { class: 'muted', testid: 'runs' }, `${billing.activeRuns ?? 0}/${billing.concurrentRunLimit ?? 0} runs`) });
}

function renderAlgorithms(o) {
  const { shown, note } = visible(o.algorithms, 'Algorithm', 'viewAlgorithm', 'hidden-algorithms');
  const cards = shown.map((a) => {
    const A = { type: 'Algorithm', id: a.id };
    const ws = o.workspaces.find((w) => w.id === a.workspace);
    const published = a.versions.some((v) => v.status === 'published');
    const versions = a.versions.map((v) => {
      const V = { type: 'AlgorithmVersion', id: v.id };
      const set = (status, verb) => () => perform({
        action: `${verb}Version`, resource: V, label: `${LABELS[`${verb}Version`]} ${a.name} ${v.version}`,
        apply: (s, x) => {
          x.algorithms.find((y) => y.id === a.id).versions.find((y) => y.id === v.id).status = status;
          return `${a.name} ${v.version} is now ${status}.`;
        },
      });
      return h('tr', { testid: `version-${v.id}` },
        h('td', null, h('b', null, v.version)),
        h('td', null, h('span', { testid: `status-${v.id}`, class: `badge ${v.status}` }, v.status)),
        h('td', null, displayUser(v.submitter)),
        h('td', null, h('div', { class: 'actions' },
          actionButton(V, 'approveVersion', { key: `approveVersion-${v.id}`, kind: 'primary', onClick: set('approved', 'approve') }),
          actionButton(V, 'rejectVersion', { key: `rejectVersion-${v.id}`, onClick: set('rejected', 'reject') }),
          actionButton(V, 'publishVersion', { key: `publishVersion-${v.id}`, onClick: set('published', 'publish') }))));
    });
    return h('article', { class: 'card algorithm', testid: `algorithm-${a.id}` },
      h('div', { class: 'card-head' },
        h('h3', null, a.name || a.id, ' ', h('span', { class: 'muted small' }, `in ${ws?.name ?? a.workspace}`)),
        h('span', null, a.public ? badge('public', 'public') : badge('private', 'private'), ' ', published ? badge('published', 'published') : badge('unpublished', 'draft')),
        h('div', { class: 'actions' },
          actionButton(A, 'callAlgorithm', { key: `callAlgorithm-${a.id}`, onClick: () => perform({ action: 'callAlgorithm', resource: A, label: `Call ${a.name}`, apply: () => `${a.name} answered: {"ok": true}` }) }),
          actionButton(A, 'editAlgorithm', { key: `editAlgorithm-${a.id}`, onClick: opener(`editAlgorithm-${a.id}`) }),
          actionButton(A, 'submitVersion', { key: `submitVersion-${a.id}`, onClick: opener(`submitVersion-${a.id}`) }))),
      h('p', { class: 'muted small' }, 'contributors: ', (a.contributors ?? []).map(displayUser).join(', ') || 'none'),
      inlineForm(`editAlgorithm-${a.id}`, 'Edit the algorithm', [
        { name: 'name', label: 'Name', value: a.name },
        { name: 'public', label: 'Public', type: 'checkbox', value: a.public },
      ], 'Save', ({ name, public: isPublic }) => perform({
        action: 'editAlgorithm', resource: A,
        apply: (s, x) => { Object.assign(x.algorithms.find((y) => y.id === a.id), { name, public: isPublic }); return `${name} saved.`; },
      })),
      inlineForm(`submitVersion-${a.id}`, 'Submit a version for approval (ALG-2)', [
        { name: 'version', label: 'Version', placeholder: '2.0' },
      ], 'Submit', ({ version }) => perform({
        action: 'submitVersion', resource: A,
        apply: (s, x) => {
          const id = uniqueId(`${a.id}-${version}`, allIds(s, (y) => y.algorithms.flatMap((z) => z.versions.map((v) => v.id))));
          x.algorithms.find((y) => y.id === a.id).versions.push({ id, version, status: 'pending', submitter: state.viewAs });
          return `${a.name} ${version} submitted for approval.`;
        },
      })),
      a.versions.length
        ? h('table', { class: 'grid versions' },
          h('thead', null, h('tr', null, h('th', null, 'Version'), h('th', null, 'Status'), h('th', null, 'Submitter'), h('th', null, 'Review'))),
          h('tbody', null, versions))
        : h('p', { class: 'muted' }, 'No versions yet.'));
  });
  return panel('algorithms', 'Algorithms & approvals', h('div', { class: 'cards' }, cards.length ? cards : h('p', { class: 'muted' }, 'No algorithms to show.'), note), { wide: true });
}

function renderInvitations(o) {
  const list = cell('Organization', o.id, 'listInvitations');
  const mine = (i) => i.account === state.viewAs || (!i.account && i.email.toLowerCase() === userOf(state.viewAs)?.email.toLowerCase());
  const shown = list.allowed ? o.invitations : o.invitations.filter(mine);
  const rows = shown.flatMap((i) => {
    const I = { type: 'Invitation', id: i.id };
    const tr = h('tr', { testid: `invitation-${i.id}` },
      h('td', null, i.account ? h('span', null, displayUser(i.account), ' ', h('span', { class: 'muted small' }, 'by account')) : h('span', null, i.email, ' ', h('span', { class: 'muted small' }, 'by email'))),
      h('td', null, badge(i.role)),
      h('td', null, h('span', { class: `badge ${i.status}`, testid: `invitation-status-${i.id}` }, i.status)),
      h('td', null, h('div', { class: 'actions' },
        actionButton(I, 'cancelInvitation', {
          key: `cancelInvitation-${i.id}`,
          onClick: () => perform({
            action: 'cancelInvitation', resource: I,
            apply: (s, x) => { x.invitations.find((y) => y.id === i.id).status = 'cancelled'; return `Invitation ${i.id} cancelled.`; },
          }),
        }),
        actionButton(I, 'acceptInvitation', { key: `acceptInvitation-${i.id}`, kind: 'primary', onClick: opener(`acceptInvitation-${i.id}`) }))));
    const form = inlineForm(`acceptInvitation-${i.id}`, `Join ${o.displayName || o.name} as ${i.role}: accept the Terms of Use (MEM-4)`, [
      { name: 'acceptedTermsVersion', label: 'Terms of Use version accepted', value: o.termsVersion },
    ], 'Accept invitation', ({ acceptedTermsVersion }) => perform({
      action: 'acceptInvitation', resource: I, input: { acceptedTermsVersion },
      apply: (s, x) => {
        x.invitations.find((y) => y.id === i.id).status = 'accepted';
        x.collaborators = x.collaborators.filter((c) => c !== state.viewAs);
        x.members.push({ user: state.viewAs, role: i.role });
        return `Welcome to ${o.displayName || o.name}: you are now ${i.role}.`;
      },
    }));
    return form ? [tr, h('tr', { class: 'form-row' }, h('td', { colspan: 4 }, form))] : [tr];
  });
  const body = h('div', null,
    rows.length
      ? h('table', { class: 'grid' }, h('thead', null, h('tr', null, h('th', null, 'Invitee'), h('th', null, 'Role'), h('th', null, 'Status'), h('th', null, 'Actions'))), h('tbody', null, rows))
      : h('p', { class: 'muted' }, 'No invitations to show.'),
    list.allowed ? null : hiddenNote('hidden-invitations', list.reason, list.rule));
  return panel('invitations', 'Invitations', body);
}

function renderApiKeys(o) {
  const list = cell('Organization', o.id, 'listApiKeys');
  let body;
  if (!list.allowed) {
    body = hiddenNote('hidden-keys', list.reason, list.rule);
  } else {
    const keys = o.apiKeys ?? [];
    body = keys.length ? h('table', { class: 'grid' },
      h('thead', null, h('tr', null, h('th', null, 'Key'), h('th', null, 'Scopes'), h('th', null, 'Actions'))),
      h('tbody', null, keys.map((k) => {
        const K = { type: 'ApiKey', id: k.id };
        return h('tr', { testid: `apikey-${k.id}`, class: k.revoked ? 'revoked' : '' },
          h('td', null, h('div', null, k.name || k.id, ' ', k.revoked ? badge('revoked') : null), h('div', { class: 'muted small' }, k.id)),
          h('td', null, k.scopes.map((s) => h('code', { class: 'scope' }, s))),
          h('td', null, h('div', { class: 'actions' },
            actionButton(K, 'useApiKey', { key: `useApiKey-${k.id}`, onClick: () => perform({ action: 'useApiKey', resource: K, label: `Use ${k.name || k.id}`, details: () => keyReport(o, k) }) }),
            actionButton(K, 'revokeApiKey', {
              key: `revokeApiKey-${k.id}`, kind: 'danger',
              onClick: () => perform({
                action: 'revokeApiKey', resource: K,
                apply: (s, x) => { x.apiKeys.find((y) => y.id === k.id).revoked = true; return `Key ${k.id} revoked.`; },
              }),
            }))));
      }))) : h('p', { class: 'muted' }, 'No API keys.');
  }
  return panel('apikeys', 'API keys', body);
}

/** What the key itself may do (the key as principal, KEY-2), in a few matrix calls. */
function keyReport(o, k) {
  const principal = { type: 'ApiKey', id: k.id };
  const asks = [
    [[{ type: 'Organization', id: o.id }], ['viewOrganization', 'viewMembers', 'viewUsage']],
    [o.algorithms.map((a) => ({ type: 'Algorithm', id: a.id })), ['viewAlgorithm', 'callAlgorithm', 'editAlgorithm']],
    [o.workspaces.map((w) => ({ type: 'Workspace', id: w.id })), ['viewWorkspace', 'launchCompute']],
  ];
  const rows = [];
  for (const [resources, actions] of asks) {
    if (!resources.length) continue;
    const m = state.authz.matrix(principal, resources, actions);
    if (m.type !== 'success') continue;
    for (const row of m.rows) {
      row.cells.forEach((c, j) => rows.push([`${m.actions[j]}`, `${row.resource.type}::"${row.resource.id}"`, c.allowed ? '✔ allowed' : `✘ ${c.reason}`]));
    }
  }
  return h('div', null, h('p', null, `What ${k.id} itself may do:`), reportTable(['action', 'resource', 'decision'], rows));
}

function renderPolicies() {
  const policies = state.authz.policies();
  const sources = state.authz.policySources();
  const textarea = h('textarea', {
    testid: 'custom-policy',
    rows: 10,
    spellcheck: 'false',
    placeholder: '// Paste a Cedar policy, e.g.\npermit (principal is User, action == Action::"viewBilling", resource is Organization)\nwhen { principal in resource.members };',
    oninput: (e) => { state.draftPolicy = e.target.value; },
  });
  textarea.value = state.draftPolicy;
  const errors = state.customErrors;
  return panel('policies', 'Policies', h('div', { class: 'policies' },
    h('div', { class: 'policy-list', testid: 'policy-list' },
      h('table', { class: 'grid compact' },
        h('thead', null, h('tr', null, h('th', null, 'Effect'), h('th', null, 'Rule'), h('th', null, 'Policy id'), h('th', null, 'Reason'), h('th', null, 'Source'))),
        h('tbody', null, policies.map((p) => h('tr', { testid: `policy-${p.id}` },
          h('td', null, badge(p.effect)), h('td', null, p.rule ? h('b', { class: 'rule' }, p.rule) : '—'),
          h('td', null, h('code', null, p.id)), h('td', null, p.reason ?? ''), h('td', { class: 'muted small' }, p.source)))))),
    h('div', { class: 'custom' },
      h('h3', null, 'Custom policy'),
      h('p', { class: 'muted small' }, `Added to the ${sources.length - (state.customPolicy ? 1 : 0)} default sources as ${CUSTOM_SOURCE}; checked with validatePolicies against the schema (strict mode).`),
      textarea,
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'btn primary', testid: 'custom-policy-apply', onclick: () => applyCustomPolicy(textarea.value) }, 'Validate & apply'),
        h('button', { type: 'button', class: 'btn ghost', testid: 'custom-policy-example', onclick: () => { state.draftPolicy = EXAMPLE_POLICY; render(); } }, 'Example'),
        state.customPolicy ? h('button', { type: 'button', class: 'btn ghost', testid: 'custom-policy-remove', onclick: () => applyCustomPolicy(null) }, 'Remove custom policy') : null),
      errors ? h('ul', { class: 'policy-errors', testid: 'custom-policy-errors' }, errors.map((d) => h('li', null,
        d.location ? h('code', { class: 'loc' }, `${d.location.source}:${d.location.line}:${d.location.column}`) : null, ' ',
        h('span', { class: 'message' }, d.message),
        d.help ? h('div', { class: 'help' }, `help: ${d.help}`) : null))) : null,
      state.customPolicy ? h('p', { class: 'ok-note', testid: 'custom-policy-active' }, `✔ ${CUSTOM_SOURCE} is active.`) : null),
    h('div', { class: 'sources' },
      h('h3', null, 'Cedar sources'),
      [...sources, { name: 'schema.cedarschema', text: state.authz.schemaText() }].map((s) => h('details', {
        open: state.openSources.has(s.name),
        testid: `source-${s.name}`,
        ontoggle: (e) => (e.target.open ? state.openSources.add(s.name) : state.openSources.delete(s.name)),
      }, h('summary', null, s.name), h('pre', null, s.text))))),
  { wide: true, extra: h('span', { class: 'muted' }, `${policies.length} policies`) });
}

/** Validates the defaults + the custom source; if valid, rebuilds the Authorizer with it. */
function applyCustomPolicy(text) {
  state.draftPolicy = text ?? '';
  const options = { policies: text ? [{ name: CUSTOM_SOURCE, text }] : [], includeDefaultPolicies: true };
  const check = validatePolicies(options);
  if (check.type !== 'success') {
    state.customErrors = check.errors.flatMap((e) => (e.diagnostics?.length ? e.diagnostics : [{ message: e.message }]));
    setOutcome({ kind: 'error', title: 'Custom policy rejected', lines: [`${state.customErrors.length} problem(s), see the policy panel.`] });
    return render();
  }
  let next;
  try {
    next = new Authorizer(options);
  } catch (error) {
    state.customErrors = error.diagnostics?.length ? error.diagnostics : [{ message: error.message }];
    return render();
  }
  const previous = state.authz;
  state.authz = next;
  const loaded = loadIntoEngine(state.snapshot);
  if (!loaded.ok) {
    state.authz = previous;
    next.free();
    state.customErrors = loaded.errors.map((e) => ({ message: e.message }));
    return render();
  }
  previous.free?.();
  state.customPolicy = text;
  state.customErrors = null;
  setOutcome({
    kind: 'ok',
    title: text ? 'Custom policy applied' : 'Custom policy removed',
    lines: [`${check.policies.length} policies in force; the page was evaluated again.`],
  });
  render();
}

function render() {
  evaluate();
  const o = org();
  const app = document.getElementById('app');
  const scroll = window.scrollY;
  app.replaceChildren(
    renderHeader(),
    renderStatus(),
    h('main', { class: 'layout' },
      o
        ? [renderOrganization(o), renderMembers(o), renderTeams(o), renderWorkspaces(o), renderAlgorithms(o), renderInvitations(o), renderApiKeys(o)]
        : renderNoOrg(),
      renderPolicies()),
    renderOutcome());
  window.scrollTo(0, scroll);
  app.dataset.ready = 'true';
}

async function main() {
  await init();
  const response = await fetch(new URL('./example-org.json', import.meta.url));
  if (!response.ok) throw new Error(`example-org.json: HTTP ${response.status}`);
  state.initial = await response.json();
  state.authz = new Authorizer();
  const loaded = loadIntoEngine(structuredClone(state.initial));
  if (!loaded.ok) throw new Error(`the example snapshot was refused: ${loaded.errors.map((e) => e.message).join('; ')}`);
  const as = new URLSearchParams(location.search).get('as');
  if (as && state.snapshot.users.some((u) => u.id === as)) state.viewAs = as;
  render();
}

main().catch((error) => {
  const app = document.getElementById('app');
  app.replaceChildren(h('div', { class: 'fatal', testid: 'fatal' }, h('h2', null, 'The console could not start'), h('pre', null, String(error?.stack ?? error))));
  throw error;
});
