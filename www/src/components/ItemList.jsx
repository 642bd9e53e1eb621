// A panel's cards: the items the user may view, and a note on those hidden (./useVisible.js).
import { HiddenNote } from './Panel.jsx';
import { useVisible } from './useVisible.js';

export function ItemList({ items, type, viewAction, hiddenTestid, empty, render }) {
  const { shown, hidden } = useVisible(items, type, viewAction);
  return (
    <div className="cards">
      {shown.length ? shown.map(render) : <p className="muted">{empty}</p>}
      {hidden ? <HiddenNote testid={hiddenTestid} reason={`${hidden.count} hidden: ${hidden.reason}`} rule={hidden.rule} /> : null}
    </div>
  );
}
