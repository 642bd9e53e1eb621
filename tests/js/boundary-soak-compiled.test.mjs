// The soak of ./boundary-soak.test.mjs, unchanged, against the compiled runtime.
process.env.ORGWARDEN_BUILD = 'compiled';
await import('./boundary-soak.test.mjs');
