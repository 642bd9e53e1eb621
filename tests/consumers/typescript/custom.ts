// The README's own-schema workflow: `npx orgwarden types schema.cedarschema -o authz-names.d.ts`
// (run by the runner from the installed package's bin) and an authorizer typed with the result.
import { Authorizer } from 'orgwarden';
import type { Names } from './authz-names.js';

declare const schema: string;
const authz: Authorizer<Names> = new Authorizer({ schema, includeDefaultPolicies: false });
export const reads: boolean = authz.isAllowed({ type: 'Person', id: 'ann' }, 'read', { type: 'Doc', id: 'notes' });
// @ts-expect-error this schema has no action "write"
authz.isAllowed({ type: 'Person', id: 'ann' }, 'write', { type: 'Doc', id: 'notes' });
