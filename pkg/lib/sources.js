// Ready-made sources for createOrgAuthorizers (./orgs.js): where an organization's snapshot
// comes from at request time. A source is `(orgId, { version, maxSnapshotBytes }) => answer`,
// where `version` is the version already held (or null), `maxSnapshotBytes` the registry's size
// limit (a source may refuse a larger snapshot before reading or parsing it: ORG_TOO_LARGE),
// and the answer is one of
//   { snapshot, version }   the org's snapshot (an object or its JSON text) and its version
//   { notModified: true }   the version held is still the current one
//   { notFound: true }      no such organization (null means the same)
//   { error: { code?, message } }   the source failed (ORG_UNAVAILABLE unless a code is given)
// Nothing here uses a Node built-in: these run in Node, Deno, workerd and browsers.
import { OrgwardenError } from './authorizer.js';
import { inputLimits } from './module.js';
import { errorText, exceedsBytes, withoutByteOrderMark } from './arguments.js';

const unavailable = (message) => ({ error: { code: 'ORG_UNAVAILABLE', message } });

/**
 * Refuses (INVALID_REQUEST with `message`) what is not an object with each of `methods`: a
 * platform binding (a KV namespace, an R2 bucket, a Durable Object namespace).
 */
function binding(value, methods, message) {
  if (value === null || typeof value !== 'object' || methods.some((method) => typeof value[method] !== 'function')) {
    throw new OrgwardenError('INVALID_REQUEST', message);
  }
}

/** Refuses (INVALID_REQUEST with `message`) a source's option that must be a function and is not. */
function functionOption(value, message) {
  if (typeof value !== 'function') throw new OrgwardenError('INVALID_REQUEST', message);
}

/** A version as a string, or null for none (numbers are accepted and written as strings). */
function versionText(value) {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/**
 * A content version for a text that came without one: its SHA-256, where the runtime has
 * WebCrypto (Node, Deno, workerd, browsers in a secure context); else none, and the org is
 * rebuilt at every revalidation.
 */
async function contentVersion(text) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  try {
    const digest = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(text)));
    let hex = '';
    for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
    return `sha256:${hex}`;
  } catch {
    return null;
  }
}

/**
 * The answer for a stored text: with a version from outside the text (KV metadata, an ETag)
 * the text goes to the engine as it is. Without one, the text is read here for a top-level
 * `version`: `{ "version": "v7", "snapshot": {…} }`, or a snapshot with a `version` field
 * beside `users` and `organizations` (removed before loading, as the engine refuses unknown
 * fields). Without either, the version is the text's SHA-256. A byte-order mark before the
 * text (a file saved by some editors, then stored as it was) is dropped first.
 */
export async function answerForText(stored, outsideVersion, known, maxBytes = Infinity) {
  const text = withoutByteOrderMark(stored);
  if (outsideVersion !== null) {
    return known !== null && outsideVersion === known ? { notModified: true } : { snapshot: text, version: outsideVersion };
  }
  const limits = inputLimits();
  // An oversized text goes on unparsed, versioned by its hash: the registry refuses it by its
  // size (ORG_TOO_LARGE), or the engine by its length (LIMIT_EXCEEDED), and an unchanged one
  // is not read again until it changes.
  if (!exceedsBytes(text, Math.min(limits?.maxJsonBytes ?? Infinity, maxBytes))) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined; // not JSON: the engine says so (INVALID_JSON)
    }
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) && Object.hasOwn(parsed, 'version')) {
      const inside = versionText(parsed.version);
      if (inside !== null) {
        if (known !== null && inside === known) return { notModified: true };
        let snapshot;
        if (Object.hasOwn(parsed, 'snapshot')) {
          snapshot = parsed.snapshot;
        } else {
          const { version: _version, ...rest } = parsed;
          snapshot = rest;
        }
        return { snapshot, version: inside };
      }
    }
  }
  const hashed = await contentVersion(text);
  if (hashed !== null && known !== null && hashed === known) return { notModified: true };
  return { snapshot: text, version: hashed };
}

/**
 * A Cloudflare KV namespace as a source: one key per organization (`key(orgId)`, the org id
 * itself by default), read with `getWithMetadata(key, 'text')`. The version is the value's
 * metadata `version` (written with `put(key, json, { metadata: { version } })`), else a
 * `version` field in the JSON, else the text's SHA-256. A missing key is ORG_NOT_FOUND.
 * `cacheTtl` (seconds, at least 30) is passed to KV when given.
 */
