// The package's API. The data types are generated from the Rust types (tsify, in the
// wasm-bindgen output ../dist/orgwarden.d.ts); the calls are declared here, where they are
// written (./authorizer.js).
import type {
  ActionInput,
  ActionValidation,
  Answer,
  AllowedResourcesAnswer,
  AuthorizerOptions,
  CedarEntity,
  Decision,
  Diagnostic,
  EntityRef,
  ErrorCode,
  Limits,
  LoadAnswer,
  MatrixAnswer,
  OrganizationRecord,
  PolicyInfo,
  PolicyListAnswer,
  PolicySource,
  SchemaListing,
  ScopeAnswer,
  Snapshot,
  SplitAnswer,
} from '../dist/orgwarden.js';
import type { Names as DefaultNames } from '../dist/names.js';

/** The names of the embedded schema: its actions and entity types (generated). */
export type { ActionName, EntityTypeName, Names as DefaultNames } from '../dist/names.js';

/**
 * The names a schema declares, as `orgwarden types <schema>` writes them: an authorizer typed
 * with them (`Authorizer<Names>`) refuses, at compile time, an action or entity type the schema
 * does not have, an entity type an action does not apply to, and a validateAction request
 * without the input its action needs. `Authorizer<SchemaNames>` takes any names.
 */
export interface SchemaNames {
  entityType: string;
  action: string;
  actions: { [action: string]: { principal: string; resource: string; input: string } };
}

/** What `subscribe` listeners get after a store change. */
export interface StoreChange<N extends SchemaNames = DefaultNames> {
  change: 'loadSnapshot' | 'loadEntities' | 'upsertEntities' | 'removeEntities';
  /** Entities in the store after the change. */
  entityCount: number;
  /** Module memory the store holds after the change (see Authorizer.storeBytes). */
  storeBytes: number;
  /** The entities `removeEntities` removed. */
  removed?: TypedEntityRef<N['entityType']>[];
}

/** A principal or resource of one of the given entity types. */
export interface TypedEntityRef<T extends string = string> {
  type: T;
  id: string;
}

type ActionTypes<N extends SchemaNames, A extends string> = A extends keyof N['actions'] ? N['actions'][A] : never;
/** The principal types an action applies to. */
export type PrincipalTypeOf<N extends SchemaNames, A extends string> = ActionTypes<N, A>['principal'];
/** The resource types an action applies to. */
export type ResourceTypeOf<N extends SchemaNames, A extends string> = ActionTypes<N, A>['resource'];
/** The fields of `input` that validateAction needs for an action. */
export type RequiredInputOf<N extends SchemaNames, A extends string> = ActionTypes<N, A>['input'];

/** A validateAction request for action `A`, with the input that action needs. */
export type ActionRequestOf<N extends SchemaNames, A extends N['action']> = {
  principal: TypedEntityRef<PrincipalTypeOf<N, A>>;
  action: A;
  resource: TypedEntityRef<ResourceTypeOf<N, A>>;
} & ([RequiredInputOf<N, A>] extends [never]
  ? { input?: ActionInput }
  : { input: ActionInput & { [K in RequiredInputOf<N, A> & keyof ActionInput]-?: NonNullable<ActionInput[K]> } });

export type {
  ActionInput,
  ActionOutcome,
  ActionRequest,
  ActionValidation,
  AlgorithmRecord,
  AllowedActions,
  AllowedActionsAnswer,
  AllowedResources,
  AllowedResourcesAnswer,
  Answer,
  ApiKeyRecord,
  AuthorizerOptions,
  BillingRecord,
  Cause,
  CedarEntity,
  Decision,
  Diagnostic,
  EngineOptions,
  EntityRef,
  ErrorCode,
  ErrorInfo,
  Failure,
  InvitationRecord,
  InvitationStatus,
  Limits,
  Loaded,
  LoadAnswer,
  Matrix,
  MatrixAnswer,
  MatrixCell,
  MatrixRow,
  MemberRecord,
  Notice,
  OrganizationRecord,
  OrgRole,
  ParticipantRecord,
  PolicyEffect,
  PolicyInfo,
  PolicyList,
  PolicyListAnswer,
  PolicySource,
  SchemaListing,
  ActionListing,
  ScopeAnswer,
  ScopedSnapshot,
  OrganizationSnapshot,
  SplitAnswer,
  SplitOrganizations,
  SecurityRecord,
  Snapshot,
  SourceLocation,
  TeamRecord,
  UserRecord,
  Verdict,
  VersionRecord,
  VersionStatus,
  Violation,
  WorkspaceRecord,
  WorkspaceRole,
} from '../dist/orgwarden.js';

