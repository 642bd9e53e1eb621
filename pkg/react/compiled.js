// React bindings on the compiled runtime: `import { AuthorizerProvider, useCheck, Can } from
// 'orgwarden/compiled/react'`, the components and hooks of `orgwarden/react` (./bindings.js).
//
// The package's own name is imported, so the bindings share the instance, and the Authorizer
// class, with the application's `import ... from 'orgwarden/compiled'`. No entry of the compiled
// runtime initializes at import, Node's included: the first provider calls init() with its `wasm`
// (in Node, without one, the package's own compiled module) unless the application did already.
import init, { Authorizer, OrgwardenError, moduleStatus } from 'orgwarden/compiled';
import { reactBindings } from './bindings.js';

export const { AuthorizerProvider, Can, useAuthorizer, useAuthorizerState, useCheck, useAllowedActions, useMatrix, createBindings } = reactBindings(
  { init, Authorizer, OrgwardenError, moduleStatus },
  'orgwarden/compiled/react',
);
