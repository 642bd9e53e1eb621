// A Cloudflare Worker that authorizes HTTP requests with the package's workerd entry.
// The policies and the organization are loaded once per isolate, not per request.
//   GET /authorize?user=<id>&action=<name>&type=<EntityType>&id=<entity id>
//   -> 200 {allowed: true, ...} or 403 {allowed: false, reason, ...}; 400 on a malformed query.
import { Authorizer } from '../../pkg/entries/workerd.js';
// A Text module: loadSnapshot takes the JSON text as it is.
import snapshot from '../fixtures/small-org.json';

const authz = new Authorizer();
const loaded = authz.loadSnapshot(snapshot);

export default {
  async fetch(request) {
    if (loaded.type !== 'success') {
      return Response.json({ allowed: false, errors: loaded.errors }, { status: 500 });
    }
    const query = new URL(request.url).searchParams;
    const [user, action, type, id] = ['user', 'action', 'type', 'id'].map((k) => query.get(k));
    if (!user || !action || !type || !id) {
      return Response.json({ allowed: false, reason: 'user, action, type and id are required' }, { status: 400 });
    }
    const decision = authz.check({ type: 'User', id: user }, action, { type, id });
    return Response.json(decision, { status: decision.allowed ? 200 : 403 });
  },
};
