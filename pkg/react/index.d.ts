// React bindings (./index.js, and ./compiled.js on the compiled runtime, whose ./compiled.d.ts
// re-exports these). Typed with the schema's generated names, as the Authorizer is: an action
// the schema does not have, or an entity type an action does not apply to, fails `tsc`.
// Everything is generic over `N extends SchemaNames = DefaultNames`; for your own schema's
// names, `createBindings<Names>()` gives the same components and hooks typed with them.
import type { ReactNode } from 'react';
import type {
  Authorizer,
  AuthorizerOptions,
  Decision,
  DefaultNames,
  ErrorInfo,
  MatrixAnswer,
  OrgwardenError,
  PrincipalTypeOf,
  ResourceTypeOf,
  SchemaNames,
  Snapshot,
  TypedEntityRef,
} from 'orgwarden';

/** A snapshot as `loadSnapshot` takes it: an object or its JSON text. */
export type SnapshotInput = Snapshot | string;

/**
 * What the provider loads: a snapshot, a promise of one, or a function that gives either (called
 * again on retry; `signal` aborts when the provider no longer needs its answer). It is reloaded
 * when the prop is another value, compared by identity: keep it stable (state, useMemo,
 * useCallback, a module constant).
 */
export type SnapshotSource =
  | SnapshotInput
  | PromiseLike<SnapshotInput>
  | ((request: { signal: AbortSignal }) => SnapshotInput | PromiseLike<SnapshotInput>);

/**
 * What `init()` takes: the `.wasm`'s URL, a Response, bytes or a compiled module (with
 * `orgwarden/compiled` in Node and Deno, also a path).
 */
export type WasmSource =
  | RequestInfo
  | URL
  | Response
  | BufferSource
  | WebAssembly.Module
  | Promise<RequestInfo | URL | Response | BufferSource | WebAssembly.Module>;

/**
 * The error the provider shows or throws: an `OrgwardenError` (`code`, `diagnostics`) for the
 * engine's refusals, with the refused load's `errors`; any other Error (init, your snapshot
 * function) as it came.
 */
export type AuthorizerError = Error & {
  code?: OrgwardenError['code'] | undefined;
  diagnostics?: OrgwardenError['diagnostics'] | undefined;
  errors?: ErrorInfo[] | undefined;
};

export interface AuthorizerProviderProps<N extends SchemaNames = DefaultNames> {
  /** Loaded into the authorizer; without it the authorizer is used as it is (empty, or as given). */
  snapshot?: SnapshotSource | undefined;
  /** Options of the Authorizer the provider makes; compared by value, a change makes a new one. */
  options?: AuthorizerOptions | null | undefined;
  /** An authorizer of yours to use instead (the snapshot, if any, is loaded into it); never freed here. */
  authorizer?: Authorizer<N> | null | undefined;
  /** Given to the first `init()` of the module (e.g. the URL of the `.wasm` a bundler emitted). */
  wasm?: WasmSource | undefined;
  /** Shown while loading (without `suspense`); if undefined, the children render and the hooks answer `loading`. */
  fallback?: ReactNode | undefined;
  /** Shown on a failure (init, options or snapshot); if undefined, the error is thrown to the nearest error boundary. */
  errorFallback?: ReactNode | ((error: AuthorizerError, retry: () => void) => ReactNode) | undefined;
  /** The hooks below suspend (to the nearest `<Suspense>`) until the authorizer is ready. */
  suspense?: boolean | undefined;
  children?: ReactNode | undefined;
}

/** The provider's state: what `useAuthorizerState()` answers. `version` counts its changes. */
export type AuthorizerState<N extends SchemaNames = DefaultNames> =
  | { status: 'loading'; authorizer: Authorizer<N> | null; error: null; version: number }
  | { status: 'ready'; authorizer: Authorizer<N>; error: null; version: number }
  | { status: 'error'; authorizer: Authorizer<N> | null; error: AuthorizerError; version: number };

/** What the hooks answer before the authorizer is ready: denied, no action, no cell. */
export interface LoadingDecision {
  type: 'loading';
  allowed: false;
  reason?: undefined;
}
export type CheckState = Decision | LoadingDecision;

