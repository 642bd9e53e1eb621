// The demo's server-side state: the full organization, which never leaves the server, and the
// authorizer that decides on it. Browsers get only what scopeSnapshot gives their viewer; every
// change is validated on the full organization (validateAction), applied here, and checked by
// the engine loading the result before it is kept.
import { Authorizer, validatePolicies } from 'orgwarden';
import { CHANGES, ChangeError } from './changes.mjs';
import { REPORTS } from './reports.mjs';

/** The name a custom policy is compiled under, which its diagnostics cite. */
export const CUSTOM_SOURCE = 'custom.cedar';

const MAX_POLICY_CHARS = 20_000;

/** The organization of the snapshot that holds `resource`, or undefined. */
function orgOf(snapshot, { type, id }) {
  const orgs = snapshot.organizations;
  switch (type) {
    case 'Organization':
      return orgs.find((o) => o.id === id);
    case 'Membership':
      return orgs.find((o) => id.startsWith(`${o.id}/`));
    case 'Team':
      return orgs.find((o) => o.teams.some((t) => t.id === id));
    case 'Workspace':
      return orgs.find((o) => o.workspaces.some((w) => w.id === id));
    case 'Algorithm':
      return orgs.find((o) => o.algorithms.some((a) => a.id === id));
    case 'AlgorithmVersion':
      return orgs.find((o) => o.algorithms.some((a) => a.versions.some((v) => v.id === id)));
    case 'Invitation':
      return orgs.find((o) => o.invitations.some((i) => i.id === id));
    case 'ApiKey':
      return orgs.find((o) => (o.apiKeys ?? []).some((k) => k.id === id));
    default:
      return undefined;
  }
}

const isEntityRef = (value) => typeof value?.type === 'string' && typeof value?.id === 'string';

export class DemoOrganization {
  #initial;
  #snapshot;
  #authorizer;
  #customPolicy = null;
  // Scoping proves itself by deciding twice (README, "Viewer-scoped snapshots"): answers are kept
  // per viewer until the organization or the policies change.
  #scoped = new Map();

  /** `initial`: the full snapshot the demo starts from, and returns to on reset. */
  constructor(initial) {
    this.#initial = structuredClone(initial);
    this.#authorizer = new Authorizer();
    this.#load(structuredClone(initial));
  }

  #load(snapshot) {
    const answer = this.#authorizer.loadSnapshot(snapshot);
    if (answer.type !== 'success') return answer;
    this.#snapshot = snapshot;
    this.#scoped.clear();
    return answer;
  }

  /** The accounts the console can be viewed as: in a real app, the signed-in user alone. */
  viewers() {
    return this.#snapshot.users.map((u) => u.id);
  }

  /** `scopeSnapshot` for `viewer`: `{ type: 'success', snapshot }` or `{ type: 'failure', errors }`. */
  scopedSnapshot(viewer) {
    let answer = this.#scoped.get(viewer);
    if (!answer) {
      answer = this.#authorizer.scopeSnapshot(this.#snapshot, { type: 'User', id: viewer });
      if (answer.type === 'success') this.#scoped.set(viewer, answer);
    }
    return answer;
  }

  /** The policies in force beyond the defaults, which a browser's authorizer must use too. */
  customPolicies() {
    return this.#customPolicy === null ? [] : [{ name: CUSTOM_SOURCE, text: this.#customPolicy }];
  }

  /**
   * Puts `text` in force beside the default policies (null removes it): `{ type: 'success' }`, or
   * `{ type: 'failure', diagnostics }` with Cedar's messages and locations, nothing changed.
   */
  setCustomPolicy(text) {
    if (text !== null && (typeof text !== 'string' || text.length > MAX_POLICY_CHARS)) {
      return { type: 'failure', diagnostics: [{ message: `a policy is a text of at most ${MAX_POLICY_CHARS} characters` }] };
    }
    const options = { policies: text === null ? [] : [{ name: CUSTOM_SOURCE, text }] };
    const checked = validatePolicies(options);
    if (checked.type !== 'success') {
      return { type: 'failure', diagnostics: checked.errors.flatMap((e) => (e.diagnostics?.length ? e.diagnostics : [{ message: e.message }])) };
    }
    const next = new Authorizer(options);
    const loaded = next.loadSnapshot(this.#snapshot);
    if (loaded.type !== 'success') {
      next.free();
      return { type: 'failure', diagnostics: loaded.errors.map((e) => ({ message: e.message })) };
    }
    this.#authorizer.free();
    this.#authorizer = next;
    this.#customPolicy = text;
    this.#scoped.clear();
    return { type: 'success' };
  }

  /** Back to the example organization (the custom policy stays). */
  reset() {
    this.#load(structuredClone(this.#initial));
  }

  /**
   * `viewer` asks to do `action` on `resource` with `input` (what validateAction reads) and
   * `fields` (what the change needs, such as a new name). Answers what the console shows:
   * `{ valid, violations, notices, message, report, changed }`.
   */
  perform({ viewer, action, resource, input = {}, fields = {} }) {
    if (typeof viewer !== 'string' || typeof action !== 'string' || !isEntityRef(resource)) {
      return { valid: false, violations: [{ code: 'INVALID_REQUEST', message: 'a request names a viewer, an action and a resource' }] };
    }
    const validation = this.#authorizer.validateAction({ principal: { type: 'User', id: viewer }, action, resource, input });
    const { valid, violations, notices } = validation;
    if (!valid) return { valid, violations, notices };

    const report = REPORTS[action];
    const change = CHANGES[action];
    const org = orgOf(this.#snapshot, resource);
    if (report) return { valid, violations, notices, report: report({ org, authorizer: this.#authorizer, resource }) };
    if (!change) return { valid, violations, notices, message: 'Allowed. (The demo has nothing to change for this action.)' };

    const next = structuredClone(this.#snapshot);
    let message;
    try {
      message = change({ snapshot: next, org: org && orgOf(next, resource), viewer, resource, input, fields });
    } catch (error) {
      if (!(error instanceof ChangeError)) throw error;
      return { valid: false, violations: [{ code: 'INVALID_REQUEST', message: error.message }] };
    }
    const loaded = this.#load(next);
    if (loaded.type !== 'success') {
      // The engine refused the organization the change would leave: nothing is kept.
      return { valid: false, violations: loaded.errors.map((e) => ({ code: e.code, message: e.message })) };
    }
    return { valid, violations, notices, message, changed: true };
  }
}
