// The invitations the scoped snapshot holds: every one for those who may list them, else only
// the signed-in user's own (the server leaves the others out).
import { Can } from 'orgwarden/react';
import { Badge, HiddenNote, Panel } from '../components/Panel.jsx';
import { ResourceActions } from '../components/ResourceActions.jsx';
import { useConsole } from '../console-context.js';
import { reasonOf, ruleOf } from '../decisions.js';

function InvitationRow({ invitation }) {
  const { org, displayUser } = useConsole();
  return (
    <tr data-testid={`invitation-${invitation.id}`}>
      <td>
        {invitation.account ? displayUser(invitation.account) : invitation.email}{' '}
        <span className="muted small">{invitation.account ? 'by account' : 'by email'}</span>
      </td>
      <td>
        <Badge text={invitation.role} />
      </td>
      <td>
        <span className={`badge ${invitation.status}`} data-testid={`invitation-status-${invitation.id}`}>
          {invitation.status}
        </span>
      </td>
      <td>
        <ResourceActions
          resource={{ type: 'Invitation', id: invitation.id }}
          keyOf={(action) => `${action}-${invitation.id}`}
          item={invitation}
          context={{ termsVersion: org.termsVersion }}
        />
      </td>
    </tr>
  );
}

export function InvitationsPanel() {
  const { me, org } = useConsole();
  return (
    <Panel id="invitations" title="Invitations">
      {org.invitations.length ? (
        <table className="grid">
          <thead>
            <tr>
              <th>Invitee</th>
              <th>Role</th>
              <th>Status</th>
              <th>Actions</th>
            </tr>
          </thead>
          <tbody>
            {org.invitations.map((invitation) => (
              <InvitationRow key={invitation.id} invitation={invitation} />
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No invitations to show.</p>
      )}
      <Can principal={me} action="listInvitations" resource={{ type: 'Organization', id: org.id }}>
        {(decision) => (decision.allowed ? null : <HiddenNote testid="hidden-invitations" reason={reasonOf(decision)} rule={ruleOf(decision)} />)}
      </Can>
    </Panel>
  );
}
