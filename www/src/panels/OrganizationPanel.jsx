// The organization: its profile (or only its public name, ORG-4), and a button for every action
// the schema lists on an Organization, grouped for reading; an action no group names goes under "More".
import { Can } from 'orgwarden/react';
import { ActionForm } from '../components/ActionForm.jsx';
import { Badge, HiddenNote, Panel } from '../components/Panel.jsx';
import { ActionTrigger, buttonActions } from '../components/ResourceActions.jsx';
import { useConsole } from '../console-context.js';
import { reasonOf, ruleOf } from '../decisions.js';
import { ACTION_UI } from '../presentation.js';

function Profile({ org }) {
  return (
    <dl className="profile">
      <dt>Display name</dt>
      <dd data-testid="org-display-name">{org.displayName}</dd>
      <dt>Account name</dt>
      <dd data-testid="org-name">{org.name}</dd>
      <dt>Terms of Use</dt>
      <dd>{org.termsVersion || '—'}</dd>
      <dt>Security</dt>
      <dd>
        {org.security?.requireIndependentApproval !== false ? <Badge text="independent approval" kind="on" /> : <Badge text="self approval allowed" kind="off" />}{' '}
        {org.security?.requireMfa ? <Badge text="MFA required" kind="on" /> : null}{' '}
        {org.security?.enforcePasswordPolicy ? <Badge text="password policy" kind="on" /> : null}
      </dd>
    </dl>
  );
}

function PublicProfile({ org, decision }) {
  return (
    <div>
      <dl className="profile">
        <dt>Display name</dt>
        <dd data-testid="org-display-name">{org.displayName || org.name}</dd>
      </dl>
      <HiddenNote testid="hidden-profile" reason={`Public profile only: ${reasonOf(decision)}`} rule={ruleOf(decision)} />
    </div>
  );
}

/** The Organization actions with a button, by group, in the schema's order within each. */
function groupActions(actions) {
  const groups = new Map();
  for (const action of actions) {
    const group = ACTION_UI[action]?.group ?? 'More';
    groups.set(group, [...(groups.get(group) ?? []), action]);
  }
  return [...groups];
}

export function OrganizationPanel() {
  const { me, org, listing } = useConsole();
  const resource = { type: 'Organization', id: org.id };
  const actions = buttonActions(listing, 'Organization');
  return (
    <Panel id="organization" title={org.displayName || org.name} wide extra={<span className="muted">{`Organization::"${org.id}"`}</span>}>
      <div className="org-body">
        <Can principal={me} action="viewOrganization" resource={resource}>
          {(decision) => (decision.allowed ? <Profile org={org} /> : <PublicProfile org={org} decision={decision} />)}
        </Can>
        <div className="groups">
          {groupActions(actions).map(([group, names]) => (
            <div className="group" key={group}>
              <h3>{group}</h3>
              <div className="actions">
                {names.map((action) => (
                  <ActionTrigger key={action} resource={resource} action={action} testKey={action} />
                ))}
              </div>
            </div>
          ))}
        </div>
        {actions.map((action) => (
          <ActionForm key={action} formKey={action} action={action} resource={resource} item={org} />
        ))}
      </div>
    </Panel>
  );
}
