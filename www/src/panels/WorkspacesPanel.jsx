import { ItemList } from '../components/ItemList.jsx';
import { Badge, Panel } from '../components/Panel.jsx';
import { ResourceActions } from '../components/ResourceActions.jsx';
import { useConsole } from '../console-context.js';

function WorkspaceCard({ workspace }) {
  const { org, displayUser } = useConsole();
  const teamName = (id) => org.teams.find((t) => t.id === id)?.name ?? id;
  return (
    <article className="card" data-testid={`workspace-${workspace.id}`}>
      <h3>
        {workspace.name || workspace.id} <span className="muted small">{workspace.id}</span>
      </h3>
      <ul className="chips">
        {workspace.participants.map((p) => (
          <li className="chip" key={p.team ? `team:${p.team}` : `user:${p.user}`}>
            {p.team ? `team ${teamName(p.team)}` : displayUser(p.user)} <Badge text={p.role} kind="ws" />
          </li>
        ))}
      </ul>
      <ResourceActions resource={{ type: 'Workspace', id: workspace.id }} keyOf={(action) => `${action}-${workspace.id}`} item={workspace} />
    </article>
  );
}

export function WorkspacesPanel() {
  const { org } = useConsole();
  return (
    <Panel id="workspaces" title="Workspaces">
      <ItemList
        items={org.workspaces}
        type="Workspace"
        viewAction="viewWorkspace"
        hiddenTestid="hidden-workspaces"
        empty="No workspaces to show."
        render={(workspace) => <WorkspaceCard key={workspace.id} workspace={workspace} />}
      />
    </Panel>
  );
}