/** What the constructor and the helpers throw: a machine-readable `code` and Cedar's diagnostics. */
export class OrgwardenError extends Error {
  readonly name: 'OrgwardenError';
  readonly code: ErrorCode;
  readonly diagnostics: Diagnostic[];
}

/**
 * A policy set, a schema and an entity store, held inside WebAssembly. Every method but the
 * constructor and the accessors answers a tagged value and never throws, whatever it is given.
 * Call `free()` (or declare it with `using`) when done with an authorizer you made per request.
 */
export class Authorizer<N extends SchemaNames = DefaultNames> {
  /** Throws an OrgwardenError on invalid options or policies. */
  constructor(options?: AuthorizerOptions);
  /**
   * Replaces the store with an organization snapshot (an object or its JSON text).
   * `maxEntities`: refuse (LIMIT_EXCEEDED), before anything is built, a snapshot that would
   * make the store hold more entities than that, counted as `entityCount` counts them.
   * `organization`: refuse (ORG_MISMATCH) a snapshot that does not describe that organization
   * alone (another one, several, none), as a store keyed by org id may hold by mistake. An
   * authorizer from `orgwarden/orgs` always requires its own org.
   */
  loadSnapshot(snapshot: Snapshot | string, options?: { maxEntities?: number; organization?: string }): LoadAnswer;
  /**
   * Replaces the store with raw Cedar entities (an array or its JSON text). Refused
   * (ORG_MISMATCH) on an authorizer from `orgwarden/orgs`, bound to its org.
   */
  loadEntities(entities: CedarEntity[] | string): LoadAnswer;
  /**
   * Adds or replaces the given Cedar entities; a refused update leaves the store as it was. On
   * an authorizer from `orgwarden/orgs`, an entity of another organization (another
   * `Organization`, an `org` that is not its own, a membership or org role whose id names
   * another org) is refused (ORG_MISMATCH).
   */
  upsertEntities(entities: CedarEntity[] | string): LoadAnswer;
  /** Removes the given entities; if one does not exist, removes none. */
  removeEntities(refs: TypedEntityRef<N['entityType']>[]): LoadAnswer;
  /** May `principal` do `action` on `resource`? Never throws: any failure is a tagged deny. */
  check<A extends N['action']>(
    principal: TypedEntityRef<PrincipalTypeOf<N, A>>,
    action: A,
    resource: TypedEntityRef<ResourceTypeOf<N, A>>,
    context?: Record<string, unknown> | null,
  ): Decision;
  /** `check(...).allowed`, without building the answer. Never throws. */
  isAllowed<A extends N['action']>(
    principal: TypedEntityRef<PrincipalTypeOf<N, A>>,
    action: A,
    resource: TypedEntityRef<ResourceTypeOf<N, A>>,
    context?: Record<string, unknown> | null,
  ): boolean;
  /** Every action that applies to this principal and resource, with its decision. */
  allowedActions(
    principal: TypedEntityRef<N['entityType']>,
    resource: TypedEntityRef<N['entityType']>,
  ): Answer<{ allowed: N['action'][]; outcomes: Array<{ action: N['action']; decision: Decision }> }>;
  /**
   * The ids of the resources of `resourceType` in the store on which `principal` may do
   * `action` (with no context), sorted; a type the action does not apply to fails to compile.
   * Never throws: an unknown principal, action or type is a tagged failure, as for `check`.
   */
  allowedResources<A extends N['action']>(
    principal: TypedEntityRef<PrincipalTypeOf<N, A>>,
    action: A,
    resourceType: ResourceTypeOf<N, A>,
  ): AllowedResourcesAnswer;
  /** A decision for each resource × action, in one call. */
  matrix(
    principal: TypedEntityRef<N['entityType']>,
    resources: TypedEntityRef<N['entityType']>[],
    actions: N['action'][],
  ): MatrixAnswer;
  /**
   * The snapshot for one user's browser: what `principal` may view, reduced to what their
   * decisions read, and checked to decide each of their checks on what it keeps as the full
   * snapshot does, with this authorizer's schema and policies. The store is neither read nor
   * changed. Never throws.
   */
  scopeSnapshot(snapshot: Snapshot | string, principal: TypedEntityRef<'User'>): ScopeAnswer;
  /** Is this concrete organization action valid now? Never throws. */
  validateAction<A extends N['action']>(request: ActionRequestOf<N, A>): ActionValidation;
  /** Every policy of the set with its id, rule, reason and effect. Throws AUTHORIZER_FREED after free(). */
  policies(): PolicyInfo[];
  /** The Cedar texts the policy set was built from. Throws AUTHORIZER_FREED after free(). */
  policySources(): PolicySource[];
  /** The schema in Cedar schema syntax. Throws AUTHORIZER_FREED after free(). */
  schemaText(): string;
  /** Every entity type and action of the schema, what `orgwarden types` generates names from. */
  schemaNames(): SchemaListing;
  /** Entities in the store, the schema's action entities included. Throws AUTHORIZER_FREED after free(). */
  entityCount(): number;
  /**
   * Bytes of module memory the store holds: what its loads and updates left allocated in the
   * module, as the module's allocator counts them; 0 before the first load. Read in JS,
   * without entering the module. Throws AUTHORIZER_FREED after free(), ENGINE_RESET once a
   * trap replaced the module (until a load rebuilds the store).
   */
  storeBytes(): number;
  /**
   * Calls `listener` after every store change that succeeded, so a UI can ask again what it
   * shows; returns the function that unsubscribes. Throws on a listener that is not a function.
   */
  subscribe(listener: (event: StoreChange<N>) => void): () => void;
  /** Releases the engine's memory now; later calls answer AUTHORIZER_FREED. Idempotent. */
  free(): void;
  [Symbol.dispose](): void;
}

