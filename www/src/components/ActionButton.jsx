// A button the engine gates: <Can> gives the signed-in user's decision for the action on the
// resource. Denied, it is disabled (unless "try denied actions" is on, to let the server refuse
// it) and shows why. Test ids: action-<testKey>, reason-<testKey>.
import { Can } from 'orgwarden/react';
import { useConsole } from '../console-context.js';
import { reasonOf, ruleOf } from '../decisions.js';
import { ACTION_UI, labelOf } from '../presentation.js';

export function ActionButton({ resource, action, testKey, label, onClick }) {
  const { me, tryDenied } = useConsole();
  const ui = ACTION_UI[action] ?? {};
  const kind = ui.danger ? 'danger' : ui.primary ? 'primary' : ui.label === '×' ? 'icon' : '';
  return (
    <Can principal={me} action={action} resource={resource}>
      {(decision) => {
        const rule = ruleOf(decision);
        const reason = reasonOf(decision);
        return (
          <span className="act">
            <button
              type="button"
              className={`btn ${kind} ${decision.allowed ? 'allowed' : 'denied'}`}
              data-testid={`action-${testKey}`}
              title={decision.allowed ? `Allowed${rule ? ` (${rule})` : ''}` : reason}
              disabled={!decision.allowed && !tryDenied}
              data-allowed={String(decision.allowed)}
              data-cause={decision.cause ?? 'error'}
              onClick={onClick}
            >
              {label ?? labelOf(action)}
            </button>
            {decision.allowed ? null : (
              <small className="why">
                {rule ? <b className="rule">{rule}</b> : null}{' '}
                <span className="reason" data-testid={`reason-${testKey}`}>
                  {reason}
                </span>
              </small>
            )}
          </span>
        );
      }}
    </Can>
  );
}
