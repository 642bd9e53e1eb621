// What the console shows after a "view" action the engine allowed: read from the full
// organization on the server, sent only in the answer to that allowed request. Invoices,
// earnings and usage are made-up figures (the demo has no metering); the engine only decides
// who may see them.

const money = (cents) => `$${(cents / 100).toFixed(2)}`;
const table = (headers, rows, caption) => ({ caption, headers, rows });

/** action → ({ org, authorizer, resource }) → { caption?, headers, rows } */
export const REPORTS = {
  viewBilling: ({ org }) =>
    table(['credit balance', 'active runs', 'concurrent run limit'], [
      [`${org.billing?.creditBalance ?? 0} credits`, String(org.billing?.activeRuns ?? 0), String(org.billing?.concurrentRunLimit ?? 0)],
    ]),
  viewInvoices: () =>
    table(['invoice', 'period', 'amount', 'status'], [
      ['INV-2026-003', 'March 2026', money(184200), 'open'],
      ['INV-2026-002', 'February 2026', money(161050), 'paid'],
      ['INV-2026-001', 'January 2026', money(149900), 'paid'],
    ]),
  viewEarnings: ({ org }) =>
    table(['algorithm', 'calls', 'earnings'], org.algorithms.map((a, i) => [a.name || a.id, String((i + 1) * 1234), money((i + 1) * 48213)])),
  viewUsage: ({ org }) =>
    table(['workspace', 'compute hours', 'runs'], org.workspaces.map((w, i) => [w.name || w.id, String((i + 2) * 17), String((i + 1) * 9)])),
  viewMemberActivity: ({ org }) => table(['member', 'role', 'last active'], org.members.map((m, i) => [m.user, m.role, `${i + 1}h ago`])),
  listPendingVersions: ({ org }) =>
    table(
      ['algorithm', 'version', 'submitted by'],
      org.algorithms.flatMap((a) => a.versions.filter((v) => v.status === 'pending').map((v) => [a.name || a.id, v.version, v.submitter])),
    ),
  // What the key itself may do (the key as the principal, KEY-2), decided on the full organization.
  useApiKey: ({ org, authorizer, resource }) => {
    const key = { type: 'ApiKey', id: resource.id };
    const asks = [
      [[{ type: 'Organization', id: org.id }], ['viewOrganization', 'viewMembers', 'viewUsage']],
      [org.algorithms.map((a) => ({ type: 'Algorithm', id: a.id })), ['viewAlgorithm', 'callAlgorithm', 'editAlgorithm']],
      [org.workspaces.map((w) => ({ type: 'Workspace', id: w.id })), ['viewWorkspace', 'launchCompute']],
    ];
    const rows = [];
    for (const [resources, actions] of asks) {
      if (resources.length === 0) continue;
      const matrix = authorizer.matrix(key, resources, actions);
      if (matrix.type !== 'success') continue;
      for (const row of matrix.rows) {
        row.cells.forEach((cell, j) => rows.push([matrix.actions[j], `${row.resource.type}::"${row.resource.id}"`, cell.allowed ? 'allowed' : `denied: ${cell.reason}`]));
      }
    }
    return table(['action', 'resource', 'decision'], rows, `What ${resource.id} itself may do`);
  },
};
