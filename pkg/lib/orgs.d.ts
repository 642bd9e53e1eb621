// `orgwarden/orgs`: one Authorizer per organization, loaded from a source at request time
// (./orgs.js, ./sources.js). The module must be initialized by the package's entry: import
// 'orgwarden' too (ready at import in Node, Deno and workerd; `await init()` in browsers).
import type { AuthorizerOptions, Decision, ErrorCode, Snapshot } from '../dist/orgwarden.js';
import type { Names as DefaultNames } from '../dist/names.js';
import type { Authorizer, PrincipalTypeOf, ResourceTypeOf, SchemaNames, TypedEntityRef } from './index.js';

/** The engine's error codes, and the registry's own: no such org, or the source failed. */
export type OrgErrorCode = ErrorCode | 'ORG_NOT_FOUND' | 'ORG_UNAVAILABLE' | 'ORG_TOO_LARGE';

/**
 * The codes a source may answer an error with; any other is answered to callers as
 * `ORG_UNAVAILABLE`, the code named in the message.
 */
export type SourceErrorCode = 'ORG_NOT_FOUND' | 'ORG_UNAVAILABLE' | 'ORG_TOO_LARGE' | 'LIMIT_EXCEEDED';

export interface OrgError {
  code: OrgErrorCode;
  message: string;
}

/** What a source answers for one organization. `null` is the same as `{ notFound: true }`. */
export type SourceAnswer =
  | {
      /** The org's snapshot: an object, or its JSON text (handed to the engine as it is). */
      snapshot: Snapshot | string;
      /** An ETag, a version field, a hash: what the source is given back to revalidate. */
      version?: string | null;
    }
  | { notModified: true }
  | { notFound: true }
  | { error: { code?: SourceErrorCode; message: string } }
  | null;

/**
 * Where organizations come from: called with the org id and the version held (null on a first
 * load); answers `{ notModified: true }` when that version is still current. May throw or
 * reject: that is ORG_UNAVAILABLE.
 */
export type OrgSource = (
  orgId: string,
  request: {
    version: string | null;
    /** The registry's maxSnapshotBytes: a source may refuse a larger snapshot (ORG_TOO_LARGE) before reading it whole. */
    maxSnapshotBytes: number;
  },
) => SourceAnswer | Promise<SourceAnswer>;

