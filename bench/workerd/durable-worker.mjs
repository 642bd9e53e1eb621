// The README's multi-tenant Worker over Durable Objects (binding ORG_SNAPSHOTS, one object per
// org, asked on every request), as bench/workerd.mjs measures it; its routes are
// bench/workerd/routes.mjs. OrgSnapshots keeps one org's snapshot: PUT stores it with a new
// revision, GET answers it with the revision as its ETag, or 304 when If-None-Match holds it.
import '../../pkg/entries/workerd.js';
import { handle } from './routes.mjs';

export default { fetch: handle };

export class OrgSnapshots {
  constructor(ctx) {
    this.storage = ctx.storage;
  }

  async fetch(request) {
    if (request.method === 'PUT') {
      const snapshot = await request.text();
      const revision = ((await this.storage.get('revision')) ?? 0) + 1;
      await this.storage.put({ snapshot, revision });
      return new Response(null, { status: 204 });
    }
    const stored = await this.storage.get(['snapshot', 'revision']);
    if (!stored.has('snapshot')) return new Response(null, { status: 404 });
    const etag = `"${stored.get('revision')}"`;
    if (request.headers.get('If-None-Match') === etag) return new Response(null, { status: 304 });
    return new Response(stored.get('snapshot'), { headers: { ETag: etag } });
  }
}
