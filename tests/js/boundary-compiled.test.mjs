// The boundary fuzzer of ./boundary.test.mjs, unchanged, against the compiled runtime
// (`orgwarden/compiled`): the same JS layer over a module built without the parser.
process.env.ORGWARDEN_BUILD = 'compiled';
await import('./boundary.test.mjs');