export function kvSource(namespace, options = {}) {
  binding(namespace, ['getWithMetadata'], 'kvSource needs a KV namespace binding (an object with getWithMetadata)');
  const { key = (orgId) => orgId, cacheTtl } = options ?? {};
  functionOption(key, 'kvSource: `key` must be a function (orgId) => string');
  const type = cacheTtl === undefined ? 'text' : { type: 'text', cacheTtl };
  return async (orgId, { version = null, maxSnapshotBytes = Infinity } = {}) => {
    const name = key(orgId);
    if (typeof name !== 'string' || name === '') {
      return unavailable(`kvSource: key(${JSON.stringify(orgId)}) is not a non-empty string`);
    }
    const found = await namespace.getWithMetadata(name, type);
    const value = found?.value;
    if (value === null || value === undefined) return { notFound: true };
    if (typeof value !== 'string') return unavailable(`kvSource: the value of key ${JSON.stringify(name)} is not text`);
    return answerForText(value, versionText(found?.metadata?.version), version, maxSnapshotBytes);
  };
}

/**
 * A Cloudflare R2 bucket as a source: one object per organization (`key(orgId)`, the org id
 * itself by default). The version is the object's ETag: holding one, the source asks R2 for the
 * object only if its ETag differs (`onlyIf: { etagDoesNotMatch }`), so an unchanged org costs
 * one request and no body. A missing object is ORG_NOT_FOUND; an object larger than the
 * registry's maxSnapshotBytes is refused by its size before its body is read (ORG_TOO_LARGE).
 */
export function r2Source(bucket, options = {}) {
  binding(bucket, ['get'], 'r2Source needs an R2 bucket binding (an object with get)');
  const { key = (orgId) => orgId } = options ?? {};
  functionOption(key, 'r2Source: `key` must be a function (orgId) => string');
  return async (orgId, { version = null, maxSnapshotBytes = Infinity } = {}) => {
    const name = key(orgId);
    if (typeof name !== 'string' || name === '') {
      return unavailable(`r2Source: key(${JSON.stringify(orgId)}) is not a non-empty string`);
    }
    let object;
    try {
      object = await bucket.get(name, version !== null ? { onlyIf: { etagDoesNotMatch: version } } : undefined);
    } catch (error) {
      return unavailable(`r2Source: reading ${JSON.stringify(name)} failed: ${errorText(error)}`);
    }
    if (object === null || object === undefined) return { notFound: true };
    const etag = versionText(object.etag);
    // R2 answers a failed condition with the object's metadata and no body (an R2Object, which
    // has no `text()`, not an R2ObjectBody): the ETag held is current. `body` is not looked at
    // before `text()`: on a proxied binding, even asking for it starts the stream.
    if (typeof object.text !== 'function') {
      return version !== null && etag === version ? { notModified: true } : unavailable(`r2Source: ${JSON.stringify(name)} came without a body`);
    }
    const size = Number(object.size);
    const limits = inputLimits();
    const tooLarge = Number.isFinite(size) && size > maxSnapshotBytes;
    if (tooLarge || (limits && Number.isFinite(size) && size > limits.maxJsonBytes)) {
      try {
        await object.body?.cancel();
      } catch {
        // nothing to release
      }
      return tooLarge
        ? { error: { code: 'ORG_TOO_LARGE', message: `r2Source: ${JSON.stringify(name)} (${size} bytes) is larger than maxSnapshotBytes (${maxSnapshotBytes})` } }
        : { error: { code: 'LIMIT_EXCEEDED', message: `r2Source: ${JSON.stringify(name)} (${size} bytes) exceeds the limit of ${limits.maxJsonBytes}` } };
    }
    let text;
    try {
      text = await object.text();
    } catch (error) {
      return unavailable(`r2Source: reading the body of ${JSON.stringify(name)} failed: ${errorText(error)}`);
    }
    if (typeof text !== 'string') return unavailable(`r2Source: the body of ${JSON.stringify(name)} is not text`);
    return answerForText(text, etag, version, maxSnapshotBytes);
  };
}

/**
 * An HTTP endpoint as a source: GET `url(orgId)`, sending `If-None-Match` with the version
 * held. 304 is notModified, 404 and 410 are ORG_NOT_FOUND, any other failure (a status that
 * is not 2xx, a network error) is ORG_UNAVAILABLE. The version is the response's ETag, else a
 * `version` field in the JSON, else the body's SHA-256. `fetch` replaces globalThis.fetch
 * (a service binding's `fetch`, a mock); `headers` are sent with every request.
 */
export function fetchSource(url, options = {}) {
  functionOption(url, 'fetchSource needs a function (orgId) => URL');
  const { fetch: fetchOption, headers } = options ?? {};
  if (fetchOption !== undefined) functionOption(fetchOption, 'fetchSource: `fetch` must be a function');
  // workerd refuses a `fetch` called on another `this` ("Illegal invocation").
  const doFetch = fetchOption ?? ((input, init) => globalThis.fetch(input, init));
  return responseSource(headers, (orgId) => {
    const target = url(orgId);
    return { label: `GET ${String(target)}`, send: (init) => doFetch(target, init) };
  });
}

