// What a program on the compiled runtime (`orgwarden/compiled`) reports beyond decide(): the
// decision that tests/consumers/compiled/policies/usage.cedar changes (denied by the default
// policies, allowed where it was compiled in), the policy sources the module was compiled
// from, and what each call that needs policy or schema text answers. Copied beside decide.js;
// the runner compares the report for the module the program initialized.
import { decide } from './decide.js';

/** The code of what `call` threw (an OrgwardenError's), or what else happened. */
function refusal(api, call) {
  try {
    call();
    return 'no error';
  } catch (error) {
    return error instanceof api.OrgwardenError ? error.code : `${error}`;
  }
}

/**
 * `api`: the namespace of 'orgwarden/compiled', initialized; `authz`: an authorizer the program
 * made (a new one otherwise), which gets the snapshot.
 */
export function compiledChecks(api, snapshot, authz = new api.Authorizer()) {
  const loaded = authz.loadSnapshot(snapshot);
  const usage = authz.check({ type: 'User', id: 'mia' }, 'viewUsage', { type: 'Organization', id: 'acme' });
  const policy = [{ name: 'extra.cedar', text: 'permit (principal, action, resource);' }];
  return {
    decisions: decide(api, snapshot),
    loaded: loaded.type,
    memberSeesUsage: { allowed: usage.allowed, cause: usage.cause, reason: usage.reason },
    sources: authz.policySources().map((source) => source.name),
    refused: {
      policies: refusal(api, () => new api.Authorizer({ policies: policy })),
      // Even the schema it was compiled with: no schema text is parsed at run time.
      schema: refusal(api, () => new api.Authorizer({ schema: authz.schemaText() })),
      validatePolicies: api.validatePolicies({ policies: policy }).errors?.[0]?.code ?? 'no error',
      defaultPolicySources: refusal(api, api.defaultPolicySources),
      defaultSchema: refusal(api, api.defaultSchema),
    },
  };
}
