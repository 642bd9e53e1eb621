// What bench/run.mjs measures on an authorizer: its answer to every request, the timings of
// `check` and `isAllowed`, and matrices checked cell by cell against `isAllowed`. The full
// package is measured in run.mjs's own process and the compiled runtime in
// bench/compiled-checks.mjs (a process initializes only one of the two builds): both go
// through this one function, so their numbers are the same measurement.

export const now = () => process.hrtime.bigint();
export const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((sorted.length - 1) * q)))];
export const median = (values) => quantile([...values].sort((a, b) => a - b), 0.5);
export function summary(ns) {
  const sorted = [...ns].sort((a, b) => a - b);
  return { samples: sorted.length, medianUs: quantile(sorted, 0.5) / 1e3, p99Us: quantile(sorted, 0.99) / 1e3 };
}

/** Call by call over every request after two warm-up passes, then the throughput. */
function timeCalls(requests, call, passes) {
  for (let pass = 0; pass < 2; pass++) for (const r of requests) call(r); // warm-up (tier-up)
  const ns = [];
  for (let pass = 0; pass < passes; pass++) {
    for (const r of requests) {
      const t0 = now();
      call(r);
      ns.push(Number(now() - t0));
    }
  }
  // Throughput without per-call clocks.
  const t0 = now();
  for (let pass = 0; pass < passes; pass++) for (const r of requests) call(r);
  const perSec = (passes * requests.length) / (Number(now() - t0) / 1e9);
  return { ...summary(ns), perSec };
}

/** The median of `runs` calls after 3 warm-ups; every cell must say what `isAllowed` says. */
function timeMatrix(authz, { principal, resources, actions }, runs) {
  let answer;
  for (let i = 0; i < 3; i++) answer = authz.matrix(principal, resources, actions);
  if (answer.type !== 'success') throw new Error(`matrix: ${JSON.stringify(answer).slice(0, 500)}`);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = now();
    authz.matrix(principal, resources, actions);
    times.push(Number(now() - t0) / 1e6);
  }
  const mismatches = [];
  let evaluated = 0;
  answer.rows.forEach((row, r) => row.cells.forEach((cell, a) => {
    if (cell.cause !== 'error') evaluated++;
    if (cell.allowed !== authz.isAllowed(principal, actions[a], resources[r])) {
      mismatches.push({ resource: resources[r], action: actions[a], cell });
    }
  }));
  return { ms: median(times), cells: resources.length * actions.length, evaluated, mismatches };
}

/**
 * `authz` holds the workload's snapshot. `requests` are `{ principal, action, resource }`,
 * `matrices` `{ principal, resources, actions }`; `passes` timed passes over the requests,
 * `matrixRuns` timed calls per matrix.
 */
export function measureAuthorizer(authz, { requests, matrices, passes, matrixRuns }) {
  const answers = requests.map((r) => authz.check(r.principal, r.action, r.resource));
  const allowedByIsAllowed = requests.map((r) => authz.isAllowed(r.principal, r.action, r.resource));
  const check = timeCalls(requests, (r) => authz.check(r.principal, r.action, r.resource), passes);
  const isAllowed = timeCalls(requests, (r) => authz.isAllowed(r.principal, r.action, r.resource), passes);
  return {
    answers,
    allowedByIsAllowed,
    check,
    isAllowed,
    matrices: matrices.map((m) => timeMatrix(authz, m, matrixRuns)),
    entityCount: authz.entityCount(),
  };
}
