export function Panel({ id, title, wide = false, extra = null, children }) {
  return (
    <section className={`panel ${wide ? 'wide' : ''}`} id={id} data-testid={`panel-${id}`}>
      <header>
        <h2>{title}</h2>
        {extra}
      </header>
      {children}
    </section>
  );
}

export const Badge = ({ text, kind = text }) => <span className={`badge ${kind}`}>{text}</span>;

/** Why a part of the page is not shown: the engine's reason and rule. */
export function HiddenNote({ testid, reason, rule }) {
  return (
    <p className="hidden-note" data-testid={testid}>
      {'🔒 '}
      {rule ? <b className="rule">{rule}</b> : null} {reason}
    </p>
  );
}

export function ReportTable({ report }) {
  if (report.rows.length === 0) return <p>Nothing to show.</p>;
  return (
    <table className="mini">
      {report.caption ? <caption>{report.caption}</caption> : null}
      <thead>
        <tr>{report.headers.map((h) => <th key={h}>{h}</th>)}</tr>
      </thead>
      <tbody>
        {report.rows.map((row, i) => (
          <tr key={i}>{row.map((cell, j) => <td key={j}>{cell}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}
