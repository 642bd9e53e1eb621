// Type-checked (tsc --noEmit, strict) against the installed package's declarations, under
// moduleResolution bundler, node16 and nodenext. Not run: the decision itself is asserted by
// the other consumers.
import init, {
  Authorizer,
  OrgwardenError,
  membershipId,
  moduleStatus,
  type ActionValidation,
  type ActionName,
  type Decision,
  type EntityRef,
  type SchemaNames,
  type TypedEntityRef,
  type ErrorCode,
  type LoadAnswer,
  type MatrixAnswer,
  type ModuleStatus,
  type Snapshot,
} from 'orgwarden';

await init();

const snapshot: Snapshot = {
  users: [
    { id: 'olivia', email: 'olivia@acme.test', mfaEnabled: true, passwordCompliant: true },
    { id: 'mia', email: 'mia@acme.test' },
  ],
  organizations: [
    {
      id: 'acme',
      name: 'acme',
      members: [
        { user: 'olivia', role: 'owner' },
        { user: 'mia', role: 'member' },
      ],
      billing: { creditBalance: 10, concurrentRunLimit: 2, activeRuns: 0 },
    },
  ],
};

const authz = new Authorizer();
const loaded: LoadAnswer = authz.loadSnapshot(snapshot);
if (loaded.type === 'failure') {
  const codes: ErrorCode[] = loaded.errors.map((e) => e.code);
  throw new Error(codes.join(', '));
}
const entityCount: number = loaded.entityCount;

const acme: TypedEntityRef<'Organization'> = { type: 'Organization', id: 'acme' };
const olivia: TypedEntityRef<'User'> = { type: 'User', id: 'olivia' };
const decision: Decision = authz.check(olivia, 'deleteOrganization', acme);
if (decision.type === 'success') {
  const cause: 'permitted' | 'forbidden' | 'notPermitted' = decision.cause;
  const rule: string | undefined = decision.policies[0]?.rule;
  void [cause, rule];
} else {
  const denied: false = decision.allowed;
  void denied;
}
const allowed: boolean = authz.isAllowed({ type: 'User', id: 'mia' }, 'viewBilling', acme);
const actions = authz.allowedActions(olivia, acme);
const names: ActionName[] = actions.type === 'success' ? actions.allowed : [];
const matrix: MatrixAnswer = authz.matrix(olivia, [acme], ['viewMembers', 'deleteOrganization']);
const validation: ActionValidation = authz.validateAction({
  principal: olivia,
  action: 'removeMember',
  resource: { type: 'Membership', id: membershipId('acme', 'mia') },
  input: { confirmation: 'mia@acme.test' },
});
// Names known only at run time go through an authorizer typed with any names.
const untyped: Authorizer<SchemaNames> = new Authorizer();
const fromQuery: EntityRef = { type: String('User'), id: 'olivia' };
const runtime: boolean = untyped.isAllowed(fromQuery, String('viewMembers'), acme);
const status: ModuleStatus = moduleStatus();

try {
  new Authorizer({ policies: [{ name: 'bad.cedar', text: 'permit (' }] });
} catch (error) {
  if (error instanceof OrgwardenError) {
    const code: ErrorCode = error.code;
    void code;
  }
}

// The declarations must stay precise, so these lines must be errors: if the package's types
// degrade to `any` (or its generated names go missing from the tarball), a directive itself
// becomes the error.
// @ts-expect-error a number is not an action
authz.check(olivia, 42, acme);
// @ts-expect-error no such action: the schema spells it deleteOrganization
authz.check(olivia, 'deleteOrganisation', acme);

export { entityCount, allowed, names, matrix, validation, runtime, status };
