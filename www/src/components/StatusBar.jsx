import { useAuthorizer } from 'orgwarden/react';
import { useConsole } from '../console-context.js';
import { Badge } from './Panel.jsx';

/** What the browser's authorizer holds: its policies and the entities of the scoped snapshot. */
export function StatusBar() {
  const authorizer = useAuthorizer(); // re-renders on every store change
  const { viewer, displayUser, customPolicy, snapshot, org, setOrgId } = useConsole();
  return (
    <div className="statusbar">
      <span data-testid="status">{`orgwarden: ${authorizer.policies().length} policies, ${authorizer.entityCount()} entities`}</span>
      {customPolicy.active ? <Badge text="custom policy active" kind="custom" /> : null}
      <span className="muted">{` · signed in as ${displayUser(viewer)}`}</span>
      {snapshot.organizations.length > 1 ? (
        <label>
          Organization{' '}
          <select data-testid="org-select" value={org?.id} onChange={(e) => setOrgId(e.target.value)}>
            {snapshot.organizations.map((o) => (
              <option key={o.id} value={o.id}>
                {o.displayName || o.name}
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </div>
  );
}
