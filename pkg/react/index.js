// React bindings: `import { AuthorizerProvider, useCheck, Can } from 'orgwarden/react'`, on the
// full build (./bindings.js has the components and hooks; ./compiled.js binds the same ones to
// the compiled runtime).
//
// The package's own name is imported, not a relative path: bundlers resolve it to the browser
// entry (whose init() fetches the .wasm), Node to the Node entry (already initialized, for
// server rendering), so the bindings share the instance, and the Authorizer class, with the
// application's own `import ... from 'orgwarden'`.
import init, { Authorizer, OrgwardenError, moduleStatus } from 'orgwarden';
import { reactBindings } from './bindings.js';

export const { AuthorizerProvider, Can, useAuthorizer, useAuthorizerState, useCheck, useAllowedActions, useMatrix, createBindings } = reactBindings(
  { init, Authorizer, OrgwardenError, moduleStatus },
  'orgwarden/react',
);
