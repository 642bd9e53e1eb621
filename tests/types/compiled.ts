// The compiled runtime's declarations (`orgwarden/compiled`): its initializers, and the same
// typed API as the full package, so code moves between the two by changing the import.
import init, { initSync, Authorizer, validatePolicies, type Decision, type ErrorCode } from 'orgwarden/compiled';

await init();
await init(new URL('file:///srv/authz.wasm'));
await init(new Uint8Array(8));
initSync({ module: new Uint8Array(8) });
initSync({ module: './authz.wasm' });

const authz = new Authorizer();
const decision: Decision = authz.check({ type: 'User', id: 'olivia' }, 'viewBilling', { type: 'Organization', id: 'acme' });
if (decision.type === 'failure') {
  const code: ErrorCode = decision.errors[0].code;
  // The compiled runtime's refusal of policy text is one of the codes.
  const refusal: ErrorCode = 'COMPILED_RUNTIME';
  console.log(code, refusal);
}
console.log(validatePolicies({ policies: [] }).type);

// @ts-expect-error: no such action (the schema spells it deleteOrganization).
authz.check({ type: 'User', id: 'olivia' }, 'removeOrganization', { type: 'Organization', id: 'acme' });
