// The invitation form: by account name or by email, with the role offered. The button is gated
// by inviteMember; the server's validateAction checks the rest (MEM-1, MEM-2, ORG-3).
import { useState } from 'react';
import { ActionButton } from '../components/ActionButton.jsx';
import { useConsole } from '../console-context.js';

export function InviteForm() {
  const { org, perform, listing } = useConsole();
  const [by, setBy] = useState('account');
  const [invitee, setInvitee] = useState('');
  const [role, setRole] = useState('member');
  const resource = { type: 'Organization', id: org.id };
  const send = (event) => {
    event.preventDefault();
    perform({ action: 'inviteMember', resource, input: { role, [by]: invitee.trim() } });
  };
  return (
    <form className="invite" data-testid="invite-form" onSubmit={send}>
      <span className="label">Invite by</span>
      <select data-testid="invite-by" aria-label="Invite by" value={by} onChange={(e) => setBy(e.target.value)}>
        <option value="account">account name</option>
        <option value="email">email</option>
      </select>
      <input
        data-testid="invite-target"
        placeholder="nina or someone@example.com"
        aria-label="Invitee"
        autoComplete="off"
        value={invitee}
        onChange={(e) => setInvitee(e.target.value)}
      />
      as
      <select data-testid="invite-role" aria-label="Role offered" value={role} onChange={(e) => setRole(e.target.value)}>
        {listing.snapshotVocabulary.orgRoles.map((r) => <option key={r} value={r}>{r}</option>)}
      </select>
      <ActionButton resource={resource} action="inviteMember" testKey="inviteMember" onClick={send} />
    </form>
  );
}
