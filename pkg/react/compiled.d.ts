// orgwarden/compiled/react (./compiled.js): the components and hooks of orgwarden/react, typed
// the same, on the compiled runtime, whose Authorizer and answers are the full package's.
export * from './index.js';
