// The build a Node suite runs against, as a consumer imports it: the full package
// (`orgwarden`, the default) or the compiled runtime (`orgwarden/compiled`, with
// ORGWARDEN_BUILD=compiled; the *-compiled.test.mjs files set it and run a suite unchanged).
// Each test file runs in its own process, and a process holds one build (pkg/lib/module.js).
export const build = process.env.ORGWARDEN_BUILD === 'compiled' ? 'compiled' : 'full';

async function load() {
  if (build === 'full') return import('orgwarden');
  const compiled = await import('orgwarden/compiled');
  // Nothing initializes at import: without an argument, the package's own compiled module.
  await compiled.default();
  return compiled;
}

export const api = await load();
/** The package's internals, for the suite's trap hook: the same module instance the entry uses. */
export const internals = await import('../../pkg/lib/module.js');
/** How test names say which build ran them. */
export const label = build === 'full' ? '' : ' (compiled)';
