// What the last request came to: the server's violations (with rule and code), notices, its
// sentence, or a report it sent for an allowed "view" action.
import { ReportTable } from './Panel.jsx';

export function Outcome({ outcome, onClose }) {
  if (!outcome) return null;
  return (
    <aside className={`outcome ${outcome.kind}`} data-testid="outcome" data-kind={outcome.kind} data-action={outcome.action ?? ''}>
      <button type="button" className="close" title="Dismiss" data-testid="outcome-close" onClick={onClose}>
        ×
      </button>
      <div className="outcome-title">{outcome.title}</div>
      {outcome.violations?.length ? (
        <ul className="violations">
          {outcome.violations.map((v, i) => (
            <li key={i} data-testid="violation" data-rule={v.rule ?? ''} data-code={v.code}>
              {v.rule ? <b className="rule">{v.rule}</b> : null} <span className="message">{v.message}</span> <code>{v.code}</code>
            </li>
          ))}
        </ul>
      ) : null}
      {outcome.lines?.map((line, i) => <p key={i}>{line}</p>)}
      {outcome.notices?.map((n, i) => (
        <p key={i} className="notice" data-testid="notice">
          <b className="rule">{n.rule}</b> {n.message}
        </p>
      ))}
      {outcome.report ? <ReportTable report={outcome.report} /> : null}
    </aside>
  );
}
