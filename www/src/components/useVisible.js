// Which of a panel's items the signed-in user may view, in one useMatrix call: the scoped
// snapshot can keep a record the user may not view (a workspace they hold a role in, by id), and
// the panel says why it is hidden.
import { useMatrix } from 'orgwarden/react';
import { useConsole } from '../console-context.js';
import { reasonOf } from '../decisions.js';

/** `{ shown, hidden: { count, reason, rule } | null }` for `items` (records with an id) of `type`. */
export function useVisible(items, type, viewAction) {
  const { me } = useConsole();
  const matrix = useMatrix(
    me,
    items.map((item) => ({ type, id: item.id })),
    [viewAction],
  );
  if (matrix.type !== 'success') {
    const reason = reasonOf(matrix);
    return { shown: [], hidden: items.length ? { count: items.length, reason, rule: null } : null };
  }
  const cells = matrix.rows.map((row) => row.cells[0]);
  const shown = items.filter((_, i) => cells[i]?.allowed);
  const firstHidden = cells.find((cell) => !cell.allowed);
  return {
    shown,
    hidden: firstHidden ? { count: items.length - shown.length, reason: firstHidden.reason, rule: firstHidden.rule } : null,
  };
}

