// The shared suite of ./node.test.mjs against the compiled runtime (`orgwarden/compiled`).
process.env.ORGWARDEN_BUILD = 'compiled';
await import('./node.test.mjs');
