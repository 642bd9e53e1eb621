// orgwarden/react from the packed package, with React installed beside it and bundled by Vite (no
// plugin, no config): the provider calls the package's init(), which fetches the .wasm Vite
// emitted, loads the fixture, and <Can> renders only what the engine allows each user. The
// runner reads the page: #decisions appears once the provider is ready.
import { createRoot } from 'react-dom/client';
import { AuthorizerProvider, Can, useCheck } from 'orgwarden/react';
import snapshot from './small-org.json';

const ACME = { type: 'Organization', id: 'acme' };

function Toolbar({ user }) {
  const me = { type: 'User', id: user };
  const rename = useCheck(me, 'renameOrganization', ACME);
  return (
    <li data-user={user}>
      <Can principal={me} action="inviteMember" resource={ACME}>
        <button className="invite">Invite</button>
      </Can>
      <Can principal={me} action="deleteOrganization" resource={ACME} fallback={<span className="denied">denied</span>}>
        <button className="delete">Delete organization</button>
      </Can>
      <Can principal={me} action="viewBilling" resource={ACME} showReason>
        <button className="billing">Billing</button>
      </Can>
      <span className="rename" data-allowed={String(rename.allowed)} data-cause={rename.cause ?? rename.type} />
    </li>
  );
}

createRoot(document.getElementById('root')).render(
  <AuthorizerProvider snapshot={snapshot} fallback={<p id="loading">Loading…</p>} errorFallback={(error) => <pre id="error">{error.message}</pre>}>
    <ul id="decisions">
      {['olivia', 'adam', 'mia', 'mallory'].map((user) => (
        <Toolbar key={user} user={user} />
      ))}
    </ul>
  </AuthorizerProvider>,
);
