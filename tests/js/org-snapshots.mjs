// One organization of a snapshot with the users it references: what one KV key (or one HTTP
// response) of a multi-tenant store holds. Shared by the orgs tests and bench/orgs.mjs.
export function orgSnapshot(snapshot, orgId) {
  const record = snapshot.organizations.find((o) => o.id === orgId);
  const mentioned = new Set();
  (function walk(value) {
    if (typeof value === 'string') mentioned.add(value);
    else if (value && typeof value === 'object') for (const item of Object.values(value)) walk(item);
  })(record);
  return { users: snapshot.users.filter((u) => mentioned.has(u.id)), organizations: [record] };
}
