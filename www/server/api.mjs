// The demo console's HTTP API, in front of one DemoOrganization:
//
//   GET  /api/viewers                     the accounts "view as" offers
//   GET  /api/org-snapshot?viewer=<id>    scopeSnapshot of the full organization for that user
//   GET  /api/policies                    the custom policies in force beside the defaults
//   POST /api/policies  {text | null}     validates and puts a custom policy in force (or removes it)
//   POST /api/actions   {viewer, action, resource, input?, fields?}
//                                          validateAction on the full organization, then the change
//   POST /api/reset                       back to the example organization
//
// The viewer is a parameter because "view as" is what the demo is for; a real server takes the
// signed-in user from its session and never from the request.
import { DemoOrganization } from './demo-organization.mjs';

const MAX_BODY_BYTES = 64 * 1024;

function json(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

/** The request's JSON body; rejects a body over MAX_BODY_BYTES or one that is not JSON. */
function readJson(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`a request body is at most ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('the request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * A request handler for the paths under /api/ over an organization started from `initial` (a
 * full snapshot). Answers 404 for any other path under /api/.
 */
export function createApi(initial) {
  const org = new DemoOrganization(initial);

  const routes = {
    'GET /api/viewers': () => [200, { viewers: org.viewers() }],
    'GET /api/org-snapshot': (url) => {
      const viewer = url.searchParams.get('viewer');
      if (!viewer) return [400, { errors: [{ code: 'INVALID_REQUEST', message: 'viewer is required' }] }];
      const answer = org.scopedSnapshot(viewer);
      if (answer.type === 'success') return [200, answer.snapshot];
      // Fail closed: a viewer the organization cannot scope for (unknown, say) gets nothing, not
      // even the messages: they are about the full organization and may quote what this viewer
      // may not see (another member's email, a billing figure). They stay in the server's log.
      console.error(`org-snapshot for ${JSON.stringify(viewer)} refused:`, answer.errors);
      return [403, { errors: answer.errors.map(({ code }) => ({ code })) }];
    },
    'GET /api/policies': () => [200, { policies: org.customPolicies() }],
    'POST /api/policies': async (url, req) => {
      const { text } = await readJson(req);
      const answer = org.setCustomPolicy(text ?? null);
      // A refused policy is an answer, like a refused action: the diagnostics are in the body.
      return [200, { ...answer, policies: org.customPolicies() }];
    },
    'POST /api/actions': async (url, req) => [200, org.perform(await readJson(req))],
    'POST /api/reset': () => {
      org.reset();
      return [200, { reset: true }];
    },
  };

  return async function handleApi(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const route = routes[`${req.method} ${url.pathname}`];
    if (!route) return json(res, 404, { errors: [{ code: 'NOT_FOUND', message: `no ${req.method} ${url.pathname}` }] });
    try {
      const [status, body] = await route(url, req);
      json(res, status, body);
    } catch (error) {
      json(res, 400, { errors: [{ code: 'INVALID_REQUEST', message: error.message }] });
    }
  };
}
