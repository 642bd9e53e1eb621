import { ActionButton } from '../components/ActionButton.jsx';
import { ItemList } from '../components/ItemList.jsx';
import { Badge, Panel } from '../components/Panel.jsx';
import { ResourceActions } from '../components/ResourceActions.jsx';
import { useConsole } from '../console-context.js';

function TeamCard({ team }) {
  const { displayUser, perform } = useConsole();
  const resource = { type: 'Team', id: team.id };
  return (
    <article className="card" data-testid={`team-${team.id}`}>
      <h3>
        {team.name || team.id} <span className="muted small">{team.id}</span>
      </h3>
      {team.complianceLabels?.length ? (
        <p>
          restricted to {team.complianceLabels.map((label) => <Badge key={label} text={label} kind="label" />)}
        </p>
      ) : null}
      <ul className="chips">
        {team.members.length ? (
          team.members.map((user) => (
            <li className="chip" key={user}>
              {displayUser(user)}{' '}
              <ActionButton
                resource={resource}
                action="removeTeamMember"
                testKey={`removeTeamMember-${team.id}-${user}`}
                onClick={() => perform({ action: 'removeTeamMember', resource, fields: { user }, label: `Remove ${user} from ${team.name || team.id}` })}
              />
            </li>
          ))
        ) : (
          <li className="muted">no members</li>
        )}
      </ul>
      <ResourceActions resource={resource} keyOf={(action) => `${action}-${team.id}`} item={team} />
    </article>
  );
}

export function TeamsPanel() {
  const { org } = useConsole();
  return (
    <Panel id="teams" title="Teams">
      <ItemList items={org.teams} type="Team" viewAction="viewTeam" hiddenTestid="hidden-teams" empty="No teams to show." render={(team) => <TeamCard key={team.id} team={team} />} />
    </Panel>
  );
}
