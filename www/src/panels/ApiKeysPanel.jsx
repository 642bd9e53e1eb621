import { Can } from 'orgwarden/react';
import { Badge, HiddenNote, Panel } from '../components/Panel.jsx';
import { ResourceActions } from '../components/ResourceActions.jsx';
import { useConsole } from '../console-context.js';
import { reasonOf, ruleOf } from '../decisions.js';

function KeyTable({ keys }) {
  if (keys.length === 0) return <p className="muted">No API keys.</p>;
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>Key</th>
          <th>Scopes</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((key) => (
          <tr key={key.id} data-testid={`apikey-${key.id}`} className={key.revoked ? 'revoked' : ''}>
            <td>
              <div>
                {key.name || key.id} {key.revoked ? <Badge text="revoked" /> : null}
              </div>
              <div className="muted small">{key.id}</div>
            </td>
            <td>
              {key.scopes.map((scope) => (
                <code className="scope" key={scope}>
                  {scope}
                </code>
              ))}
            </td>
            <td>
              <ResourceActions resource={{ type: 'ApiKey', id: key.id }} keyOf={(action) => `${action}-${key.id}`} item={key} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ApiKeysPanel() {
  const { me, org } = useConsole();
  return (
    <Panel id="apikeys" title="API keys">
      <Can principal={me} action="listApiKeys" resource={{ type: 'Organization', id: org.id }}>
        {(decision) => (decision.allowed ? <KeyTable keys={org.apiKeys ?? []} /> : <HiddenNote testid="hidden-keys" reason={reasonOf(decision)} rule={ruleOf(decision)} />)}
      </Can>
    </Panel>
  );
}
