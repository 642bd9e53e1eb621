// The build of the package this bundle decides with in the browser, as scripts/build-demo.mjs
// chose it: the full package ('orgwarden') or the compiled runtime ('orgwarden/compiled'), whose
// policies were compiled into its module ahead of time and which runs no policy text.

/** What the console's `orgwarden` imports resolve to in this bundle. */
export const PACKAGE_NAME = process.env.ORGWARDEN_DEMO_PACKAGE;

/** A custom policy is policy text for the browser's authorizer too: the full package's only. */
export const RUNS_POLICY_TEXT = PACKAGE_NAME === 'orgwarden';
