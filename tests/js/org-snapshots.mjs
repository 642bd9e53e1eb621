// One organization of a snapshot with the users it references, as the package splits it
// (splitOrganizations): what one KV key (or one HTTP response) of a multi-tenant store holds.
// Shared by the orgs tests and bench/orgs.mjs.
import { api } from './build-under-test.mjs';

const { splitOrganizations } = api;

// A snapshot is split once, however many of its organizations are asked for (the bench asks
// for each of a thousand).
const splits = new WeakMap();

/** Every organization of `snapshot` (an object) by id; throws if the package refuses it. */
export function orgSnapshots(snapshot) {
  let split = splits.get(snapshot);
  if (!split) {
    const answer = splitOrganizations(snapshot);
    if (answer.type !== 'success') throw new Error(`the snapshot does not split: ${JSON.stringify(answer.errors)}`);
    split = new Map(answer.organizations.map(({ orgId, snapshot: part }) => [orgId, part]));
    splits.set(snapshot, split);
  }
  return split;
}

/** The organization `orgId` of `snapshot`. */
export function orgSnapshot(snapshot, orgId) {
  const part = orgSnapshots(snapshot).get(orgId);
  if (!part) throw new Error(`no organization ${orgId} in the snapshot`);
  return part;
}
