// The buttons of one resource: every action the engine's schema lists on its type, but those the
// console shows another way (./presentation.js placements). An action that asks for input opens
// its form; any other is sent at once.
import { useConsole } from '../console-context.js';
import { ACTION_UI } from '../presentation.js';
import { actionsOn } from '../schema.js';
import { ActionButton } from './ActionButton.jsx';
import { ActionForm, needsForm } from './ActionForm.jsx';

/** The actions on `type` that get a button of their own, for filtering or grouping. */
export function buttonActions(listing, type) {
  return actionsOn(listing, type)
    .map((a) => a.name)
    .filter((name) => !ACTION_UI[name]?.placement);
}

/** A button for `action` on `resource`: opens the form `testKey`, or sends the action. */
export function ActionTrigger({ resource, action, testKey, label }) {
  const { listing, perform, openForm, setOpenForm } = useConsole();
  const onClick = needsForm(listing, action)
    ? () => setOpenForm(openForm === testKey ? null : testKey)
    : () => perform({ action, resource, label });
  return <ActionButton resource={resource} action={action} testKey={testKey} label={label} onClick={onClick} />;
}

/** `keyOf(action)`: the test key of the action's button and form; `item`/`context` feed the forms. */
export function ResourceActions({ resource, keyOf, item, context = {} }) {
  const { listing } = useConsole();
  const actions = buttonActions(listing, resource.type);
  return (
    <>
      <div className="actions">
        {actions.map((action) => (
          <ActionTrigger key={action} resource={resource} action={action} testKey={keyOf(action)} />
        ))}
      </div>
      {actions.map((action) => (
        <ActionForm key={action} formKey={keyOf(action)} action={action} resource={resource} item={item} context={context} />
      ))}
    </>
  );
}
