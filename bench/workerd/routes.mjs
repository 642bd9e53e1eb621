// The routes of the Workers that bench/workerd.mjs measures in workerd: the README's
// multi-tenant Worker (orgs read from the KV namespace ORGS, key `org:<id>`; or, when the
// Durable Object namespace ORG_SNAPSHOTS is bound, from one object per org, asked on every
// request as the README's Durable Object Worker does), with what the measurements need. The
// entry that initializes the module is the importing Worker's.
//   GET /check?org=<id>&user=<id>&n=<checks>
//     -> the org's authorizer (loaded on its first request), then `n` checks (default 1) that
//        its owner may view its billing; {allowed, checks}. Timed from outside: the runtime's
//        clocks stand still while a request computes.
//   GET /status -> the registry's status and moduleStatus()
import { moduleStatus } from '../../pkg/lib/index.js';
import { createOrgAuthorizers, durableObjectSource, kvSource } from '../../pkg/lib/orgs.js';

let orgs;

/** The registry's source, made with the first request's bindings. */
const sourceOptions = (env) =>
  env.ORG_SNAPSHOTS
    ? { source: durableObjectSource(env.ORG_SNAPSHOTS), revalidateAfterMs: 0 }
    : { source: kvSource(env.ORGS, { key: (orgId) => `org:${orgId}` }) };

export async function handle(request, env) {
  orgs ??= createOrgAuthorizers({ ...sourceOptions(env), maxEntities: Infinity, maxStoreBytes: Infinity });
  const url = new URL(request.url);
  if (url.pathname === '/status') return Response.json({ registry: orgs.status(), module: moduleStatus() });
  const orgId = url.searchParams.get('org');
  const user = { type: 'User', id: url.searchParams.get('user') };
  const org = { type: 'Organization', id: orgId };
  const found = await orgs.forOrg(orgId);
  if (found.type !== 'success') return Response.json(found, { status: 500 });
  const checks = Number(url.searchParams.get('n') ?? 1);
  let allowed = true;
  for (let i = 0; i < checks; i++) allowed = found.authorizer.check(user, 'viewBilling', org).allowed && allowed;
  return Response.json({ allowed, checks });
}
