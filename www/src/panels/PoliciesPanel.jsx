// The policies the browser's authorizer holds (the server decides with the same), their Cedar
// sources and the schema, and a custom policy: the server validates it (validatePolicies) and
// puts it in force, and the console starts over with it. On the compiled runtime, which runs no
// policy text, the custom policy is not offered.
import { useAuthorizer } from 'orgwarden/react';
import { Badge, Panel } from '../components/Panel.jsx';
import { useConsole } from '../console-context.js';
import { PACKAGE_NAME, RUNS_POLICY_TEXT } from '../runtime.js';

export const CUSTOM_SOURCE = 'custom.cedar';

const EXAMPLE_POLICY = `// Members may look at the billing page too (try it as maya).
@id("custom-members-view-billing")
@rule("CUSTOM-1")
@reason("Only members can view billing")
@grant("Members may view billing")
permit (
  principal is User,
  action == Action::"viewBilling",
  resource is Organization
)
when { principal in resource.members };
`;

function PolicyList({ policies }) {
  return (
    <div className="policy-list" data-testid="policy-list">
      <table className="grid compact">
        <thead>
          <tr>
            <th>Effect</th>
            <th>Rule</th>
            <th>Policy id</th>
            <th>Reason</th>
            <th>Source</th>
          </tr>
        </thead>
        <tbody>
          {policies.map((p) => (
            <tr key={p.id} data-testid={`policy-${p.id}`}>
              <td>
                <Badge text={p.effect} />
              </td>
              <td>{p.rule ? <b className="rule">{p.rule}</b> : '—'}</td>
              <td>
                <code>{p.id}</code>
              </td>
              <td>{p.reason ?? ''}</td>
              <td className="muted small">{p.source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** In place of the editor on the compiled runtime: what it takes to try a custom policy. */
function CompiledPolicies() {
  return (
    <div className="custom" data-testid="custom-policy-compiled">
      <h3>Custom policy</h3>
      <p className="muted small">
        This page decides with {PACKAGE_NAME}: its policies were compiled into the module ahead of time (<code>npx orgwarden compile</code>), and it
        runs no policy text. A custom policy needs the console on the full package (<code>node scripts/build-demo.mjs</code>).
      </p>
    </div>
  );
}

function CustomPolicy() {
  const { customPolicy } = useConsole();
  const { active, draft, setDraft, errors, apply } = customPolicy;
  return (
    <div className="custom">
      <h3>Custom policy</h3>
      <p className="muted small">Added to the default policies as {CUSTOM_SOURCE}; the server checks it with validatePolicies against the schema (strict mode).</p>
      <textarea data-testid="custom-policy" rows={10} spellCheck="false" value={draft} onChange={(e) => setDraft(e.target.value)} />
      <div className="actions">
        <button type="button" className="btn primary" data-testid="custom-policy-apply" onClick={() => apply(draft)}>
          Validate & apply
        </button>
        <button type="button" className="btn ghost" data-testid="custom-policy-example" onClick={() => setDraft(EXAMPLE_POLICY)}>
          Example
        </button>
        {active ? (
          <button type="button" className="btn ghost" data-testid="custom-policy-remove" onClick={() => apply(null)}>
            Remove custom policy
          </button>
        ) : null}
      </div>
      {errors ? (
        <ul className="policy-errors" data-testid="custom-policy-errors">
          {errors.map((d, i) => (
            <li key={i}>
              {d.location ? <code className="loc">{`${d.location.source}:${d.location.line}:${d.location.column}`}</code> : null}{' '}
              <span className="message">{d.message}</span>
              {d.help ? <div className="help">help: {d.help}</div> : null}
            </li>
          ))}
        </ul>
      ) : null}
      {active ? (
        <p className="ok-note" data-testid="custom-policy-active">
          ✔ {CUSTOM_SOURCE} is active.
        </p>
      ) : null}
    </div>
  );
}

export function PoliciesPanel() {
  const authorizer = useAuthorizer();
  const policies = authorizer.policies();
  const sources = [...authorizer.policySources(), { name: 'schema.cedarschema', text: authorizer.schemaText() }];
  return (
    <Panel id="policies" title="Policies" wide extra={<span className="muted">{policies.length} policies</span>}>
      <div className="policies">
        <PolicyList policies={policies} />
        {RUNS_POLICY_TEXT ? <CustomPolicy /> : <CompiledPolicies />}
        <div className="sources">
          <h3>Cedar sources</h3>
          {sources.map((s) => (
            <details key={s.name} data-testid={`source-${s.name}`}>
              <summary>{s.name}</summary>
              <pre>{s.text}</pre>
            </details>
          ))}
        </div>
      </div>
    </Panel>
  );
}
