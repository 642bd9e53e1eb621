// How the command line words the engine's errors: the code and message, then each of Cedar's
// diagnostics as `source:line:column: message`, which editors and CI logs link to the place.

export function errorLines({ code, message, diagnostics = [] }) {
  const lines = [`orgwarden: ${code}: ${message}`];
  for (const d of diagnostics) {
    const at = d.location ? `${d.location.source}:${d.location.line}:${d.location.column}: ` : '';
    lines.push(`  ${at}${d.message}${d.help ? ` (${d.help})` : ''}`);
  }
  return lines;
}