export interface OrgAuthorizersOptions {
  source: OrgSource;
  /** Options of every org's authorizer (custom policies, schema); parsed policies are shared. */
  authorizerOptions?: AuthorizerOptions;
  /** At most this many orgs resident; the least recently used is evicted (freed). Default: no limit. */
  maxOrgs?: number;
  /**
   * At most this many entities resident across orgs (each org counted by the `entityCount`
   * its load answered, the schema's action entities included); least recently used orgs are
   * evicted until it holds. An org larger than the whole budget is refused (LIMIT_EXCEEDED).
   * Default 50,000: at about 1.3 KiB of module memory an entity, near 70 MiB of module in all,
   * inside a 128 MB Workers isolate. `Infinity` for no limit.
   */
  maxEntities?: number;
  /**
   * At most this many bytes of module memory held by resident orgs' stores (each org counted by
   * its authorizer's `storeBytes()`: what its load and later updates left allocated, as the
   * module's allocator counts it); least recently used orgs are evicted until it holds. An org
   * whose store alone is larger is refused (LIMIT_EXCEEDED). The memory budget itself, where
   * maxEntities approximates it by a count. Freed stores' memory is reused; beside the stores,
   * the module holds its start (about 4 MiB) and a load's transient peak. Default 64 MiB, half
   * a 128 MB isolate (orgs of ~1,000 entities take about 2 KiB an entity, so 50,000 of them
   * would be 96 MiB: this binds first for them). `Infinity` for no limit.
   */
  maxStoreBytes?: number;
  /**
   * The largest snapshot an org may have, in bytes of JSON (an object is measured by its JSON
   * text). A larger one is refused (ORG_TOO_LARGE) before it is parsed or copied into the
   * module, and nothing else changes: other orgs stay as they were. kvSource, r2Source and
   * fetchSource refuse it before parsing (r2Source and fetchSource before reading past the
   * limit). Default 8 MiB, over twice an org of 50,000 entities.
   */
  maxSnapshotBytes?: number;
  /** A resident org is asked about again (with its version) after this long. Default 60,000. */
  revalidateAfterMs?: number;
  /**
   * After a refresh fails (the source is unavailable, or the new version is refused), the last
   * good version keeps answering, with `stale: true`, for this long. Default 0: deny at once.
   */
  serveStaleForMs?: number;
  /**
   * A source that has not answered after this long is ORG_UNAVAILABLE. Default 10,000. Each
   * time the source is asked: a load that asks twice (the version it sent was evicted
   * meanwhile) may take twice this, and its requests wait for it.
   */
  loadTimeoutMs?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** An org's authorizer, or why there is none. */
export type OrgAnswer<N extends SchemaNames = DefaultNames> =
  | {
      type: 'success';
      /**
       * Belongs to the registry: do not free() it or keep it past the request. Bound to this
       * org: `loadSnapshot` of another org, `upsertEntities` of another org's entities and
       * `loadEntities` answer `ORG_MISMATCH`.
       */
      authorizer: Authorizer<N>;
      version: string | null;
      /** The last good version, answering after a refresh failed (within serveStaleForMs). */
      stale: boolean;
      /** Why the refresh failed, when `stale`. */
      refreshError?: OrgError;
    }
  | { type: 'failure'; errors: OrgError[] };

/** What `withOrg`'s `use` answered on the org's authorizer, or why the org could not be used. */
export type OrgUseAnswer<T> =
  | {
      type: 'success';
      value: T;
      version: string | null;
      /** The last good version answered (within serveStaleForMs). */
      stale: boolean;
      /** Why the refresh failed, when `stale`. */
      refreshError?: OrgError;
    }
  | { type: 'failure'; errors: OrgError[] };

/** A check's answer: the engine's Decision, or a deny because the org could not be loaded. */
export type OrgDecision = Decision | { type: 'failure'; allowed: false; reason: string; errors: OrgError[] };

export interface ResidentOrg {
  orgId: string;
  version: string | null;
  entityCount: number;
  /** Module memory its store holds (Authorizer.storeBytes). */
  storeBytes: number;
  stale: boolean;
  /**
   * Since the source last confirmed (or gave) this version. Infinity when the clock has gone
   * back since: the age is unknown, and the org is due to be asked again.
   */
  ageMs: number;
}

export interface OrgAuthorizersStatus {
  /** Resident orgs and their entities. */
  orgs: number;
  entities: number;
  maxOrgs: number;
  maxEntities: number;
  /** Module memory the resident orgs' stores hold, and its budget. */
  storeBytes: number;
  maxStoreBytes: number;
  maxSnapshotBytes: number;
  /** Lookups answered by a resident org without asking the source. */
  hits: number;
  /** Lookups of an org that was not resident. */
  misses: number;
  /** Lookups that asked the source about a resident org (its version was due). */
  revalidations: number;
  /** Lookups that joined a load already under way instead of starting one. */
  coalesced: number;
  sourceCalls: number;
  /** Authorizers built (first loads, new versions, upserts). */
  builds: number;
  evictions: number;
  /** Lookups answered with a failure. */
  failures: number;
  /** Orgs remembered as not found or invalid until their next revalidation. */
  rememberedFailures: number;
  /** Loads under way. */
  loading: number;
  /** The module's memory (it never shrinks; freed authorizers' memory is reused). */
  memoryBytes: number;
  /** Least recently used first. */
  resident: ResidentOrg[];
}

export interface OrgAuthorizers<N extends SchemaNames = DefaultNames> {
  /**
   * The org's authorizer, loaded from the source if it is not resident or is due. Use it at
   * once: in a burst of more orgs than the budgets hold, another org's build may evict it
   * before its caller resumes (its calls then answer `AUTHORIZER_FREED`). `withOrg` and
   * `check` use the org before any other build, so this cannot happen to them. Never throws.
   */
  forOrg(orgId: string): Promise<OrgAnswer<N>>;
  /**
   * Runs `use(authorizer)` the moment the org's authorizer is ready (resident, or just loaded,
   * before any other org's build can evict it) and answers its value; `INVALID_REQUEST` if
   * `use` is not a function. A `use` that throws rejects with what it threw; otherwise never
   * throws. An async `use` is awaited, but only its part before its first `await` runs at
   * that moment.
   */
  withOrg<T>(orgId: string, use: (authorizer: Authorizer<N>) => T): Promise<OrgUseAnswer<Awaited<T>>>;
  /** `forOrg(orgId)` then `check`; an org that cannot be loaded denies with the error. Never throws. */
  check<A extends N['action']>(
    orgId: string,
    principal: TypedEntityRef<PrincipalTypeOf<N, A>>,
    action: A,
    resource: TypedEntityRef<ResourceTypeOf<N, A>>,
    context?: Record<string, unknown> | null,
  ): Promise<OrgDecision>;
  /** Loads `snapshot` as the org's current version now (e.g. after writing it to the source). */
  upsertOrganization(
    orgId: string,
    snapshot: Snapshot | string,
    version?: string | null,
  ): { type: 'success'; entityCount: number; version: string | null } | { type: 'failure'; errors: OrgError[] };
  /** Frees the org's authorizer and forgets it; true if it was resident. */
  removeOrganization(orgId: string): boolean;
  /** Frees every resident org. */
  clear(): void;
  status(): OrgAuthorizersStatus;
}

/** A registry of per-organization authorizers over `source`. Throws an OrgwardenError on invalid options. */
export function createOrgAuthorizers<N extends SchemaNames = DefaultNames>(options: OrgAuthorizersOptions): OrgAuthorizers<N>;

/** The part of a Cloudflare KV namespace binding that kvSource uses. */
export interface KVNamespaceLike {
  getWithMetadata(key: string, type: 'text'): Promise<{ value: string | null; metadata: unknown }>;
  getWithMetadata(key: string, options: { type: 'text'; cacheTtl?: number }): Promise<{ value: string | null; metadata: unknown }>;
}

export interface KVSourceOptions {
  /** The key of an org's snapshot. Default: the org id. */
  key?: (orgId: string) => string;
  /** Seconds KV may cache a value at the edge (at least 30). */
  cacheTtl?: number;
}

/**
 * Cloudflare KV: one key per org. Version: the value's metadata `version`, else a `version`
 * field in the JSON (`{ version, snapshot }`, or beside `users` and `organizations`), else the
 * text's SHA-256. A missing key is ORG_NOT_FOUND.
 */
export function kvSource(namespace: KVNamespaceLike, options?: KVSourceOptions): OrgSource;

/**
 * The part of a Cloudflare R2 bucket binding that r2Source uses: `get` answers an object with
 * its body (`text()`), or, when the `onlyIf` condition fails, its metadata alone.
 */
export interface R2BucketLike {
  get(
    key: string,
    options?: { onlyIf: { etagDoesNotMatch: string } },
  ): Promise<{ etag: string; size: number; body?: ReadableStream | null; text?(): Promise<string> } | null>;
}

export interface R2SourceOptions {
  /** The key of an org's snapshot object. Default: the org id. */
  key?: (orgId: string) => string;
}

/**
 * Cloudflare R2: one object per org. Version: the object's ETag; a version held is sent as
 * `onlyIf: { etagDoesNotMatch }`, so an unchanged org is not read again. A missing object is
 * ORG_NOT_FOUND; one over maxSnapshotBytes is refused by its size (ORG_TOO_LARGE), unread.
 */
export function r2Source(bucket: R2BucketLike, options?: R2SourceOptions): OrgSource;

export interface FetchSourceOptions {
  /** Replaces globalThis.fetch (a service binding's fetch, a mock). */
  fetch?: (input: string | URL, init: RequestInit) => Promise<Response>;
  /** Sent with every request (an Authorization header). */
  headers?: HeadersInit;
}

/**
 * HTTP: GET `url(orgId)` with If-None-Match. 304 is notModified, 404 and 410 ORG_NOT_FOUND,
 * anything else that is not 2xx ORG_UNAVAILABLE. Version: the ETag, else a `version` field in
 * the JSON, else the body's SHA-256.
 */
export function fetchSource(url: (orgId: string) => string | URL, options?: FetchSourceOptions): OrgSource;

/**
 * The part of a Cloudflare Durable Object namespace binding that durableObjectSource uses: an
 * object's id from its name, and its stub, whose `fetch` the object answers.
 */
export interface DurableObjectNamespaceLike<Id = unknown> {
  idFromName(name: string): Id;
  get(id: Id): { fetch(input: string, init: RequestInit): Promise<Response> };
}

export interface DurableObjectSourceOptions {
  /** The name of the object that holds an org's snapshot. Default: the org id (one object per org). */
  name?: (orgId: string) => string;
  /** Sent with every request to the object. */
  headers?: HeadersInit;
}

/**
 * Cloudflare Durable Objects: the object `name(orgId)` answers `GET https://orgwarden/orgs/<orgId>`
 * (the org id URI-encoded) as fetchSource's endpoint does: If-None-Match with the version held,
 * 304 notModified, 404 and 410 ORG_NOT_FOUND, anything else that is not 2xx ORG_UNAVAILABLE;
 * the version is the ETag, else as for fetchSource.
 */
export function durableObjectSource<Id>(namespace: DurableObjectNamespaceLike<Id>, options?: DurableObjectSourceOptions): OrgSource;
