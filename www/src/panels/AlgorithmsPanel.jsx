import { ItemList } from '../components/ItemList.jsx';
import { Badge, Panel } from '../components/Panel.jsx';
import { ResourceActions } from '../components/ResourceActions.jsx';
import { useConsole } from '../console-context.js';

function VersionRow({ version }) {
  const { displayUser } = useConsole();
  return (
    <tr data-testid={`version-${version.id}`}>
      <td>
        <b>{version.version}</b>
      </td>
      <td>
        <span data-testid={`status-${version.id}`} className={`badge ${version.status}`}>
          {version.status}
        </span>
      </td>
      <td>{displayUser(version.submitter)}</td>
      <td>
        <ResourceActions resource={{ type: 'AlgorithmVersion', id: version.id }} keyOf={(action) => `${action}-${version.id}`} item={version} />
      </td>
    </tr>
  );
}

function AlgorithmCard({ algorithm }) {
  const { org, displayUser } = useConsole();
  const workspace = org.workspaces.find((w) => w.id === algorithm.workspace);
  const published = algorithm.versions.some((v) => v.status === 'published');
  return (
    <article className="card algorithm" data-testid={`algorithm-${algorithm.id}`}>
      <div className="card-head">
        <h3>
          {algorithm.name || algorithm.id} <span className="muted small">in {workspace?.name || algorithm.workspace}</span>
        </h3>
        <span>
          {algorithm.public ? <Badge text="public" /> : <Badge text="private" />} {published ? <Badge text="published" /> : <Badge text="unpublished" kind="draft" />}
        </span>
      </div>
      <p className="muted small">contributors: {(algorithm.contributors ?? []).map(displayUser).join(', ') || 'none'}</p>
      <ResourceActions resource={{ type: 'Algorithm', id: algorithm.id }} keyOf={(action) => `${action}-${algorithm.id}`} item={algorithm} />
      {algorithm.versions.length ? (
        <table className="grid versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Status</th>
              <th>Submitter</th>
              <th>Review</th>
            </tr>
          </thead>
          <tbody>
            {algorithm.versions.map((version) => (
              <VersionRow key={version.id} version={version} />
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No versions yet.</p>
      )}
    </article>
  );
}

export function AlgorithmsPanel() {
  const { org } = useConsole();
  return (
    <Panel id="algorithms" title="Algorithms & approvals" wide>
      <ItemList
        items={org.algorithms}
        type="Algorithm"
        viewAction="viewAlgorithm"
        hiddenTestid="hidden-algorithms"
        empty="No algorithms to show."
        render={(algorithm) => <AlgorithmCard key={algorithm.id} algorithm={algorithm} />}
      />
    </Panel>
  );
}
