// A multi-tenant Cloudflare Worker: each organization's snapshot is read from a KV namespace
// (binding ORGS, key `org:<id>`), or from an R2 bucket when one is bound (binding SNAPSHOTS,
// object `orgs/<id>.json`), the first time a request reaches that org in this isolate, kept
// warm, and revalidated after REVALIDATE_MS. tests/js/orgs-workerd.test.mjs runs it in real
// workerd through miniflare.
//   GET /orgs/<org>/authorize?user=<id>&action=<name>&type=<EntityType>&id=<entity id>
//     -> 200 {allowed: true, ...} or 403 {allowed: false, reason, errors?, ...}; 400 on a malformed query.
//   GET /status -> the registry's status (resident orgs, hits, misses, memory)
import '../../pkg/entries/workerd.js';
import { createOrgAuthorizers, kvSource, r2Source } from '../../pkg/lib/orgs.js';

// Bindings reach the worker with the first request, so the registry is made then, once per
// isolate, and lives as long as the isolate.
let orgs;

function registry(env) {
  orgs ??= createOrgAuthorizers({
    source: slowedSource(env),
    revalidateAfterMs: Number(env.REVALIDATE_MS),
    maxEntities: 200_000,
    ...(env.MAX_SNAPSHOT_BYTES ? { maxSnapshotBytes: Number(env.MAX_SNAPSHOT_BYTES) } : {}),
    ...(env.MAX_ORGS ? { maxOrgs: Number(env.MAX_ORGS) } : {}),
  });
  return orgs;
}

/**
 * R2 when bound, else KV. For the test of coalescing: reads of the orgs named in SLOW_ORGS take
 * SLOW_MS longer, so that concurrent requests arrive while the first one's read is under way.
 */
function slowedSource(env) {
  const stored = env.SNAPSHOTS
    ? r2Source(env.SNAPSHOTS, { key: (orgId) => `orgs/${orgId}.json` })
    : kvSource(env.ORGS, { key: (orgId) => `org:${orgId}` });
  const slow = new Set((env.SLOW_ORGS ?? '').split(',').filter(Boolean));
  return async (orgId, request) => {
    if (slow.has(orgId)) await new Promise((resolve) => setTimeout(resolve, Number(env.SLOW_MS)));
    return stored(orgId, request);
  };
}

export default {
  async fetch(request, env) {
    const orgs = registry(env);
    const url = new URL(request.url);
    if (url.pathname === '/status') return Response.json(orgs.status());
    const route = /^\/orgs\/([^/]+)\/authorize$/.exec(url.pathname);
    if (!route) return new Response('not found', { status: 404 });
    const orgId = decodeURIComponent(route[1]);
    const [user, action, type, id] = ['user', 'action', 'type', 'id'].map((k) => url.searchParams.get(k));
    if (!user || !action || !type || !id) {
      return Response.json({ allowed: false, reason: 'user, action, type and id are required' }, { status: 400 });
    }
    const decision = await orgs.check(orgId, { type: 'User', id: user }, action, { type, id });
    return Response.json(decision, { status: decision.allowed ? 200 : 403 });
  },
};
