#!/usr/bin/env node
// The orgwarden command line.
//   orgwarden types [schema.cedarschema] [-o names.d.ts]
// Writes TypeScript declarations of a schema's actions and entity types (the embedded schema
// without a file), so that `new Authorizer<Names>({ schema })` checks names at compile time.
import { readFileSync, writeFileSync } from 'node:fs';
import { Authorizer, OrgwardenError } from '../entries/node.js';
import { namesDeclarations } from './types.mjs';

const usage = 'usage: orgwarden types [schema.cedarschema] [-o names.d.ts]';

function types(args) {
  const out = args.includes('-o') ? args[args.indexOf('-o') + 1] : undefined;
  const file = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-o');
  const options = file ? { schema: readFileSync(file, 'utf8'), includeDefaultPolicies: false } : undefined;
  const authz = new Authorizer(options);
  const text = namesDeclarations(authz.schemaNames(), file ?? 'the embedded schema');
  authz.free();
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === 'types') types(args);
  else {
    console.error(usage);
    process.exitCode = 2;
  }
} catch (error) {
  if (!(error instanceof OrgwardenError)) throw error;
  console.error(`orgwarden: ${error.code}: ${error.message}`);
  for (const d of error.diagnostics) {
    const at = d.location ? `${d.location.source}:${d.location.line}:${d.location.column}: ` : '';
    console.error(`  ${at}${d.message}`);
  }
  process.exitCode = 1;
}