/** Builds a policy set without keeping it: its policies, or Cedar's diagnostics. Never throws. */
export function validatePolicies(options?: AuthorizerOptions): PolicyListAnswer;
/**
 * A full snapshot split per organization, each with the users it references (its members,
 * collaborators, team members, participants, contributors, submitters and invitees): what the
 * keys of a multi-tenant store (`orgwarden/orgs`) hold. A request on an organization is
 * decided from its part as from the full snapshot; users it does not reference are unknown
 * there. Never throws: a failure holds the snapshot's own errors.
 */
export function splitOrganizations(snapshot: Snapshot | string): SplitAnswer;
/** The embedded default policy files. */
export function defaultPolicySources(): PolicySource[];
/** The embedded schema, in Cedar schema syntax. */
export function defaultSchema(): string;
/** A new organization record whose creator is its first owner (ORG-1). Throws on non-string arguments. */
export function newOrganization(id: string, name: string, creator: string): OrganizationRecord;
/** The id of the Membership entity of `user` in `org`. Throws on non-string arguments. */
export function membershipId(org: string, user: string): string;

/** The module instance: its memory (which never shrinks) and how often a trap replaced it. */
export interface ModuleStatus {
  ready: boolean;
  /** The module's memory: reserved, it grows and never shrinks. */
  memoryBytes: number;
  /** The bytes allocated in it now: in use; what is freed is reused before the memory grows. */
  heldBytes: number;
  resets: number;
  lastTrap: string | null;
}
export function moduleStatus(): ModuleStatus;
/** The input limits (src/limits.rs): what is refused as LIMIT_EXCEEDED before it is copied in. */
export function inputLimits(): Limits | null;

/**
 * The types of `orgwarden/orgs` (one authorizer per organization, loaded from a source at
 * request time), for code that names them beside the rest of the API. The functions are
 * imported from 'orgwarden/orgs'.
 */
export type {
  FetchSourceOptions,
  KVNamespaceLike,
  KVSourceOptions,
  OrgAnswer,
  OrgAuthorizers,
  OrgAuthorizersOptions,
  OrgAuthorizersStatus,
  OrgDecision,
  OrgError,
  OrgErrorCode,
  OrgSource,
  R2BucketLike,
  R2SourceOptions,
  ResidentOrg,
  SourceAnswer,
  SourceErrorCode,
} from './orgs.js';
