// The console's calls to its server (www/server/api.mjs). The browser holds only what these
// answer: its viewer's scoped snapshot, and the outcome of each request it makes.

async function call(path, { method = 'GET', body, signal } = {}) {
  const response = await fetch(path, {
    method,
    signal,
    headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, answer };
}

function failure(path, { status, answer }) {
  // A refused snapshot comes with codes alone: its messages can quote what the viewer may not see.
  const message = answer?.errors?.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ') ?? `HTTP ${status}`;
  return new Error(`${path}: ${message}`);
}

/** The accounts "view as" offers. */
export async function fetchViewers() {
  const reply = await call('/api/viewers');
  if (!reply.ok) throw failure('/api/viewers', reply);
  return reply.answer.viewers;
}

/** The organization as `viewer` may see it: the server's scopeSnapshot for them. */
export async function fetchScopedSnapshot(viewer, { signal } = {}) {
  const path = `/api/org-snapshot?viewer=${encodeURIComponent(viewer)}`;
  const reply = await call(path, { signal });
  if (!reply.ok) throw failure('/api/org-snapshot', reply);
  return reply.answer;
}

/** The custom policies in force on the server, for the browser's authorizer to use the same. */
export async function fetchCustomPolicies() {
  const reply = await call('/api/policies');
  if (!reply.ok) throw failure('/api/policies', reply);
  return reply.answer.policies;
}

/** Puts a custom policy in force (null removes it): `{ type, diagnostics?, policies }`. */
export async function putCustomPolicy(text) {
  const reply = await call('/api/policies', { method: 'POST', body: { text } });
  if (!reply.answer?.type) throw failure('/api/policies', reply);
  return reply.answer;
}

/** Asks the server to do an action: `{ valid, violations, notices, message?, report?, changed? }`. */
export async function performAction(request) {
  const reply = await call('/api/actions', { method: 'POST', body: request });
  if (!reply.ok) throw failure('/api/actions', reply);
  return reply.answer;
}

export async function resetOrganization() {
  const reply = await call('/api/reset', { method: 'POST', body: {} });
  if (!reply.ok) throw failure('/api/reset', reply);
}
