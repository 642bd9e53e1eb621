// The members, when the signed-in user may view them (else why not), with their role controls,
// the membership actions the schema lists, and the invitation form.
import { useState } from 'react';
import { membershipId } from 'orgwarden';
import { Can } from 'orgwarden/react';
import { ActionButton } from '../components/ActionButton.jsx';
import { ActionForm } from '../components/ActionForm.jsx';
import { Badge, HiddenNote, Panel } from '../components/Panel.jsx';
import { ActionTrigger, ResourceActions } from '../components/ResourceActions.jsx';
import { useConsole } from '../console-context.js';
import { reasonOf, ruleOf } from '../decisions.js';
import { InviteForm } from './InviteForm.jsx';

/** A scoped snapshot keeps people the viewer may not see by id, with this placeholder email. */
const isRedacted = (email) => email.endsWith('@redacted.invalid');

function RoleChange({ membership, member }) {
  const { me, tryDenied, perform, listing } = useConsole();
  const [role, setRole] = useState(member.role);
  return (
    <Can principal={me} action="changeRole" resource={membership}>
      {(decision) => (
        <span className="role-change">
          <select
            data-testid={`role-select-${member.user}`}
            value={role}
            disabled={!decision.allowed && !tryDenied}
            aria-label={`New role for ${member.user}`}
            onChange={(e) => setRole(e.target.value)}
          >
            {listing.snapshotVocabulary.orgRoles.map((r) => <option key={r} value={r}>{r}</option>)}
          </select>
          <ActionButton
            resource={membership}
            action="changeRole"
            testKey={`changeRole-${member.user}`}
            onClick={() => perform({ action: 'changeRole', resource: membership, input: { newRole: role } })}
          />
        </span>
      )}
    </Can>
  );
}

function MemberRow({ member }) {
  const { org, viewer, userOf } = useConsole();
  const membership = { type: 'Membership', id: membershipId(org.id, member.user) };
  const user = userOf(member.user);
  const self = member.user === viewer;
  const orgRef = { type: 'Organization', id: org.id };
  return (
    <tr data-testid={`member-${member.user}`} className={self ? 'me' : ''}>
      <td>
        <div className="who">
          {user?.name || member.user} {self ? <Badge text="you" /> : null}
        </div>
        {user && !isRedacted(user.email) ? <div className="muted small">{user.email}</div> : null}
      </td>
      <td>
        <span data-testid={`role-${member.user}`} className={`badge ${member.role}`}>
          {member.role}
        </span>
      </td>
      <td>
        <div className="actions">
          <RoleChange key={member.role} membership={membership} member={member} />
          {self ? <ActionTrigger resource={orgRef} action="leaveOrganization" testKey="leaveOrganization" /> : null}
        </div>
        <ResourceActions resource={membership} keyOf={(action) => `${action}-${member.user}`} item={member} context={{ confirmationHint: user?.email }} />
        {self ? <ActionForm formKey="leaveOrganization" action="leaveOrganization" resource={orgRef} item={org} context={{ confirmationHint: org.name }} /> : null}
      </td>
    </tr>
  );
}

function MemberTable() {
  const { org } = useConsole();
  return (
    <table className="grid">
      <thead>
        <tr>
          <th>Member</th>
          <th>Role</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {org.members.map((member) => (
          <MemberRow key={member.user} member={member} />
        ))}
      </tbody>
    </table>
  );
}

export function MembersPanel() {
  const { me, org } = useConsole();
  return (
    <Panel id="members" title="Members" wide>
      <Can principal={me} action="viewMembers" resource={{ type: 'Organization', id: org.id }}>
        {(decision) => (decision.allowed ? <MemberTable /> : <HiddenNote testid="hidden-members" reason={reasonOf(decision)} rule={ruleOf(decision)} />)}
      </Can>
      <InviteForm />
    </Panel>
  );
}
