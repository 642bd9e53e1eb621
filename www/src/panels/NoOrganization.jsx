// Shown when the signed-in user's snapshot holds no organization: an outsider's holds none of the
// orgs they do not belong to. Any signed-in user may create one (ORG-1).
import { ActionForm } from '../components/ActionForm.jsx';
import { Panel } from '../components/Panel.jsx';
import { ActionTrigger } from '../components/ResourceActions.jsx';

const PLATFORM = { type: 'Platform', id: 'platform' };

export function NoOrganization() {
  return (
    <Panel id="organization" title="No organization" wide>
      <p data-testid="no-organization">You belong to no organization; the server sends you none of the others.</p>
      <div className="actions">
        <ActionTrigger resource={PLATFORM} action="createOrganization" testKey="createOrganization" />
      </div>
      <ActionForm formKey="createOrganization" action="createOrganization" resource={PLATFORM} item={null} />
    </Panel>
  );
}
