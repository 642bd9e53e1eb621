// How the command line words its errors: the engine's as the code and message, then each of
// Cedar's diagnostics as `source:line:column: message`, which editors and CI logs link to the
// place; and a file it cannot read as one line, without a stack.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/** A refusal of the command's arguments: printed as one line with the usage, exit code 2. */
export class UsageError extends Error {}

/** How diagnostics name a file given on the command line: relative to where the command runs. */
export function sourceName(path) {
  return relative(process.cwd(), path) || path;
}

/** The text of a file given on the command line as `label`, or a UsageError saying why not. */
export function readInput(path, label) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const why = { ENOENT: 'no such file', EISDIR: 'is a directory, not a file', EACCES: 'permission denied' }[error.code];
    throw new UsageError(`${label}: ${why ?? `cannot be read (${error.code ?? error.message})`}`);
  }
}

/**
 * The lines of an engine error. The engine names a schema given as text `schema`; with
 * `schemaFile`, an invalid schema's diagnostics (all of them are the schema's: it is the only
 * one) cite that file instead, as policies cite theirs.
 */
export function errorLines({ code, message, diagnostics = [] }, { schemaFile } = {}) {
  const lines = [`orgwarden: ${code}: ${message}`];
  const citesSchema = code === 'INVALID_SCHEMA' && schemaFile !== undefined;
  for (const d of diagnostics) lines.push(`  ${diagnosticLine(d, citesSchema ? sourceName(schemaFile) : d.location?.source)}`);
  return lines;
}

/** One diagnostic as `file:line:column: message (help)`. */
export function diagnosticLine(d, source = d.location?.source) {
  const at = d.location ? `${source}:${d.location.line}:${d.location.column}: ` : '';
  return `${at}${d.message}${d.help ? ` (${d.help})` : ''}`;
}
