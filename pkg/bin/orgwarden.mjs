#!/usr/bin/env node
// The orgwarden command line.
//   orgwarden types [schema.cedarschema] [-o names.d.ts]
//     TypeScript declarations of a schema's actions and entity types (the embedded schema
//     without a file), so that `new Authorizer<Names>({ schema })` checks names at compile time.
//   orgwarden compile [--policies <file or directory>]... [--schema <file>] [--no-default-policies] -o <out.wasm>
//     Policies compiled ahead of time into a module for `orgwarden/compiled` (./compile.mjs).
import { writeFileSync } from 'node:fs';
import { compile, compileUsage } from './compile.mjs';
import { UsageError, errorLines, readInput } from './report.mjs';
import { namesDeclarations } from './types.mjs';

const typesUsage = 'usage: orgwarden types [schema.cedarschema] [-o names.d.ts]';
const usage = `${typesUsage}\n       ${compileUsage.replace('usage: ', '')}`;

async function types(args) {
  const { Authorizer, OrgwardenError } = await import('../entries/node.js');
  const out = args.includes('-o') ? args[args.indexOf('-o') + 1] : undefined;
  const file = args.find((arg, i) => !arg.startsWith('-') && args[i - 1] !== '-o');
  let options;
  try {
    options = file ? { schema: readInput(file, file), includeDefaultPolicies: false } : undefined;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`orgwarden types: ${error.message}\n${typesUsage}`);
    return 2;
  }
  let authz;
  try {
    authz = new Authorizer(options);
  } catch (error) {
    if (!(error instanceof OrgwardenError)) throw error;
    console.error(errorLines(error, { schemaFile: file }).join('\n'));
    return 1;
  }
  const text = namesDeclarations(authz.schemaNames(), file ?? 'the embedded schema');
  authz.free();
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
  return 0;
}

const [command, ...args] = process.argv.slice(2);
if (command === 'types') process.exitCode = await types(args);
else if (command === 'compile') process.exitCode = await compile(args);
else {
  console.error(usage);
  process.exitCode = 2;
}
