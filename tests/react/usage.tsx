// Compiled with `tsc -p tests/react/tsconfig.json` against the shipped declarations of
// orgwarden/react: the hooks and <Can> take only the schema's actions, and only the entity types
// an action applies to. Each `@ts-expect-error` is a mistake that must fail to compile.
import { Suspense, type ReactNode } from 'react';
import type { Authorizer, Decision, DefaultNames, SchemaNames, Snapshot, TypedEntityRef } from 'orgwarden';
import {
  AuthorizerProvider,
  Can,
  createBindings,
  useAllowedActions,
  useAuthorizer,
  useAuthorizerState,
  useCheck,
  useMatrix,
  type AuthorizerState,
  type CheckState,
} from 'orgwarden/react';

const acme: TypedEntityRef<'Organization'> = { type: 'Organization', id: 'acme' };

function Toolbar({ user }: { user: string }): ReactNode {
  const me: TypedEntityRef<'User'> = { type: 'User', id: user };
  const remove: CheckState = useCheck(me, 'deleteOrganization', acme);
  if (remove.type !== 'loading') {
    const decision: Decision = remove;
    void decision;
  }
  // @ts-expect-error: a misspelled action
  useCheck(me, 'deleteOrganisation', acme);
  // @ts-expect-error: a Team is not what deleteOrganization applies to
  useCheck(me, 'deleteOrganization', { type: 'Team', id: 'ml' });

  const actions = useAllowedActions(me, acme);
  const allowed: DefaultNames['action'][] = actions.type === 'success' ? actions.allowed : [];
  const matrix = useMatrix(me, [acme, { type: 'Workspace', id: 'research' }], ['viewOrganization', 'editWorkspace']);
  const rows = matrix.type === 'success' ? matrix.rows.length : 0;
  const authz: Authorizer | null = useAuthorizer();
  const state: AuthorizerState = useAuthorizerState();

  return (
    <section data-version={state.version} data-ready={authz !== null}>
      <button disabled={!remove.allowed} title={remove.reason}>
        Delete organization
      </button>
      <Can principal={me} action="deleteOrganization" resource={acme} showReason fallback={<span>no</span>}>
        <span>yes</span>
      </Can>
      <Can principal={me} action="viewBilling" resource={acme}>
        {(decision) => (decision.type === 'loading' ? '…' : decision.allowed ? 'billing' : decision.reason)}
      </Can>
      {/* @ts-expect-error: a misspelled action in <Can> */}
      <Can principal={me} action="deleteOrganisation" resource={acme} />
      <span>{allowed.join(',')}</span>
      <span>{rows}</span>
    </section>
  );
}

declare const snapshot: Snapshot;
declare function fetchSnapshot(request: { signal: AbortSignal }): Promise<Snapshot>;
declare const wasmUrl: string;

export function App(): ReactNode {
  return (
    <>
      <AuthorizerProvider snapshot={snapshot} fallback={<p>Loading…</p>} errorFallback={(error, retry) => <button onClick={retry}>{error.code ?? 'ERROR'}: {error.message}</button>}>
        <Toolbar user="olivia" />
      </AuthorizerProvider>
      <Suspense fallback={<p>Loading…</p>}>
        <AuthorizerProvider snapshot={fetchSnapshot} wasm={wasmUrl} options={{ includeDefaultPolicies: true }} suspense>
          <Toolbar user="mia" />
        </AuthorizerProvider>
      </Suspense>
      {/* @ts-expect-error: a snapshot is an object, its JSON text, or a promise or function of one */}
      <AuthorizerProvider snapshot={42} />
    </>
  );
}

// A schema of one's own: its generated names type the same components and hooks.
interface Names extends SchemaNames {
  entityType: 'User' | 'Document';
  action: 'read' | 'write';
  actions: {
    read: { principal: 'User'; resource: 'Document'; input: never };
    write: { principal: 'User'; resource: 'Document'; input: never };
  };
}
const docs = createBindings<Names>();
declare const custom: Authorizer<Names>;

function Editor(): ReactNode {
  const me = { type: 'User', id: 'ada' } as const;
  const doc = { type: 'Document', id: 'spec' } as const;
  const read = docs.useCheck(me, 'read', doc);
  // @ts-expect-error: not an action of this schema
  docs.useCheck(me, 'deleteOrganization', doc);
  const own: Authorizer<Names> | null = docs.useAuthorizer();
  void own;
  return (
    <docs.Can principal={me} action="write" resource={doc} fallback={read.allowed ? 'read only' : null}>
      <textarea />
    </docs.Can>
  );
}

export function CustomApp(): ReactNode {
  return (
    <docs.AuthorizerProvider authorizer={custom}>
      <Editor />
    </docs.AuthorizerProvider>
  );
}
