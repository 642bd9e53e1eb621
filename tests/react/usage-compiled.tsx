// Compiled with `tsc -p tests/react/tsconfig.json`: orgwarden/compiled/react has the typed
// components and hooks of orgwarden/react, and takes the Authorizer of 'orgwarden/compiled'.
// Each `@ts-expect-error` is a mistake that must fail to compile.
import type { ReactNode } from 'react';
import init, { Authorizer } from 'orgwarden/compiled';
import { AuthorizerProvider, Can, useCheck, type CheckState } from 'orgwarden/compiled/react';

const acme = { type: 'Organization', id: 'acme' } as const;

function Toolbar({ user }: { user: string }): ReactNode {
  const me = { type: 'User', id: user } as const;
  const remove: CheckState = useCheck(me, 'deleteOrganization', acme);
  // @ts-expect-error: a misspelled action
  useCheck(me, 'deleteOrganisation', acme);
  return (
    <Can principal={me} action="inviteMember" resource={acme} fallback={remove.reason ?? null}>
      <button>Invite</button>
    </Can>
  );
}

declare const compiledModuleUrl: string;

export async function compiledApp(): Promise<ReactNode> {
  await init(compiledModuleUrl);
  const authorizer = new Authorizer();
  return (
    <>
      <AuthorizerProvider authorizer={authorizer}>
        <Toolbar user="olivia" />
      </AuthorizerProvider>
      <AuthorizerProvider snapshot={{ users: [], organizations: [] }} wasm={compiledModuleUrl}>
        <Toolbar user="mia" />
      </AuthorizerProvider>
    </>
  );
}
