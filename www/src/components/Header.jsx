// The top bar: the build of the package the browser decides with, who the console is viewed as
// (each viewer gets their own scoped snapshot), the switch that lets denied buttons be clicked
// so the server refuses them, and the reset.
import { PACKAGE_NAME } from '../runtime.js';

export function Header({ viewers, viewer, onViewer, tryDenied, onTryDenied, onReset }) {
  return (
    <header className="topbar">
      <div className="brand">
        <span className="logo">◆</span> orgwarden <span className="muted">console</span>{' '}
        <code className="muted small" data-testid="runtime" title="The build of the package this page decides with">
          {PACKAGE_NAME}
        </code>
      </div>
      <label className="viewas">
        View as{' '}
        <select data-testid="view-as" value={viewer ?? ''} onChange={(e) => onViewer(e.target.value)}>
          {(viewers ?? []).map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
      </label>
      <label className="toggle" title="Let denied buttons be clicked, to see the server's validateAction refuse them">
        <input type="checkbox" data-testid="try-denied" checked={tryDenied} onChange={(e) => onTryDenied(e.target.checked)} /> try denied actions
      </label>
      <button type="button" className="btn ghost" data-testid="reset" onClick={onReset}>
        Reset
      </button>
    </header>
  );
}
