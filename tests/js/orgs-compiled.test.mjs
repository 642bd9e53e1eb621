// The multi-organization registry suite of ./orgs.test.mjs, unchanged, on the compiled runtime.
process.env.ORGWARDEN_BUILD = 'compiled';
await import('./orgs.test.mjs');
