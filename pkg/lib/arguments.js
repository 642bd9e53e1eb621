// Arguments read and checked in JS before anything crosses into the module: a call gets
// arbitrary JS values (numbers for strings, objects with a huge `length`, getters that throw,
// Proxies, revoked Proxies), and none of them may reach the module's glue, which would copy or
// trap on them. Each reader returns `{ value }` or `{ error: { code, message } }` and never
// throws; it reads a caller's object once, so a getter cannot answer differently later.
import { limits } from './module.js';

const encoder = new TextEncoder();

export const failure = (code, message) => ({ error: { code, message } });

/** What an exception says, without trusting it: its `message` may be a getter that throws. */
export function errorText(error) {
  try {
    const message = error?.message;
    return typeof message === 'string' ? message : 'it threw';
  } catch {
    return 'it threw';
  }
}

/** `Array.isArray`, which throws on a revoked Proxy: that is not an array. */
function isArray(value) {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

function describeType(value) {
  if (value === null || value === undefined) return String(value);
  if (isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

// A lone surrogate becomes U+FFFD in UTF-8, so two different JS strings would name the same
// entity: refused rather than aliased.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const wellFormed = (text) => (typeof text.isWellFormed === 'function' ? text.isWellFormed() : !loneSurrogate.test(text));

/** A string of at most `maxNameBytes` (its UTF-16 length bounds its UTF-8 size from below). */
export function name(value, what) {
  if (typeof value !== 'string') return failure('INVALID_REQUEST', `${what} must be a string, not ${describeType(value)}`);
  const max = limits().maxNameBytes;
  if (value.length > max) return failure('LIMIT_EXCEEDED', `${what} (${value.length} characters) exceeds the limit of ${max}`);
  if (!wellFormed(value)) return failure('INVALID_REQUEST', `${what} holds a lone surrogate (not well-formed UTF-16)`);
  return { value };
}

/** `{ type: string, id: string }`, copied out of the caller's object. */
export function entityRef(value, what) {
  if (value === null || typeof value !== 'object') {
    return failure('INVALID_REQUEST', `${what} must be an object { type: string, id: string }, not ${describeType(value)}`);
  }
  let type;
  let id;
  try {
    ({ type, id } = value);
  } catch (error) {
    return failure('INVALID_REQUEST', `${what} could not be read: ${errorText(error)}`);
  }
  const typeName = name(type, `${what}.type`);
  if (typeName.error) return typeName;
  const idName = name(id, `${what}.id`);
  if (idName.error) return idName;
  return { value: { type: typeName.value, id: idName.value } };
}

/** An array of at most `max` items, copied (its `length` and each index are read once). */
export function list(value, what, max, readItem) {
  if (!isArray(value)) return failure('INVALID_REQUEST', `${what} must be an array, not ${describeType(value)}`);
  let length;
  try {
    length = value.length;
  } catch (error) {
    return failure('INVALID_REQUEST', `${what} could not be read: ${errorText(error)}`);
  }
  // A Proxy of an array may answer anything for `length`: only a whole number is one.
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) {
    return failure('INVALID_REQUEST', `${what} has no valid length`);
  }
  if (length > max) return failure('LIMIT_EXCEEDED', `${what} (${length} items) exceeds the limit of ${max}`);
  const items = [];
  for (let i = 0; i < length; i++) {
    let item;
    try {
      item = value[i];
    } catch (error) {
      return failure('INVALID_REQUEST', `${what}[${i}] could not be read: ${errorText(error)}`);
    }
    const read = readItem(item, `${what}[${i}]`);
    if (read.error) return read;
    items.push(read.value);
  }
  return { value: items };
}

function utf8(text, what) {
  const max = limits().maxJsonBytes;
  // UTF-8 takes at least one byte per UTF-16 unit: a longer string is refused uncopied.
  if (text.length > max) return failure('LIMIT_EXCEEDED', `${what} (${text.length} characters) exceeds the limit of ${max} bytes`);
  if (!wellFormed(text)) return failure('INVALID_JSON', `${what} holds a lone surrogate (not well-formed UTF-16)`);
  let bytes;
  try {
    bytes = encoder.encode(text);
  } catch (error) {
    return failure('LIMIT_EXCEEDED', `${what} could not be encoded: ${errorText(error)}`);
  }
  if (bytes.length > max) return failure('LIMIT_EXCEEDED', `${what} (${bytes.length} bytes) exceeds the limit of ${max}`);
  return { value: bytes };
}

/** The UTF-8 size of `text` in bytes, counted without encoding it (a lone surrogate as U+FFFD's 3). */
export function utf8Length(text) {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit <= 0xdbff && unit >= 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i += 1;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Whether `text` takes more than `max` bytes in UTF-8. Each UTF-16 unit takes one to three
 * bytes, so the length alone decides most texts; only the others are counted.
 */
export function exceedsBytes(text, max) {
  if (text.length > max) return true;
  if (text.length * 3 <= max) return false;
  return utf8Length(text) > max;
}

/** A JSON value as UTF-8 bytes: JSON text as it is, or anything JSON.stringify accepts. */
export function json(value, what, { text = true } = {}) {
  if (text && typeof value === 'string') return utf8(withoutByteOrderMark(value), what);
  const serialized = serialize(value, what, { text });
  return serialized.error ? serialized : utf8(serialized.value, what);
}

/**
 * JSON text without the byte-order mark some editors and exports put before it (RFC 8259 lets
 * a parser ignore one; `JSON.parse` and the module do not): a snapshot file saved that way,
 * or a KV value written from it, would otherwise be refused as not JSON.
 */
export function withoutByteOrderMark(text) {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A JS value as JSON text, or the refusal; `text` says whether JSON text was also accepted. */
function serialize(value, what, { text = false } = {}) {
  if (typeof value === 'string') return failure('INVALID_REQUEST', `${what} must be an object, not a string`);
  if (value === null || typeof value !== 'object') {
    return failure('INVALID_JSON', `${what} must be ${text ? 'JSON text or ' : ''}an object, not ${describeType(value)}`);
  }
  let serialized;
  try {
    serialized = JSON.stringify(value);
  } catch (error) {
    return failure('INVALID_JSON', `${what} is not JSON-serializable: ${errorText(error)}`);
  }
  if (typeof serialized !== 'string') return failure('INVALID_JSON', `${what} is not JSON-serializable`);
  if (serialized.includes('\\ud') && LONE_SURROGATE_ESCAPE.test(serialized)) {
    return failure('INVALID_JSON', `${what} holds a string that is not well-formed Unicode (a lone surrogate)`);
  }
  return { value: serialized };
}

/**
 * What keeps an object from being a plain one (a literal `{…}` or `Object.create(null)`, of
 * any realm), in words; null for a plain object. JSON.stringify writes an array as an array,
 * and a Map or a Set as `{}`, which the module would read as the defaults.
 */
function notPlain(value) {
  if (isArray(value)) return 'an array';
  try {
    const prototype = Object.getPrototypeOf(value);
    // Object.prototype is the one prototype whose own prototype is null, in every realm.
    if (prototype === null || Object.getPrototypeOf(prototype) === null) return null;
    return 'an object with a prototype of its own (a Map, a Date, a class instance)';
  } catch (error) {
    return `an object whose prototype could not be read (${errorText(error)})`;
  }
}

/**
 * Options or a request, a plain object whose JSON is an object, as JSON text; else the
 * refusal (INVALID_REQUEST), before anything crosses into the module. The module's serde reads
 * a struct from a JSON array too, field by field in order, so `[null, [...], false]` would be
 * read as options without the default policies; a `toJSON` may write an array as well.
 */
function objectText(value, what) {
  const kind = value !== null && typeof value === 'object' ? notPlain(value) : null;
  if (kind !== null) return failure('INVALID_REQUEST', `${what} must be a plain object ({ … }), not ${kind}`);
  const serialized = serialize(value, what);
  if (serialized.error) return serialized;
  if (!serialized.value.startsWith('{')) {
    return failure('INVALID_REQUEST', `${what} must be a plain object ({ … }): its toJSON gave ${serialized.value.startsWith('[') ? 'an array' : 'no object'}`);
  }
  return serialized;
}

/** A request object (validateAction's) as UTF-8 JSON bytes; see objectText. */
export function requestObject(value, what) {
  const serialized = objectText(value, what);
  return serialized.error ? serialized : utf8(serialized.value, what);
}

/** The largest entity budget a load takes: the module reads it as a 32-bit count. */
const MAX_ENTITY_BUDGET = 2 ** 32 - 1;

/**
 * `loadSnapshot`'s options, `{ maxEntities?, organization? }`, as the module's arguments
 * (each undefined for none), or the refusal. Read once, like every argument.
 */
export function loadOptions(options) {
  if (options === undefined || options === null) return { value: {} };
  if (typeof options !== 'object' || isArray(options)) {
    return failure('INVALID_REQUEST', `load options must be an object { maxEntities?, organization? }, not ${describeType(options)}`);
  }
  let maxEntities;
  let organization;
  try {
    ({ maxEntities, organization } = options);
  } catch (error) {
    return failure('INVALID_REQUEST', `load options could not be read: ${errorText(error)}`);
  }
  const value = {};
  if (maxEntities !== undefined && maxEntities !== Infinity) {
    if (typeof maxEntities !== 'number' || !Number.isInteger(maxEntities) || maxEntities < 0) {
      return failure('INVALID_REQUEST', `maxEntities must be a whole number ≥ 0 or Infinity, not ${describeType(maxEntities)}`);
    }
    value.maxEntities = Math.min(maxEntities, MAX_ENTITY_BUDGET);
  }
  if (organization !== undefined) {
    const id = name(organization, 'organization');
    if (id.error) return id;
    if (id.value === '') return failure('INVALID_REQUEST', 'organization must be an organization id, not empty');
    value.organization = id.value;
  }
  return { value };
}

/** The keys of a policy entry: the module reads these two, and an entry with any other is refused. */
const POLICY_ENTRY_KEYS = ['name', 'text'];

/**
 * Engine options `{ schema?, policies?, includeDefaultPolicies? }` as UTF-8 JSON bytes, or the
 * refusal. Each policy entry must be an object of `name` and `text` alone: a key the module
 * does not read (`effect: 'forbid'`, a misspelt `txt`) would be dropped without a word. The
 * entries are checked in the JSON that is sent, so a getter or a toJSON cannot show one
 * thing here and send another.
 */
export function engineOptions(value, what = 'options') {
  const serialized = objectText(value, what);
  if (serialized.error) return serialized;
  const bytes = utf8(serialized.value, what);
  if (bytes.error) return bytes;
  const { policies } = JSON.parse(serialized.value);
  // Any other type of `policies` is the module's to refuse, as it refuses any wrong type.
  if (Array.isArray(policies)) {
    for (const [index, entry] of policies.entries()) {
      const at = `${what}.policies[${index}]`;
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
        return failure('INVALID_REQUEST', `${at} must be an object { name, text }, not ${describeType(entry)}`);
      }
      const unknown = Object.keys(entry).find((key) => !POLICY_ENTRY_KEYS.includes(key));
      if (unknown !== undefined) {
        return failure('INVALID_REQUEST', `${at} has the unknown key ${JSON.stringify(unknown)}: an entry is { name, text }`);
      }
    }
  }
  return bytes;
}

/**
 * How JSON.stringify writes a lone surrogate: an escape (`\ud800`, lower case; a pair is
 * written as it is), which is valid JSON but no string of the module's can hold. Found here,
 * it is named for what it is; a backslash the value itself holds is written `\\`, so an even
 * run of them before the escape belongs to the text.
 */
const LONE_SURROGATE_ESCAPE = /(?<!\\)(?:\\\\)*\\ud[89a-f][0-9a-f]{2}/;

/** An optional request context: `undefined` or `null` for none, else a plain JSON object. */
export function context(value) {
  if (value === undefined || value === null) return { value: undefined };
  if (typeof value !== 'object' || isArray(value)) {
    return failure('INVALID_CONTEXT', `context must be an object, not ${describeType(value)}`);
  }
  const bytes = json(value, 'context', { text: false });
  if (bytes.error && bytes.error.code === 'INVALID_JSON') bytes.error.code = 'INVALID_CONTEXT';
  return bytes;
}

/** Bytes of a JSON document built here from values already checked. */
export function ownJson(value, what) {
  return utf8(JSON.stringify(value), what);
}
