// The package's API. The data types are generated from the Rust types (tsify, in the
// wasm-bindgen output ../dist/orgwarden.d.ts); the calls are declared here, where they are
// written (./authorizer.js).
import type {
  ActionRequest,
  ActionValidation,
  AllowedActionsAnswer,
  AuthorizerOptions,
  CedarEntity,
  Decision,
  Diagnostic,
  EntityRef,
  ErrorCode,
  LoadAnswer,
  MatrixAnswer,
  OrganizationRecord,
  PolicyInfo,
  PolicyListAnswer,
  PolicySource,
  Snapshot,
} from '../dist/orgwarden.js';

export type {
  ActionInput,
  ActionOutcome,
  ActionRequest,
  ActionValidation,
  AlgorithmRecord,
  AllowedActions,
  AllowedActionsAnswer,
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

// `Symbol.dispose` for `using`, declared the way @types/node declares it, so that projects
// whose `lib` lacks esnext.disposable still compile these declarations.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

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
export class Authorizer {
  /** Throws an OrgwardenError on invalid options or policies. */
  constructor(options?: AuthorizerOptions);
  /** Replaces the store with an organization snapshot (an object or its JSON text). */
  loadSnapshot(snapshot: Snapshot | string): LoadAnswer;
  /** Replaces the store with raw Cedar entities (an array or its JSON text). */
  loadEntities(entities: CedarEntity[] | string): LoadAnswer;
  /** Adds or replaces the given Cedar entities; a refused update leaves the store as it was. */
  upsertEntities(entities: CedarEntity[] | string): LoadAnswer;
  /** Removes the given entities; if one does not exist, removes none. */
  removeEntities(refs: EntityRef[]): LoadAnswer;
  /** May `principal` do `action` on `resource`? Never throws: any failure is a tagged deny. */
  check(principal: EntityRef, action: string, resource: EntityRef, context?: Record<string, unknown> | null): Decision;
  /** `check(...).allowed`, without building the answer. Never throws. */
  isAllowed(principal: EntityRef, action: string, resource: EntityRef, context?: Record<string, unknown> | null): boolean;
  /** Every action that applies to this principal and resource, with its decision. */
  allowedActions(principal: EntityRef, resource: EntityRef): AllowedActionsAnswer;
  /** A decision for each resource × action, in one call. */
  matrix(principal: EntityRef, resources: EntityRef[], actions: string[]): MatrixAnswer;
  /** Is this concrete organization action valid now? Never throws. */
  validateAction(request: ActionRequest): ActionValidation;
  /** Every policy of the set with its id, rule, reason and effect. Throws AUTHORIZER_FREED after free(). */
  policies(): PolicyInfo[];
  /** The Cedar texts the policy set was built from. Throws AUTHORIZER_FREED after free(). */
  policySources(): PolicySource[];
  /** The schema in Cedar schema syntax. Throws AUTHORIZER_FREED after free(). */
  schemaText(): string;
  /** Entities in the store, the schema's action entities included. Throws AUTHORIZER_FREED after free(). */
  entityCount(): number;
  /** Releases the engine's memory now; later calls answer AUTHORIZER_FREED. Idempotent. */
  free(): void;
  [Symbol.dispose](): void;
}

/** Builds a policy set without keeping it: its policies, or Cedar's diagnostics. Never throws. */
export function validatePolicies(options?: AuthorizerOptions): PolicyListAnswer;
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
  memoryBytes: number;
  resets: number;
  lastTrap: string | null;
}
export function moduleStatus(): ModuleStatus;