export type AllowedActionsState<N extends SchemaNames = DefaultNames> =
  | { type: 'success'; allowed: N['action'][]; outcomes: Array<{ action: N['action']; decision: Decision }> }
  | { type: 'failure'; errors: ErrorInfo[] }
  | { type: 'loading'; allowed: readonly []; outcomes: readonly [] };

export type MatrixState = MatrixAnswer | { type: 'loading'; actions: readonly []; rows: readonly [] };

export interface CanProps<N extends SchemaNames = DefaultNames, A extends N['action'] = N['action']> {
  principal: TypedEntityRef<PrincipalTypeOf<N, A>>;
  action: A;
  resource: TypedEntityRef<ResourceTypeOf<N, A>>;
  context?: Record<string, unknown> | null | undefined;
  /** Rendered when denied (default: nothing). */
  fallback?: ReactNode | undefined;
  /** When denied, render the decision's `reason` instead of `fallback`. */
  showReason?: boolean | undefined;
  /** Rendered while the authorizer is not ready (default: nothing). */
  loading?: ReactNode | undefined;
  /** Rendered when allowed; a function gets the decision (the loading one too) and decides. */
  children?: ReactNode | ((decision: CheckState) => ReactNode) | undefined;
}

/** The components and hooks, typed with the names `N`. */
export interface ReactBindings<N extends SchemaNames = DefaultNames> {
  AuthorizerProvider(props: AuthorizerProviderProps<N>): ReactNode;
  Can<A extends N['action']>(props: CanProps<N, A>): ReactNode;
  useAuthorizer(): Authorizer<N> | null;
  useAuthorizerState(): AuthorizerState<N>;
  useCheck<A extends N['action']>(
    principal: TypedEntityRef<PrincipalTypeOf<N, A>>,
    action: A,
    resource: TypedEntityRef<ResourceTypeOf<N, A>>,
    context?: Record<string, unknown> | null,
  ): CheckState;
  useAllowedActions(principal: TypedEntityRef<N['entityType']>, resource: TypedEntityRef<N['entityType']>): AllowedActionsState<N>;
  useMatrix(principal: TypedEntityRef<N['entityType']>, resources: TypedEntityRef<N['entityType']>[], actions: N['action'][]): MatrixState;
}

/**
 * Initializes the module, makes (or takes) the authorizer, loads the snapshot and gives the
 * hooks below it the authorizer; frees the authorizer it made when it unmounts.
 */
export function AuthorizerProvider<N extends SchemaNames = DefaultNames>(props: AuthorizerProviderProps<N>): ReactNode;

/** Renders `children` when allowed, else `fallback` (or the reason, with `showReason`). */
export function Can<N extends SchemaNames = DefaultNames, A extends N['action'] = N['action']>(props: CanProps<N, A>): ReactNode;

/** The provider's authorizer once ready, else null (with `suspense`, suspends instead). */
export function useAuthorizer<N extends SchemaNames = DefaultNames>(): Authorizer<N> | null;

/** The provider's status, authorizer, error and version; never suspends. */
export function useAuthorizerState<N extends SchemaNames = DefaultNames>(): AuthorizerState<N>;

/** `check(...)`, memoized per store version and argument value. */
export function useCheck<N extends SchemaNames = DefaultNames, A extends N['action'] = N['action']>(
  principal: TypedEntityRef<PrincipalTypeOf<N, A>>,
  action: A,
  resource: TypedEntityRef<ResourceTypeOf<N, A>>,
  context?: Record<string, unknown> | null,
): CheckState;

/** `allowedActions(...)`, memoized per store version and argument value. */
export function useAllowedActions<N extends SchemaNames = DefaultNames>(
  principal: TypedEntityRef<N['entityType']>,
  resource: TypedEntityRef<N['entityType']>,
): AllowedActionsState<N>;

/** `matrix(...)`, memoized per store version and argument value. */
export function useMatrix<N extends SchemaNames = DefaultNames>(
  principal: TypedEntityRef<N['entityType']>,
  resources: TypedEntityRef<N['entityType']>[],
  actions: N['action'][],
): MatrixState;

/** This module's components and hooks, typed with your schema's names (`orgwarden types`). */
export function createBindings<N extends SchemaNames = DefaultNames>(): ReactBindings<N>;
