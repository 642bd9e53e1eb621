// The inline form of an action, open one at a time: the inputs validateAction requires for it
// (listed by the engine's schema), then the fields the change needs (./presentation.js). Test
// ids: form-<key>, input-<key>-<name>, submit-<key>, cancel-<key>.
import { useState } from 'react';
import { useConsole } from '../console-context.js';
import { ACTION_UI, INPUT_UI, labelOf } from '../presentation.js';
import { requiredInputs } from '../schema.js';

/** The form's fields: `{ name, label, type?, options?, value?, placeholder?, input }`. */
export function formFields(listing, action, item, context) {
  const inputs = requiredInputs(listing, action).map((name) => ({ label: name, ...INPUT_UI[name]?.(context), name, input: true }));
  const fields = (ACTION_UI[action]?.fields?.(item, context) ?? []).map((field) => ({ ...field, input: false }));
  return [...inputs, ...fields];
}

/** Does the action ask for anything before it is sent? */
export function needsForm(listing, action) {
  const ui = ACTION_UI[action] ?? {};
  return requiredInputs(listing, action).length > 0 || Boolean(ui.fields) || Boolean(ui.confirm);
}

const initialValue = (field) => {
  if (field.value !== undefined) return field.value;
  if (field.type === 'checkboxes') return [];
  if (field.type === 'checkbox') return false;
  if (field.type === 'select') return field.options[0]?.value ?? field.options[0] ?? '';
  return '';
};

function Control({ field, testid, value, onChange }) {
  if (field.type === 'select') {
    return (
      <select data-testid={testid} value={value} onChange={(e) => onChange(e.target.value)}>
        {field.options.map((o) => (typeof o === 'string' ? <option key={o} value={o}>{o}</option> : <option key={o.value} value={o.value}>{o.label}</option>))}
      </select>
    );
  }
  if (field.type === 'checkboxes') {
    const toggle = (option, on) => onChange(on ? [...value, option] : value.filter((v) => v !== option));
    return (
      <span className="checks" data-testid={testid}>
        {field.options.map((o) => (
          <label key={o} className="check">
            <input type="checkbox" checked={value.includes(o)} onChange={(e) => toggle(o, e.target.checked)} /> {o}
          </label>
        ))}
      </span>
    );
  }
  if (field.type === 'checkbox') return <input type="checkbox" data-testid={testid} checked={value} onChange={(e) => onChange(e.target.checked)} />;
  const number = field.type === 'number';
  return (
    <input
      type={number ? 'number' : 'text'}
      data-testid={testid}
      value={value}
      placeholder={field.placeholder}
      autoComplete="off"
      onChange={(e) => onChange(number ? Number(e.target.value) : e.target.value)}
    />
  );
}

export function ActionForm(props) {
  const { openForm } = useConsole();
  // Mounted only while open, so each opening starts from the fields' initial values.
  return openForm === props.formKey ? <OpenActionForm {...props} /> : null;
}

function OpenActionForm({ formKey, action, resource, item, context, label }) {
  const { listing, setOpenForm, perform, formContext } = useConsole();
  const fields = formFields(listing, action, item, { ...formContext, ...context });
  const [values, setValues] = useState(() => Object.fromEntries(fields.map((f) => [f.name, initialValue(f)])));
  const submit = (event) => {
    event.preventDefault();
    const pick = (input) => Object.fromEntries(fields.filter((f) => f.input === input).map((f) => [f.name, values[f.name]]));
    perform({ action, resource, input: pick(true), fields: pick(false), label });
  };
  const ui = ACTION_UI[action] ?? {};
  return (
    <form className="inline-form" data-testid={`form-${formKey}`} onSubmit={submit}>
      <div className="form-title">{ui.confirm ?? `${label ?? labelOf(action)}`}</div>
      <div className="form-fields">
        {fields.map((field) => (
          <label key={field.name} className="field">
            <span>{field.label}</span>
            <Control field={field} testid={`input-${formKey}-${field.name}`} value={values[field.name]} onChange={(v) => setValues((all) => ({ ...all, [field.name]: v }))} />
          </label>
        ))}
      </div>
      <div className="form-actions">
        <button type="submit" className={`btn ${ui.danger ? 'danger' : 'primary'}`} data-testid={`submit-${formKey}`}>
          {label ?? labelOf(action)}
        </button>
        <button type="button" className="btn ghost" data-testid={`cancel-${formKey}`} onClick={() => setOpenForm(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