/**
 * A Cloudflare Durable Object namespace as a source: the object named `name(orgId)` (the org id
 * itself by default, one object per org) answers `GET https://orgwarden/orgs/<orgId>` through
 * its stub's `fetch`, with the same protocol as fetchSource: If-None-Match with the version
 * held, 304 not modified, 404 or 410 not found, the ETag as the version. An object's storage is
 * strongly consistent, so a change written to it is what the next revalidation reads.
 */
export function durableObjectSource(namespace, options = {}) {
  binding(namespace, ['idFromName', 'get'], 'durableObjectSource needs a Durable Object namespace binding (an object with idFromName and get)');
  const { name = (orgId) => orgId, headers } = options ?? {};
  functionOption(name, 'durableObjectSource: `name` must be a function (orgId) => string');
  return responseSource(headers, (orgId) => {
    const objectName = name(orgId);
    if (typeof objectName !== 'string' || objectName === '') {
      throw new Error(`name(${JSON.stringify(orgId)}) is not a non-empty string`);
    }
    const target = `https://orgwarden/orgs/${encodeURIComponent(orgId)}`;
    return {
      label: `the Durable Object ${JSON.stringify(objectName)}, GET ${target}`,
      send: (init) => namespace.get(namespace.idFromName(objectName)).fetch(target, init),
    };
  });
}

/** An entity tag's length at most, as header values go (servers refuse far less than 8 KiB of headers). */
const MAX_ETAG_LENGTH = 1024;

/** Whether `version` can be sent as a header value: visible ASCII and Latin-1, spaces and tabs, of a sane length. */
function headerValue(version) {
  return typeof version === 'string' && version.length <= MAX_ETAG_LENGTH && /^[\t\x20-\x7e\x80-\xff]*$/.test(version);
}

/**
 * A source over HTTP responses: `request(orgId)` names the request (`label`, for messages) and
 * `send(init)` makes it. The conditional GET, the statuses, the size limits and the version are
 * read here, once for every source that speaks HTTP.
 */
function responseSource(headers, request) {
  return async (orgId, { version = null, maxSnapshotBytes = Infinity } = {}) => {
    const requestHeaders = new Headers(headers ?? undefined);
    // A version that cannot be a header value (from a body's `version` field, say) is asked
    // for without the condition: the whole org comes back, never a failure of the request.
    const conditional = version !== null && headerValue(version);
    if (conditional) requestHeaders.set('If-None-Match', version);
    let label = `the request for ${JSON.stringify(orgId)}`;
    let response;
    try {
      const made = request(orgId);
      label = made.label;
      response = await made.send({ method: 'GET', headers: requestHeaders });
    } catch (error) {
      return unavailable(`${label} failed: ${errorText(error)}`);
    }
    if (response === null || typeof response !== 'object' || typeof response.status !== 'number' || !response.headers) {
      return unavailable(`${label} did not answer with a Response`);
    }
    const discard = async () => {
      try {
        await response.body?.cancel();
      } catch {
        // nothing to release
      }
    };
    if (response.status === 304) {
      await discard();
      return conditional ? { notModified: true } : unavailable(`${label} answered 304 to a request without If-None-Match`);
    }
    if (response.status === 404 || response.status === 410) {
      await discard();
      return { notFound: true };
    }
    if (!response.ok) {
      await discard();
      return unavailable(`${label} answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
    }
    const limits = inputLimits();
    const length = Number(response.headers.get('Content-Length'));
    const tooLarge = (bytes) => ({
      error: { code: 'ORG_TOO_LARGE', message: `${label}: the snapshot (${bytes} bytes) is larger than maxSnapshotBytes (${maxSnapshotBytes})` },
    });
    if (Number.isFinite(length) && length > maxSnapshotBytes) {
      await discard();
      return tooLarge(length);
    }
    if (limits && Number.isFinite(length) && length > limits.maxJsonBytes) {
      await discard();
      return {
        error: { code: 'LIMIT_EXCEEDED', message: `${label}: the snapshot (${length} bytes) exceeds the limit of ${limits.maxJsonBytes}` },
      };
    }
    let body;
    try {
      body = await cappedText(response, maxSnapshotBytes);
    } catch (error) {
      return unavailable(`${label}: reading the body failed: ${errorText(error)}`);
    }
    if (body.tooLarge) return tooLarge(`more than ${body.tooLarge}`);
    return answerForText(body.text, versionText(response.headers.get('ETag')), version, maxSnapshotBytes);
  };
}

/**
 * A response's body as text, read chunk by chunk and abandoned as soon as it passes `max`
 * bytes (`{ tooLarge: bytesRead }`): a body without a Content-Length, or with a false one, is
 * never held whole when it is over the limit.
 */
async function cappedText(response, max) {
  const body = response.body;
  if (!Number.isFinite(max) || !body || typeof body.getReader !== 'function') return { text: await response.text() };
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > max) {
      try {
        await reader.cancel();
      } catch {
        // nothing to release
      }
      return { tooLarge: received };
    }
    text += decoder.decode(value, { stream: true });
  }
  return { text: text + decoder.decode() };
}
